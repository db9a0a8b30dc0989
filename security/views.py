import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from config.crypto import decrypt_text, encrypt_text
from config.ratelimit import limit_hit
from security.code_step import code_step_run, new_destination_option, new_destination_start
from security.codes import normalize_numeric, totp_key, totp_match, totp_secret
from security.display import method_label, provisioning_uri, qr_svg, secret_groups
from security.events import event_record
from security.flows import flow_end, flow_get, flow_save, flow_start
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
from security.models import AuthenticatorDevice, PhoneDevice, SecurityEvent
from security.phone_input import phone_region_guess, phone_region_remember
from security.phones import contact_phone_adopt, phone_story
from security.redirects import safe_next_path
from security.step_up import PENDING_ACTION, grant_give, pending_action_get, step_up_required
from security.vocabulary import Purpose, StepUpAction

SETUP_FLOW = "two_step_setup"
AUTHENTICATOR_FLOW = "authenticator"
PHONE_FLOW = "phone_enrol"
CODES_FLOW = "backup_codes"
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
    flow = action.purpose  # one flow per action: "step_up:<action>"
    state = flow_get(request, flow) or flow_start(request, flow, step="code", code={})
    step = code_step_run(request=request, user=request.user, purpose=action.purpose, state=state["code"])
    flow_save(request, flow, state)
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed:
        flow_end(request, flow)
        grant_give(request, action)
        event_record(user=request.user, kind=SecurityEvent.Kind.STEP_UP, request=request, action=action)
        return redirect(next_path)
    passkey_verify_url = reverse("security:step_up_passkey") + "?" + urlencode({"action": action, "next": next_path})
    context = {"action": action, "next": next_path, "passkey_verify_url": passkey_verify_url, **step.context}
    context["offer_passkey"] = step.passkeys > 0
    return render(request, "security/step_up.html", context)


@login_required
@never_cache
def step_up_continue(request: HttpRequest) -> HttpResponse:
    """After the code: the button the person pressed before it, to confirm and send again."""
    pending = pending_action_get(request)
    if pending is None:
        return redirect(SECURITY_PAGE)
    flow_end(request, PENDING_ACTION)
    return render(request, "security/step_up_continue.html", {"pending": pending})


# ------------------------------------------------------------------------------------------------ enrolment


def _setup(request) -> dict:
    return flow_get(request, SETUP_FLOW) or _setup_start(request)


def _setup_start(request) -> dict:
    return flow_start(request, SETUP_FLOW, step="methods", lifetime=settings.SECURITY_SETUP_PENDING_SECONDS, devices=[])


def _role(request) -> str:
    return "backup" if request.GET.get("role") == "backup" else "primary"


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@never_cache
def two_step_start(request: HttpRequest) -> HttpResponse:
    """Turning 2SV on: choose the primary method (the authenticator app is recommended)."""
    if two_step_summary(request.user).enabled:
        return redirect(SECURITY_PAGE)
    pending_devices_clear(user=request.user)
    _setup_start(request)
    return render(request, "security/two_step_start.html")


def _enrolled(request, device, role: str) -> HttpResponse:
    """After a method is proved: during setup, on to the next step; with 2SV on, it is added at once."""
    if role == "primary":
        setup = _setup(request)
        setup["devices"] = [device.persistent_id]
        flow_save(request, SETUP_FLOW, setup)
        return redirect("security:backup_method")
    if _adding_in_setup(request):
        setup = _setup(request)
        setup["devices"].append(device.persistent_id)
        flow_save(request, SETUP_FLOW, setup)
        return redirect("security:backup_codes")
    messages.success(request, _("Your backup method is ready."))
    return redirect(SECURITY_PAGE)


def _adding_in_setup(request) -> bool:
    return flow_get(request, SETUP_FLOW) is not None


