"""Signing up and in: the password step, the code step after it, signing out, and recovery's first step."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import (
    PasswordResetEmailForm,
    SignInForm,
    SignUpForm,
)
from accounts.language import request_language
from accounts.models import User, normalize_email
from accounts.registration import EmailTaken, user_sign_up
from accounts.signin import (
    SigninStep,
    code_step_needed,
    pending_end,
    pending_get,
    pending_save,
    pending_start,
    pending_user,
    signin_complete,
    signup_email_proved,
)
from security.alerts import signin_codes_failed
from security.challenges import CodeOutcome
from security.code_step import code_step_run
from security.display import mask_email
from security.events import client_ip, event_record
from security.flows import flow_end, flow_get, flow_start
from security.forms import CodeForm
from security.methods import two_step_summary
from security.models import PasswordResetRequest, SecurityEvent
from security.password_reset import ResetRefused, password_reset_code_check, password_reset_request
from security.recovery import (
    recovery_complete,
    recovery_request,
)
from security.redirects import safe_next_path
from security.step_up import grant_give
from security.throttles import password_attempt, password_succeeded
from security.trusted_devices import trusted_device_check
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
                preferred_language=request_language(request),
            )
        except EmailTaken:
            form.add_error(
                "email",
                _("An account already uses this email address. Sign in instead, or use another address."),
            )
        else:
            # Nothing is signed in, and nothing else goes to the address, until a code proves it is theirs.
            pending_start(request=request, user=user, reason=SigninStep.SIGNUP, next_path=next_path)
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
            pending_end(request)
            if reason := code_step_needed(request=request, user=user):
                pending_start(request=request, user=user, reason=reason, next_path=next_path)
                return redirect("accounts:signin_code")
            response = redirect(next_path)
            signin_complete(request=request, response=response, user=user)
            return response
        elif form.errors.get("__all__") and (failed := User.objects.filter(email=email).first()):
            event_record(user=failed, kind=SecurityEvent.Kind.PASSWORD_FAILED, request=request)
    passkey_verify_url = reverse("accounts:signin_passkey") + "?" + urlencode({"next": next_path})
    context = {"form": form, "next": next_path, "wait_message": wait_message, "passkey_verify_url": passkey_verify_url}
    return render(request, "accounts/signin.html", context)


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
    purpose = {
        SigninStep.SECOND_FACTOR: Purpose.SIGNIN,
        SigninStep.RECOVERY: Purpose.RECOVERY_COMPLETE,
        SigninStep.SIGNUP: Purpose.SIGNUP,
    }.get(reason, Purpose.NEW_DEVICE)
    options = [email_option(user)] if reason in {SigninStep.RECOVERY, SigninStep.SIGNUP} else None
    state = pending.setdefault("code", {})
    step = code_step_run(
        request=request, user=user, purpose=purpose, state=state, options=options, send_on_arrival=True
    )
    pending_save(request, pending)
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed and reason == SigninStep.RECOVERY:
        if not recovery_complete(user=user, request=request):
            messages.error(request, _("This recovery was cancelled or has already been used. Please sign in again."))
            pending_end(request)
            return redirect("accounts:signin")
        response = redirect("security:two_step_start")
        signin_complete(request=request, response=response, user=user)
        grant_give(request, StepUpAction.TWO_STEP)  # they just proved password and email: set 2SV up again now
        messages.success(
            request, _("Your account is recovered and two-step verification is off. Turn it on again now.")
        )
        return response
    if step.passed and reason == SigninStep.SIGNUP:
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
    if step.outcome == CodeOutcome.TOO_MANY and reason != SigninStep.SIGNUP:
        signin_codes_failed(user=user, request=request)
    context = {
        "reason": reason,
        "two_step": reason == SigninStep.SECOND_FACTOR,
        "offer_recovery": reason == SigninStep.SECOND_FACTOR and pending.get("by_password", True),
        "recovery": reason == SigninStep.RECOVERY,
        "signup": reason == SigninStep.SIGNUP,
        "offer_trust": reason in {SigninStep.SECOND_FACTOR, SigninStep.NEW_DEVICE},
        "offer_passkey": reason in {SigninStep.SECOND_FACTOR, SigninStep.NEW_DEVICE} and step.passkeys > 0,
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


@never_cache
@require_http_methods(["GET", "POST"])
def signin_recover(request: HttpRequest) -> HttpResponse:
    """ "I can't use any of these methods": the password is proved (the pending sign-in); now the email."""
    pending = pending_get(request)
    user = pending_user(pending) if pending else None
    if user is None or pending["reason"] != SigninStep.SECOND_FACTOR or not pending.get("by_password", True):
        return redirect("accounts:signin")  # recovery needs the password proved, not an emailed code
    state = pending.setdefault("recover", {})
    step = code_step_run(
        request=request, user=user, purpose=Purpose.RECOVERY, state=state, options=[email_option(user)]
    )
    pending_save(request, pending)
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed:
        recovery = recovery_request(user=user, request=request)
        pending_end(request)
        return render(request, "accounts/recovery_requested.html", {"recovery": recovery})
    return render(request, "accounts/signin_recover.html", step.context)


CODE_SIGNIN_FLOW = "signin_by_code"


@never_cache
@require_http_methods(["GET", "POST"])
def signin_by_code(request: HttpRequest) -> HttpResponse:
    """ "Email me a sign-in code" / "Text me a code" instead of the password. The same answers whether or not the
    email has an account (it runs on the password reset's requests); without 2SV the code alone signs in, with 2SV
    the second factor is still asked, on the usual code step."""
    next_path = safe_next_path(request)
    if request.user.is_authenticated:
        return redirect(next_path)
    state = flow_get(request, CODE_SIGNIN_FLOW)
    if state is not None and "restart" in request.GET:
        flow_end(request, CODE_SIGNIN_FLOW)
        state = None
    if state is None:
        form = PasswordResetEmailForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            by_text = request.POST.get("by") == "text"
            try:
                code_request = password_reset_request(
                    email=form.cleaned_data["email"], request=request, purpose=Purpose.SIGNIN_CODE, by_text=by_text
                )
            except ResetRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                flow_start(
                    request,
                    CODE_SIGNIN_FLOW,
                    step="code",
                    request_id=code_request.pk,
                    email=mask_email(form.cleaned_data["email"]),
                    by_text=by_text,
                    next=next_path,
                )
                return redirect("accounts:signin_by_code")
        return render(request, "accounts/signin_by_code.html", {"stage": "email", "form": form, "next": next_path})
    form = CodeForm(request.POST if request.method == "POST" else None)
    ended = False
    if request.method == "POST" and form.is_valid():
        check = password_reset_code_check(reset_id=state["request_id"], code=form.cleaned_data["code"], request=request)
        if check.passed:
            flow_end(request, CODE_SIGNIN_FLOW)
            user = PasswordResetRequest.objects.select_related("user").get(pk=state["request_id"]).user
            if two_step_summary(user).enabled and not trusted_device_check(request=request, user=user):
                pending_start(
                    request=request,
                    user=user,
                    reason=SigninStep.SECOND_FACTOR,
                    next_path=state["next"],
                    by_password=False,
                )
                return redirect("accounts:signin_code")  # the code replaced the password, not the second factor
            response = redirect(state["next"])
            signin_complete(request=request, response=response, user=user)
            return response
        form.add_error("code", check.message)
        ended = check.ended
    context = {"stage": "code", "form": form, "email": state["email"], "by_text": state["by_text"], "ended": ended}
    return render(request, "accounts/signin_by_code.html", context)
