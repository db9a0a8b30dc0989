import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.changes import (
    address_delete,
    address_make_default,
    address_save,
    card_add,
    card_remove,
    email_change,
    phone_change,
)
from accounts.forms import (
    AddressForm,
    CardForm,
    NewEmailForm,
    NewPhoneForm,
    PasswordChangeForm,
    PasswordResetEmailForm,
    SignInForm,
    SignUpForm,
)
from accounts.models import Address, Language, PaymentCard, User, normalize_email
from accounts.redirects import safe_next_path
from accounts.registration import EmailTaken, user_sign_up
from accounts.sessions import account_secure_after_intrusion, sessions_end_everywhere_else
from accounts.signin import (
    PENDING_KEY,
    RECOVERY,
    SIGNUP,
    TWO_STEP,
    code_step_needed,
    pending_get,
    pending_start,
    pending_user,
    signin_complete,
    signup_email_proved,
)
from config.ratelimit import limit_hit
from security.alerts import not_me_claim, not_me_token, signin_codes_failed
from security.challenges import Outcome, challenge_issue, challenge_resend, challenge_verify
from security.code_step import code_step_run
from security.display import mask_email, mask_phone
from security.events import COULD_BE_AN_INTRUDER, client_ip, event_record, recent_events
from security.forms import CodeForm
from security.methods import two_step_summary
from security.models import Challenge, Method, PasswordResetRequest, SecurityEvent
from security.password_reset import (
    ResetRefused,
    password_reset_code_check,
    password_reset_request,
)
from security.passwords import password_set
from security.recovery import (
    recovery_cancel,
    recovery_complete,
    recovery_from_cancel_token,
    recovery_open,
    recovery_request,
)
from security.step_up import grant_give, step_up_required
from security.throttles import password_attempt, password_succeeded
from security.trusted_devices import trusted_devices_for, trusted_devices_revoke
from security.verification import email_option
from security.vocabulary import Purpose, StepUpAction

_BACKEND = "django.contrib.auth.backends.ModelBackend"


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_path = safe_next_path(request)
    if request.user.is_authenticated:
        return redirect(next_path)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                name=form.cleaned_data["name"],
                preferred_language=Language.best_match(request.headers.get("Accept-Language", "")),
            )
        except EmailTaken:
            form.add_error(
                "email",
                _("An account already uses this email address. Sign in instead, or use another address."),
            )
        else:
            # Nothing is signed in, and nothing else goes to the address, until a code proves it is theirs.
            request.session.pop(PENDING_KEY, None)
            pending_start(request=request, user=user, reason=SIGNUP, next_path=next_path)
            return redirect("accounts:signin_code")
    return render(request, "accounts/signup.html", {"form": form, "next": next_path})


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """Email and password; then a code on a browser the account does not know (or, with 2SV, does not trust)."""
    next_path = safe_next_path(request)
    if request.user.is_authenticated:
        return redirect(next_path)
    form = SignInForm(request, request.POST if request.method == "POST" else None)
    wait_message = ""
    if request.method == "POST":
        email, ip = normalize_email(request.POST.get("email", "")), client_ip(request)
        if wait := password_attempt(email=email, ip=ip):
            # Not form.add_error: that would validate the form, and so check the password, during the wait.
            form = SignInForm(request, initial={"email": request.POST.get("email", "")})
            wait_message = ngettext(
                "Too many attempts. Wait %(seconds)d second, then try again.",
                "Too many attempts. Wait %(seconds)d seconds, then try again.",
                wait,
            ) % {"seconds": wait}
        elif form.is_valid():
            password_succeeded(email=email, ip=ip)
            user = form.user
            request.session.pop(PENDING_KEY, None)
            if reason := code_step_needed(request=request, user=user):
                pending_start(request=request, user=user, reason=reason, next_path=next_path)
                return redirect("accounts:signin_code")
            response = redirect(next_path)
            signin_complete(request=request, response=response, user=user)
            return response
        elif form.errors.get("__all__") and (failed := User.objects.filter(email=email).first()):
            event_record(user=failed, kind=SecurityEvent.Kind.PASSWORD_FAILED, request=request)
    return render(request, "accounts/signin.html", {"form": form, "next": next_path, "wait_message": wait_message})