@login_required
@step_up_required(StepUpAction.TWO_STEP)
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
    pending = flow_get(request, AUTHENTICATOR_FLOW) or flow_start(
        request,
        AUTHENTICATOR_FLOW,
        step="prove",
        lifetime=settings.SECURITY_SETUP_PENDING_SECONDS,
        secret=encrypt_text(totp_secret()),
    )
    secret = decrypt_text(pending["secret"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = totp_match(key=totp_key(secret), token=normalize_numeric(form.cleaned_data["code"]), at=time.time())
        if step is None:
            form.add_error(
                "code", _("That code doesn't match. Check the time on your phone is right, and use the newest code.")
            )
        else:
            flow_end(request, AUTHENTICATOR_FLOW)
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


def _phone_form(request, data) -> PhoneForm:
    """The number, offered as the account's mobile number when it isn't a 2SV phone yet (one phone story)."""
    story = phone_story(request.user)
    initial = {"channel": request.GET.get("channel", "sms")}
    if story.contact and not story.contact_is_two_step:
        initial["number"] = story.contact
    region = phone_region_guess(request, numbers=(story.contact, *story.two_step))
    return PhoneForm(data, initial=initial, region=region, contact_phone=story.contact)


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@never_cache
@require_http_methods(["GET", "POST"])
def phone_enrol(request: HttpRequest) -> HttpResponse:
    """A phone for 2SV: the number and how codes go to it, then its code (the shared code step)."""
    role = _role(request)
    if not _adding_in_setup(request) and not two_step_summary(request.user).enabled:
        return redirect("security:two_step_start")
    pending = flow_get(request, PHONE_FLOW)
    if request.method == "POST" and request.POST.get("do") == "change":
        flow_end(request, PHONE_FLOW)
        return redirect(request.get_full_path())
    entering = request.method == "POST" and "number" in request.POST
    phone_form = _phone_form(request, request.POST if entering else None)
    if entering and phone_form.is_valid():
        number, channel = phone_form.cleaned_data["number"], phone_form.cleaned_data["channel"]
        if PhoneDevice.objects.filter(user=request.user, number=number, confirmed=True).exists():
            phone_form.add_error("number", _("This number is already one of your methods."))
        elif not limit_hit("new_destination_codes_per_account", str(request.user.pk)).allowed:
            phone_form.add_error("number", _("You've asked for several codes recently. Please try again in an hour."))
        else:
            code_state, sending = new_destination_start(
                request=request, user=request.user, purpose=Purpose.VERIFY_PHONE, method=channel, destination=number
            )
            if sending.sent:
                phone_region_remember(request, number)
                also_contact = phone_form.cleaned_data["also_contact"] and phone_form.offers_also_contact
                flow_start(
                    request,
                    PHONE_FLOW,
                    step="code",
                    number=number,
                    channel=channel,
                    role=role,
                    code=code_state,
                    also_contact=also_contact,
                )
                return redirect(request.get_full_path())
            phone_form.add_error("number", sending.message)
    if pending is None or entering:
        return render(request, "security/phone.html", {"role": role, "phone_form": phone_form})
    option = new_destination_option(method=pending["channel"], destination=pending["number"])
    step = code_step_run(
        request=request, user=request.user, purpose=Purpose.VERIFY_PHONE, state=pending["code"], options=[option]
    )
    flow_save(request, PHONE_FLOW, pending)
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed:
        flow_end(request, PHONE_FLOW)
        device = phone_add(
            user=request.user,
            number=pending["number"],
            channel=pending["channel"],  # what the person chose: "Call me instead" was for that code only
            primary=pending["role"] == "primary",
            confirmed=not _adding_in_setup(request),
            request=request,
        )
        if pending.get("also_contact"):
            contact_phone_adopt(user=request.user, number=pending["number"], request=request)
        return _enrolled(request, device, pending["role"])
    return render(request, "security/phone.html", {"role": role, "pending": pending, **step.context})


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@never_cache
def backup_method(request: HttpRequest) -> HttpResponse:
    """Second step of setup: a backup method of another kind, or another phone."""
    if not _adding_in_setup(request) and not two_step_summary(request.user).enabled:
        return redirect("security:two_step_start")
    has_authenticator = AuthenticatorDevice.objects.filter(user=request.user).exists()
    return render(request, "security/backup_method.html", {"offer_authenticator": not has_authenticator})


def _codes_show(request, codes: list[str]) -> dict:
    """New backup codes, kept (encrypted) in the session only until one page shows them."""
    return flow_start(
        request,
        CODES_FLOW,
        step="show",
        lifetime=settings.SECURITY_SETUP_PENDING_SECONDS,
        codes=encrypt_text(" ".join(codes)),
    )


def _codes_take_for_page(request, shown: dict) -> list[str]:
    """The codes, for this one page view: after it the session keeps them only for the page's one download,
    for SECURITY_BACKUP_CODES_DOWNLOAD_SECONDS."""
    if shown["step"] != "show":
        return []
    codes = decrypt_text(shown["codes"]).split()
    shown.update(step="shown", download_until=time.time() + settings.SECURITY_BACKUP_CODES_DOWNLOAD_SECONDS)
    flow_save(request, CODES_FLOW, shown)
    return codes


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@never_cache
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Show backup codes on one page view only; during setup, the last step turns 2SV on."""
    in_setup = _adding_in_setup(request)
    shown = flow_get(request, CODES_FLOW)
    if not in_setup and shown is None:
        return redirect(SECURITY_PAGE)
    if in_setup and len(_setup(request)["devices"]) < 2:
        return redirect("security:backup_method")
    if in_setup and shown is None:
        shown = _codes_show(request, backup_codes_create(user=request.user, confirmed=False, request=request))
    if request.method == "POST" and in_setup:
        two_step_enable(user=request.user, device_ids=_setup(request)["devices"], request=request)
        flow_end(request, SETUP_FLOW)
        flow_end(request, CODES_FLOW)
        messages.success(
            request, _("Two-step verification is on. We'll ask for a code when you sign in on a new browser.")
        )
        return redirect(SECURITY_PAGE)
    codes = _codes_take_for_page(request, shown)
    return render(request, "security/backup_codes.html", {"codes": codes, "in_setup": in_setup})


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@never_cache
def backup_codes_download(request: HttpRequest) -> HttpResponse:
    """The codes the page just showed, as a file: once, within a minute of the page."""
    shown = flow_get(request, CODES_FLOW)
    if not shown or shown["step"] != "shown" or not shown.get("codes") or time.time() > shown["download_until"]:
        raise Http404
    codes = decrypt_text(shown.pop("codes")).split()
    flow_save(request, CODES_FLOW, shown)
    text = _("%(shop)s backup codes for %(email)s. Each works once.") % {
        "shop": settings.SHOP_NAME,
        "email": request.user.email,
    }
    body = text + "\n\n" + "\n".join(f"{c[:4]} {c[4:]}" for c in codes) + "\n"
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="backup-codes.txt"'
    return response


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@require_POST
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    """A new set (the old stops working), shown once. During setup the new set waits, unconfirmed, like the old."""
    in_setup = _adding_in_setup(request)
    if not in_setup and not two_step_summary(request.user).enabled:
        return redirect(SECURITY_PAGE)
    codes = backup_codes_create(user=request.user, confirmed=not in_setup, request=request)
    _codes_show(request, codes)
    messages.success(request, _("Here are your new backup codes. The old ones no longer work."))
    return redirect("security:backup_codes")


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@require_POST
def backup_codes_done(request: HttpRequest) -> HttpResponse:
    flow_end(request, CODES_FLOW)
    return redirect(SECURITY_PAGE)


# ---------------------------------------------------------------------------------------------- management


@login_required
@step_up_required(StepUpAction.TWO_STEP)
@require_POST
def method_make_primary(request: HttpRequest, persistent_id: str) -> HttpResponse:
    device = user_device(request.user, persistent_id)
    if device is None or not hasattr(device, "is_primary"):
        raise Http404
    primary_set(user=request.user, device=device, request=request)
    messages.success(request, _("Your primary method is changed."))
    return redirect(SECURITY_PAGE)


@login_required
@step_up_required(StepUpAction.TWO_STEP)
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
@step_up_required(StepUpAction.TWO_STEP)
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
