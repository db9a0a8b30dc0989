import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.redirects import safe_next_path
from config.crypto import decrypt_text, encrypt_text
from config.ratelimit import limit_hit
from security.challenges import Outcome, challenge_issue, challenge_resend, challenge_verify
from security.code_step import code_step_run
from security.codes import normalize_numeric, totp_key, totp_match, totp_secret
from security.display import mask_phone, provisioning_uri, qr_svg, secret_groups
from security.events import event_record
from security.forms import CodeForm, PhoneForm, RemoveMethodForm
from security.methods import (
    authenticator_add,
    backup_codes_create,
    method_remove,
    pending_devices_clear,
    phone_add,
    primary_set,
    two_step_disable,
    two_step_enable,
    two_step_summary,
    user_device,
)
from security.models import AuthenticatorDevice, Challenge, Method, PhoneDevice, SecurityEvent
from security.step_up import grant_give, step_up_required
from security.vocabulary import Purpose, StepUpAction

STEP_UP_SESSION = "step_up_pending"
SETUP_SESSION = "two_step_setup"
TWO_STEP = StepUpAction.TWO_STEP
SECURITY_PAGE = "accounts:security"


# ------------------------------------------------------------------------------------------------ step-up


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    """Prove it's you: a code by the chosen method, then back to where the person was."""
    try:
        action = StepUpAction(request.GET.get("action", ""))
    except ValueError:
        raise Http404 from None
    next_path = safe_next_path(request, default=reverse(SECURITY_PAGE))
    # One flow per action in this session: its live code is reused by every view of the page, and a code is
    # sent only when the person presses "Send code".
    pending = request.session.get(STEP_UP_SESSION, {})
    state = pending.setdefault(action.value, {})
    step = code_step_run(request=request, user=request.user, purpose=action.purpose, state=state)
    request.session[STEP_UP_SESSION] = pending
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed:
        pending.pop(action.value, None)
        request.session[STEP_UP_SESSION] = pending
        grant_give(request, action)
        event_record(user=request.user, kind=SecurityEvent.Kind.STEP_UP, request=request, action=action)
        return redirect(next_path)
    return render(request, "security/step_up.html", {"action": action, "next": next_path, **step.context})


# ------------------------------------------------------------------------------------------------ enrolment


def _setup(request) -> dict:
    return request.session.get(SETUP_SESSION, {"devices": []})


def _role(request) -> str:
    return "backup" if request.GET.get("role") == "backup" else "primary"


@login_required
@step_up_required(TWO_STEP)
@never_cache
def two_step_start(request: HttpRequest) -> HttpResponse:
    """Turning 2SV on: choose the primary method (the authenticator app is recommended)."""
    if two_step_summary(request.user).enabled:
        return redirect(SECURITY_PAGE)
    pending_devices_clear(user=request.user)
    request.session[SETUP_SESSION] = {"devices": []}
    return render(request, "security/two_step_start.html")


def _enrolled(request, device, role: str) -> HttpResponse:
    """After a method is proved: during setup, on to the next step; with 2SV on, it is added at once."""
    if role == "primary":
        setup = _setup(request)
        setup["devices"] = [device.persistent_id]
        request.session[SETUP_SESSION] = setup
        return redirect("security:backup_method")
    if request.session.get(SETUP_SESSION):
        setup = _setup(request)
        setup["devices"].append(device.persistent_id)
        request.session[SETUP_SESSION] = setup
        return redirect("security:backup_codes")
    messages.success(request, _("Your backup method is ready."))
    return redirect(SECURITY_PAGE)


def _adding_in_setup(request) -> bool:
    return bool(request.session.get(SETUP_SESSION))