@never_cache
@require_http_methods(["GET", "POST"])
def signin_code(request: HttpRequest) -> HttpResponse:
    """The code step of sign-in. Nothing is signed in until it succeeds."""
    pending = pending_get(request)
    user = pending_user(pending) if pending else None
    if user is None:
        messages.info(request, _("Your sign-in timed out. Please sign in again."))
        return redirect("accounts:signin")
    reason = pending["reason"]
    purpose = {TWO_STEP: Purpose.SIGNIN, RECOVERY: Purpose.RECOVERY_COMPLETE, SIGNUP: Purpose.SIGNUP}.get(
        reason, Purpose.NEW_DEVICE
    )
    options = [email_option(user)] if reason in {RECOVERY, SIGNUP} else None
    state = pending.setdefault("code", {})
    step = code_step_run(
        request=request, user=user, purpose=purpose, state=state, options=options, send_on_arrival=True
    )
    request.session[PENDING_KEY] = pending
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed and reason == RECOVERY:
        if not recovery_complete(user=user, request=request):
            messages.error(request, _("This recovery was cancelled or has already been used. Please sign in again."))
            request.session.pop(PENDING_KEY, None)
            return redirect("accounts:signin")
        response = redirect("security:two_step_start")
        signin_complete(request=request, response=response, user=user)
        grant_give(request, StepUpAction.TWO_STEP)  # they just proved password and email: set 2SV up again now
        messages.success(
            request, _("Your account is recovered and two-step verification is off. Turn it on again now.")
        )
        return response
    if step.passed and reason == SIGNUP:
        response = redirect(pending["next"])
        signup_email_proved(request=request, response=response, user=user)
        messages.success(
            request,
            _("Welcome to %(shop)s, %(name)s. Your account is ready.")
            % {"shop": settings.SHOP_NAME, "name": user.get_short_name()},
        )
        return response
    if step.passed:
        response = redirect(pending["next"])
        signin_complete(
            request=request, response=response, user=user, device=step.device, trust=request.POST.get("trust") == "on"
        )
        return response
    if step.outcome == Outcome.TOO_MANY and reason != SIGNUP:
        signin_codes_failed(user=user, request=request)
    context = {
        "reason": reason,
        "two_step": reason == TWO_STEP,
        "recovery": reason == RECOVERY,
        "signup": reason == SIGNUP,
        "offer_trust": reason in {TWO_STEP, "new_device"},
        **step.context,
    }
    return render(request, "accounts/signin_code.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def signout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        was_signed_in = request.user.is_authenticated
        logout(request)
        if was_signed_in:
            messages.info(request, _("You've signed out. See you soon."))
        return redirect("/")
    if not request.user.is_authenticated:
        return redirect("/")
    return render(request, "accounts/signout.html")


NOT_ME_SESSION = "not_me"


@never_cache
@require_http_methods(["GET", "POST"])
def signin_recover(request: HttpRequest) -> HttpResponse:
    """ "I can't use any of these methods": the password is proved (the pending sign-in); now the email."""
    pending = pending_get(request)
    user = pending_user(pending) if pending else None
    if user is None or pending["reason"] != TWO_STEP:
        return redirect("accounts:signin")
    state = pending.setdefault("recover", {})
    step = code_step_run(
        request=request, user=user, purpose=Purpose.RECOVERY, state=state, options=[email_option(user)]
    )
    request.session[PENDING_KEY] = pending
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed:
        recovery = recovery_request(user=user, request=request)
        request.session.pop(PENDING_KEY, None)
        return render(request, "accounts/recovery_requested.html", {"recovery": recovery})
    return render(request, "accounts/signin_recover.html", step.context)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """The alert's "cancel" link: a button, so a mail scanner following links cancels nothing."""
    recovery = recovery_from_cancel_token(token)
    if recovery is None:
        raise Http404
    if request.method == "POST":
        recovery_cancel(recovery=recovery, request=request)
        messages.success(request, _("The recovery is cancelled. Your two-step verification stays on."))
        return redirect("accounts:security" if request.user.is_authenticated else "accounts:signin")
    return render(request, "accounts/recovery_cancel.html", {"recovery": recovery})


@login_required
@require_POST
def recovery_cancel_signed_in(request: HttpRequest) -> HttpResponse:
    recovery = recovery_open(request.user)
    if recovery is not None:
        recovery_cancel(recovery=recovery, request=request)
        messages.success(request, _("The recovery is cancelled. Your two-step verification stays on."))
    return redirect("accounts:security")


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def not_me(request: HttpRequest, token: str) -> HttpResponse:
    """ "This wasn't me" from an alert: a code to the address the alert went to; then every session ends and
    trusted devices are revoked; a 2SV account proves a second factor (or starts the recovery wait); then a new
    password. The link works once, for a day. Nobody is signed in at the end."""
    state = request.session.get(NOT_ME_SESSION)
    if not state or state.get("token") != token:
        claim = not_me_claim(token)
        user = User.objects.filter(pk=claim[0], is_active=True, session_version=claim[2]).first() if claim else None
        if user is None:
            return render(request, "accounts/not_me.html", {"expired": True}, status=404)
        state = {"token": token, "user_id": user.pk, "to": claim[1], "stage": "email", "code": {}}
    user = User.objects.filter(pk=state["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(NOT_ME_SESSION, None)
        return render(request, "accounts/not_me.html", {"expired": True}, status=404)
    if state["stage"] == "password":
        form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            password_set(user=user, new_password=form.cleaned_data["new_password1"], request=request, reason="not_me")
            request.session.pop(NOT_ME_SESSION, None)
            messages.success(
                request, _("Your password is changed and every session is signed out. Sign in with your new password.")
            )
            return redirect("accounts:signin")
        return render(request, "accounts/not_me.html", {"password_form": form})
    if state["stage"] == "second" and request.method == "POST" and request.POST.get("do") == "recover":
        recovery = recovery_request(user=user, request=request)
        request.session.pop(NOT_ME_SESSION, None)
        return render(request, "accounts/recovery_requested.html", {"recovery": recovery})
    if state["stage"] == "second":
        step = code_step_run(
            request=request, user=user, purpose=Purpose.REPORT_INTRUSION_2SV, state=state["code"], send_on_arrival=True
        )
    else:
        step = code_step_run(
            request=request,
            user=user,
            purpose=Purpose.REPORT_INTRUSION,
            state=state["code"],
            options=[email_option(user, send_to=state["to"])],
        )
    request.session[NOT_ME_SESSION] = state
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed and state["stage"] == "email":
        # The link is spent (sessions move on), and the proved address is the account's again.
        account_secure_after_intrusion(user=user, request=request, proved_email=state["to"])
        state.update(stage="second" if two_step_summary(user).enabled else "password", code={})
        request.session[NOT_ME_SESSION] = state
        return redirect(request.get_full_path())
    if step.passed:
        state["stage"] = "password"
        request.session[NOT_ME_SESSION] = state
        return redirect(request.get_full_path())
    return render(request, "accounts/not_me.html", {"stage": state["stage"], **step.context})


@login_required
@step_up_required(StepUpAction.TRUSTED_DEVICES)
@require_POST
def trusted_devices_remove(request: HttpRequest) -> HttpResponse:
    device_id = request.POST.get("device")
    count = trusted_devices_revoke(
        user=request.user, request=request, device_id=int(device_id) if device_id and device_id.isdigit() else None
    )
    if device_id and not count:
        raise Http404
    messages.success(request, _("Removed. That browser will be asked for a code next time."))
    return redirect("accounts:security")


@sensitive_post_parameters("current_password", "new_password")
@login_required
@step_up_required(StepUpAction.CHANGE_PASSWORD)
@never_cache
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    email, ip = request.user.email, client_ip(request)
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if wait := password_attempt(email=email, ip=ip):
            form = PasswordChangeForm(request.user)
            messages.error(
                request, _("Too many attempts. Wait %(seconds)d seconds, then try again.") % {"seconds": wait}
            )
        elif form.is_valid():
            password_succeeded(email=email, ip=ip)
            keep = form.cleaned_data["keep_signed_in"]
            password_set(
                user=request.user,
                new_password=form.cleaned_data["new_password"],
                request=request,
                reason="change",
                keep_this_session=keep,
            )
            if not keep:
                logout(request)
                messages.success(request, _("Your password is changed. Sign in with your new password."))
                return redirect("accounts:signin")
            messages.success(request, _("Your password is changed. Every other session is signed out."))
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


RESET_SESSION = "password_reset"
CONTACT_SESSION = "contact_change"


def _contact_change(request: HttpRequest, *, kind: str) -> HttpResponse:
    """Change the email or mobile number: enter it, then prove it with a code sent to it."""
    form_class, method = (NewEmailForm, Method.EMAIL) if kind == "email" else (NewPhoneForm, Method.SMS)
    purpose = f"verify_{kind}"
    state = request.session.get(CONTACT_SESSION)
    if state is not None and state.get("kind") != kind:
        state = None
    if request.method == "POST" and request.POST.get("do") == "restart":
        request.session.pop(CONTACT_SESSION, None)
        return redirect(request.path)
    if state is None:
        form = form_class(request.user, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            if not limit_hit("new_destination_codes_per_account", str(request.user.pk)).allowed:
                form.add_error("value", _("You've asked for several codes recently. Please try again in an hour."))
            else:
                value = form.cleaned_data["value"]
                sending = challenge_issue(
                    user=request.user, purpose=purpose, method=method, destination=value, request=request
                )
                if sending.sent:
                    request.session[CONTACT_SESSION] = {
                        "kind": kind,
                        "value": value,
                        "challenge_id": sending.challenge.pk,
                    }
                    return redirect(request.path)
                form.add_error("value", sending.message)
        return render(request, "accounts/contact_change.html", {"kind": kind, "form": form})
    challenge = Challenge.objects.filter(pk=state["challenge_id"], user=request.user).first()
    form = CodeForm(request.POST if request.POST.get("do") == "verify" else None)
    if request.method == "POST" and request.POST.get("do") in {"resend", "call"} and challenge:
        sending = challenge_resend(
            challenge=challenge, request=request, method=Method.VOICE if request.POST["do"] == "call" else None
        )
        (messages.success if sending.sent else messages.error)(
            request, _("We've sent a new code.") if sending.sent else sending.message
        )
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        verdict = challenge_verify(
            challenge_id=state["challenge_id"],
            user=request.user,
            purpose=purpose,
            code=form.cleaned_data["code"],
            request=request,
        )
        if verdict.passed:
            request.session.pop(CONTACT_SESSION, None)
            change = email_change if kind == "email" else phone_change
            change(user=request.user, **{f"new_{kind}": state["value"]}, request=request)
            messages.success(
                request, _("Your email address is changed.") if kind == "email" else _("Your mobile number is changed.")
            )
            return redirect("accounts:security")
        form.add_error("code", verdict.message)
    masked = mask_email(state["value"]) if kind == "email" else mask_phone(state["value"])
    return render(
        request,
        "accounts/contact_change.html",
        {
            "kind": kind,
            "code_form": form,
            "masked": masked,
            "challenge": challenge,
            "resend_wait": challenge.resend_wait() if challenge else 0,
        },
    )


@login_required
@step_up_required(StepUpAction.CHANGE_EMAIL)
@never_cache
@require_http_methods(["GET", "POST"])
def email_change_view(request: HttpRequest) -> HttpResponse:
    return _contact_change(request, kind="email")


@login_required
@step_up_required(StepUpAction.CHANGE_PHONE)
@never_cache
@require_http_methods(["GET", "POST"])
def phone_change_view(request: HttpRequest) -> HttpResponse:
    return _contact_change(request, kind="phone")


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgot the password: the same answers whether or not the email has an account, a code to the email, a
    second factor for 2SV accounts, then a new password. Nobody is signed in at the end."""
    state = request.session.get(RESET_SESSION)
    if state and (
        time.time() - state["started"] > settings.SECURITY_SIGNIN_PENDING_SECONDS or "restart" in request.GET
    ):
        request.session.pop(RESET_SESSION, None)
        state = None
    if state is None:
        form = PasswordResetEmailForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            try:
                reset = password_reset_request(email=email, request=request)
            except ResetRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                request.session[RESET_SESSION] = {
                    "reset_id": reset.pk,
                    "email": mask_email(email),
                    "stage": "code",
                    "started": time.time(),
                }
                return redirect("accounts:password_reset")
        return render(request, "accounts/password_reset.html", {"stage": "email", "form": form})

    if state["stage"] == "code":
        form = CodeForm(request.POST if request.method == "POST" else None)
        ended = False
        if request.method == "POST" and form.is_valid():
            check = password_reset_code_check(
                reset_id=state["reset_id"], code=form.cleaned_data["code"], request=request
            )
            if check.passed:
                user = PasswordResetRequest.objects.select_related("user").get(pk=state["reset_id"]).user
                state["stage"] = "second" if two_step_summary(user).enabled else "password"
                request.session[RESET_SESSION] = state
                return redirect("accounts:password_reset")
            form.add_error("code", check.message)
            ended = check.ended
        context = {"stage": "code", "form": form, "email": state["email"], "ended": ended}
        return render(request, "accounts/password_reset.html", context)
    user = PasswordResetRequest.objects.select_related("user").get(pk=state["reset_id"]).user
    if state["stage"] == "second":
        step = code_step_run(
            request=request,
            user=user,
            purpose=Purpose.PASSWORD_RESET_2SV,
            state=state.setdefault("code", {}),
            send_on_arrival=True,
        )
        request.session[RESET_SESSION] = state
        if step.redirect_to_self:
            return redirect(request.get_full_path())
        if step.passed:
            state["stage"] = "password"
            request.session[RESET_SESSION] = state
            return redirect("accounts:password_reset")
        return render(request, "accounts/password_reset.html", {"stage": "second", **step.context})
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password_set(user=user, new_password=form.cleaned_data["new_password1"], request=request, reason="reset")
        request.session.pop(RESET_SESSION, None)
        messages.success(request, _("Your password is changed and every session is signed out. Sign in with it now."))
        return redirect("accounts:signin")
    return render(request, "accounts/password_reset.html", {"stage": "password", "password_form": form})


@login_required
@never_cache
def activity(request: HttpRequest) -> HttpResponse:
    """Everything that happened to the account, newest first, a page at a time."""
    page = Paginator(SecurityEvent.objects.filter(user=request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/activity.html",
        {
            "page": page,
            "intruder_kinds": COULD_BE_AN_INTRUDER,
            "not_me_token": not_me_token(request.user),
        },
    )


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@never_cache
def addresses(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/addresses.html", {"addresses": request.user.addresses.all()})


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@never_cache
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: int | None = None) -> HttpResponse:
    address = get_object_or_404(Address, pk=address_id, user=request.user) if address_id else None
    form = AddressForm(request.POST if request.method == "POST" else None, instance=address)
    if request.method == "POST" and form.is_valid():
        address_save(user=request.user, form=form, request=request)
        messages.success(request, _("Address saved."))
        return redirect(safe_next_path(request, default=reverse("accounts:addresses")))
    return render(
        request, "accounts/address_form.html", {"form": form, "address": address, "next": safe_next_path(request, "")}
    )


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@require_POST
def address_delete_view(request: HttpRequest, address_id: int) -> HttpResponse:
    address_delete(address=get_object_or_404(Address, pk=address_id, user=request.user), request=request)
    messages.success(request, _("Address removed."))
    return redirect("accounts:addresses")


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@require_POST
def address_default(request: HttpRequest, address_id: int) -> HttpResponse:
    address_make_default(address=get_object_or_404(Address, pk=address_id, user=request.user), request=request)
    return redirect("accounts:addresses")


@login_required
@step_up_required(StepUpAction.PAYMENT_CARDS)
@never_cache
def cards(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/cards.html", {"cards": request.user.payment_cards.all()})


@sensitive_post_parameters("number")
@login_required
@step_up_required(StepUpAction.PAYMENT_CARDS)
@never_cache
@require_http_methods(["GET", "POST"])
def card_new(request: HttpRequest) -> HttpResponse:
    form = CardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        card = card_add(user=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("%(card)s added. No payment is taken in this demonstration shop.") % {"card": card})
        return redirect(safe_next_path(request, default=reverse("accounts:cards")))
    return render(request, "accounts/card_form.html", {"form": form, "next": safe_next_path(request, "")})


@login_required
@step_up_required(StepUpAction.PAYMENT_CARDS)
@require_POST
def card_delete(request: HttpRequest, card_id: int) -> HttpResponse:
    card_remove(card=get_object_or_404(PaymentCard, pk=card_id, user=request.user), request=request)
    messages.success(request, _("Card removed."))
    return redirect("accounts:cards")


@login_required
@step_up_required(StepUpAction.SIGNOUT_EVERYWHERE)
@require_POST
def signout_everywhere(request: HttpRequest) -> HttpResponse:
    sessions_end_everywhere_else(request=request, user=request.user)
    messages.success(request, _("You've been signed out everywhere else, and your trusted devices were removed."))
    return redirect("accounts:security")


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "account": request.user,
            "two_step": two_step_summary(request.user),
            "events": recent_events(request.user, limit=30),
            "trusted_devices": trusted_devices_for(request.user),
            "recovery": recovery_open(request.user),
        },
    )