@login_required
@step_up_required(TWO_STEP)
@never_cache
@require_http_methods(["GET", "POST"])
def authenticator_enrol(request: HttpRequest) -> HttpResponse:
    role = _role(request)
    if not _adding_in_setup(request) and not two_step_summary(request.user).enabled:
        return redirect("security:two_step_start")
    if AuthenticatorDevice.objects.filter(user=request.user, confirmed=True).exists():
        messages.info(request, _("You already have an authenticator app."))
        return redirect(SECURITY_PAGE)
    # The secret lives only in this session (encrypted) until a code from the app proves it.
    if "authenticator_secret" not in request.session:
        request.session["authenticator_secret"] = encrypt_text(totp_secret())
    secret = decrypt_text(request.session["authenticator_secret"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = totp_match(key=totp_key(secret), token=normalize_numeric(form.cleaned_data["code"]), at=time.time())
        if step is None:
            form.add_error(
                "code", _("That code doesn't match. Check the time on your phone is right, and use the newest code.")
            )
        else:
            del request.session["authenticator_secret"]
            in_setup = _adding_in_setup(request)
            device = authenticator_add(
                user=request.user, secret=secret, primary=role == "primary", confirmed=not in_setup, request=request
            )
            AuthenticatorDevice.objects.filter(pk=device.pk).update(last_step=step)  # this code is spent
            return _enrolled(request, device, role)
    uri = provisioning_uri(secret=secret, account=request.user.email)
    return render(
        request,
        "security/authenticator.html",
        {
            "form": form,
            "qr": qr_svg(uri),
            "secret": secret_groups(secret),
            "role": role,
        },
    )


@login_required
@step_up_required(TWO_STEP)
@never_cache
@require_http_methods(["GET", "POST"])
def phone_enrol(request: HttpRequest) -> HttpResponse:
    role = _role(request)
    if not _adding_in_setup(request) and not two_step_summary(request.user).enabled:
        return redirect("security:two_step_start")
    pending = request.session.get("phone_enrol")
    channel = request.GET.get("channel", "sms")
    phone_form = PhoneForm(request.POST if request.POST.get("do") == "send" else None, initial={"channel": channel})
    code_form = CodeForm(request.POST if request.POST.get("do") == "verify" else None)
    if request.method == "POST" and request.POST.get("do") == "send" and phone_form.is_valid():
        number = phone_form.cleaned_data["number"]
        if PhoneDevice.objects.filter(user=request.user, number=number, confirmed=True).exists():
            phone_form.add_error("number", _("This number is already one of your methods."))
        elif not limit_hit("new_destination_codes_per_account", str(request.user.pk)).allowed:
            phone_form.add_error("number", _("You've asked for several codes recently. Please try again in an hour."))
        else:
            sending = challenge_issue(
                user=request.user,
                purpose=Purpose.VERIFY_PHONE,
                method=phone_form.cleaned_data["channel"],
                destination=number,
                request=request,
            )
            if sending.sent:
                request.session["phone_enrol"] = {
                    "challenge_id": sending.challenge.pk,
                    "number": number,
                    "channel": phone_form.cleaned_data["channel"],
                    "role": role,
                }
                return redirect(request.get_full_path())
            phone_form.add_error("number", sending.message)
    elif pending and request.method == "POST" and request.POST.get("do") in {"resend", "call"}:
        challenge = Challenge.objects.filter(pk=pending["challenge_id"], user=request.user).first()
        if challenge:
            sending = challenge_resend(
                challenge=challenge, request=request, method=Method.VOICE if request.POST["do"] == "call" else None
            )
            messages.success(request, _("We've sent a new code.")) if sending.sent else messages.error(
                request, sending.message
            )
        return redirect(request.get_full_path())
    elif pending and request.method == "POST" and request.POST.get("do") == "change":
        del request.session["phone_enrol"]
        return redirect(request.get_full_path())
    elif pending and request.method == "POST" and code_form.is_valid():
        verdict = challenge_verify(
            challenge_id=pending["challenge_id"],
            user=request.user,
            purpose=Purpose.VERIFY_PHONE,
            code=code_form.cleaned_data["code"],
            request=request,
        )
        if verdict.passed:
            del request.session["phone_enrol"]
            challenge = Challenge.objects.get(pk=pending["challenge_id"])
            device = phone_add(
                user=request.user,
                number=pending["number"],
                channel=challenge.method,
                primary=pending["role"] == "primary",
                confirmed=not _adding_in_setup(request),
                request=request,
            )
            return _enrolled(request, device, pending["role"])
        code_form.add_error("code", verdict.message)
        if verdict.outcome in {Outcome.TOO_MANY, Outcome.EXPIRED, Outcome.ENDED}:
            del request.session["phone_enrol"]
    challenge = Challenge.objects.filter(pk=pending["challenge_id"]).first() if pending else None
    return render(
        request,
        "security/phone.html",
        {
            "role": role,
            "pending": pending,
            "phone_form": phone_form,
            "code_form": code_form,
            "masked": mask_phone(pending["number"]) if pending else "",
            "challenge": challenge,
            "resend_wait": challenge.resend_wait() if challenge else 0,
        },
    )


@login_required
@step_up_required(TWO_STEP)
@never_cache
def backup_method(request: HttpRequest) -> HttpResponse:
    """Second step of setup: a backup method of another kind, or another phone."""
    if not _adding_in_setup(request) and not two_step_summary(request.user).enabled:
        return redirect("security:two_step_start")
    has_authenticator = AuthenticatorDevice.objects.filter(user=request.user).exists()
    return render(request, "security/backup_method.html", {"offer_authenticator": not has_authenticator})


@login_required
@step_up_required(TWO_STEP)
@never_cache
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Show backup codes once; during setup, the last step turns 2SV on."""
    in_setup = _adding_in_setup(request)
    if not in_setup and "backup_codes_shown" not in request.session:
        return redirect(SECURITY_PAGE)
    if in_setup and len(_setup(request)["devices"]) < 2:
        return redirect("security:backup_method")
    if in_setup and "backup_codes_shown" not in request.session:
        request.session["backup_codes_shown"] = encrypt_text(
            " ".join(backup_codes_create(user=request.user, confirmed=False, request=request))
        )
    if request.method == "POST" and in_setup:
        two_step_enable(user=request.user, device_ids=_setup(request)["devices"], request=request)
        for key in (SETUP_SESSION, "backup_codes_shown"):
            request.session.pop(key, None)
        messages.success(
            request, _("Two-step verification is on. We'll ask for a code when you sign in on a new browser.")
        )
        return redirect(SECURITY_PAGE)
    codes = decrypt_text(request.session["backup_codes_shown"]).split()
    return render(request, "security/backup_codes.html", {"codes": codes, "in_setup": in_setup})


@login_required
@step_up_required(TWO_STEP)
@never_cache
def backup_codes_download(request: HttpRequest) -> HttpResponse:
    if "backup_codes_shown" not in request.session:
        raise Http404
    codes = decrypt_text(request.session["backup_codes_shown"]).split()
    from django.conf import settings

    text = _("%(shop)s backup codes for %(email)s. Each works once.") % {
        "shop": settings.SHOP_NAME,
        "email": request.user.email,
    }
    body = text + "\n\n" + "\n".join(f"{c[:4]} {c[4:]}" for c in codes) + "\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="backup-codes.txt"'
    return response


@login_required
@step_up_required(TWO_STEP)
@require_POST
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    if not two_step_summary(request.user).enabled:
        return redirect(SECURITY_PAGE)
    codes = backup_codes_create(user=request.user, confirmed=True, request=request)
    request.session["backup_codes_shown"] = encrypt_text(" ".join(codes))
    messages.success(request, _("Here are your new backup codes. The old ones no longer work."))
    return redirect("security:backup_codes")


@login_required
@step_up_required(TWO_STEP)
@require_POST
def backup_codes_done(request: HttpRequest) -> HttpResponse:
    request.session.pop("backup_codes_shown", None)
    return redirect(SECURITY_PAGE)


# ---------------------------------------------------------------------------------------------- management


@login_required
@step_up_required(TWO_STEP)
@require_POST
def method_make_primary(request: HttpRequest, persistent_id: str) -> HttpResponse:
    device = user_device(request.user, persistent_id)
    if device is None or not hasattr(device, "is_primary"):
        raise Http404
    primary_set(user=request.user, device=device, request=request)
    messages.success(request, _("Your primary method is changed."))
    return redirect(SECURITY_PAGE)


@login_required
@step_up_required(TWO_STEP)
@never_cache
@require_http_methods(["GET", "POST"])
def method_remove_view(request: HttpRequest, persistent_id: str) -> HttpResponse:
    device = user_device(request.user, persistent_id)
    if device is None or getattr(device, "is_primary", True):
        raise Http404
    last_backup = len(two_step_summary(request.user).backups) == 1
    form = RemoveMethodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if last_backup and not form.cleaned_data["understood"]:
            form.add_error("understood", _("Tick this to confirm you'll have no backup method left."))
        else:
            method_remove(user=request.user, device=device, request=request)
            messages.success(request, _("The method is removed."))
            return redirect(SECURITY_PAGE)
    from security.display import method_label

    return render(
        request,
        "security/method_remove.html",
        {
            "device": device,
            "label": method_label(device),
            "last_backup": last_backup,
            "form": form,
        },
    )


@login_required
@step_up_required(TWO_STEP)
@never_cache
@require_http_methods(["GET", "POST"])
def two_step_off(request: HttpRequest) -> HttpResponse:
    if not two_step_summary(request.user).enabled:
        return redirect(SECURITY_PAGE)
    if request.method == "POST":
        two_step_disable(user=request.user, request=request)
        messages.success(request, _("Two-step verification is off. We've emailed you about this change."))
        return redirect(SECURITY_PAGE)
    return render(request, "security/two_step_off.html")
