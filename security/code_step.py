"""The "enter your code" step shared by every code flow: pick a method, send, resend, call, verify.

The view owns where the state lives (a session key) and what success means; this owns the rest.
"""

import secrets
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device

from security.challenges import CodeOutcome, CodeVerdict, challenge_resend, challenge_verify, device_code_matches
from security.codes import normalize_numeric
from security.display import mask_email, mask_phone
from security.forms import CodeForm
from security.methods import two_step_is_on, two_step_summary
from security.models import SIDE_CHANNELS, Challenge, Method
from security.verification import Option, challenge_start, verification_options

ENDING = {CodeOutcome.TOO_MANY, CodeOutcome.EXPIRED, CodeOutcome.ENDED}


@dataclass
class CodeStep:
    passed: bool = False
    device: Device | None = None
    outcome: CodeOutcome | None = None
    redirect_to_self: bool = False  # after a resend: show the page again with a GET
    passkeys: int = 0  # the person's confirmed passkeys, read with their methods (when the step chose them)
    context: dict = field(default_factory=dict)


def code_step_run(
    *,
    request: HttpRequest,
    user,
    purpose: str,
    state: dict,
    options: list[Option] | None = None,
    send_on_arrival: bool = False,
) -> CodeStep:
    """Run one request of the code step. `state` is the caller's session dict for it, updated in place.

    A code is sent only by a POST ("Send code", "Send again", "Call me instead"), or on the first arrival when
    `send_on_arrival` (sign-in, straight after the password). A page view reuses the flow's live challenge; a
    code that died is not replaced until the person asks. Each flow has its own challenges (`state["flow"]`).
    """
    step = CodeStep()
    new_flow = "flow" not in state
    state.setdefault("flow", secrets.token_hex(8))
    do = request.POST.get("do") if request.method == "POST" else None
    form = CodeForm(request.POST if do == "verify" else None)
    switching = "method" in request.GET and request.GET["method"] != state.get("key")
    if do == "verify" and state.get("challenge_id") and not switching and form.is_valid():
        # A code from another of the account's methods (the app's on the text-message page) is looked for first,
        # without counting anything, so a right code is never counted as a wrong one for this page's method.
        verdict = _another_method(
            request=request, user=user, purpose=purpose, state=state, code=form.cleaned_data["code"], options=options
        ) or challenge_verify(
            challenge_id=state["challenge_id"],
            user=user,
            purpose=purpose,
            code=form.cleaned_data["code"],
            request=request,
        )
        step.outcome = verdict.outcome
        if verdict.passed:
            step.passed, step.device = True, verdict.device
            return step
        form.add_error("code", verdict.message)
        if verdict.outcome in ENDING:
            state.pop("challenge_id", None)
    if not options:
        summary = two_step_summary(user)
        options, step.passkeys = verification_options(user, summary), summary.passkeys
    first_arrival = "key" not in state
    chosen_key = request.GET.get("method") or state.get("key") or options[0].key
    option = next((o for o in options if o.key == chosen_key), options[0])
    challenge = None
    if state.get("key") == option.key and state.get("challenge_id"):
        challenge = Challenge.objects.filter(
            pk=state["challenge_id"], user=user, purpose=purpose, state=Challenge.State.ACTIVE
        ).first()
    if challenge is not None and do == "send" and challenge.method in SIDE_CHANNELS and not challenge.code_hash:
        challenge = None  # its send was refused (a cap): asking again starts over, and the caps decide again
    if challenge is None:
        if state.get("key") != option.key:
            state.pop("challenge_id", None)
        state["key"] = option.key
        if option.method not in SIDE_CHANNELS or do == "send" or (send_on_arrival and first_arrival):
            sending = challenge_start(
                user=user, purpose=purpose, option=option, request=request, flow=state["flow"], new_flow=new_flow
            )
            challenge = sending.challenge
            state["challenge_id"] = challenge.pk
            if sending.message:
                messages.error(request, sending.message)
            if do == "send":
                step.redirect_to_self = True
                return step
    elif do in {"resend", "call", "text"}:
        # "Call me instead" / "Text me instead" change how this code goes, never the method the person chose.
        method = {"call": Method.VOICE, "text": Method.SMS}.get(do)
        sending = challenge_resend(challenge=challenge, request=request, method=method)
        if sending.sent:
            messages.success(request, _("We've sent a new code."))
        else:
            messages.error(request, sending.message)
        step.redirect_to_self = True
        return step
    elif do == "send":
        step.redirect_to_self = True  # a second tap on "Send code": the live code stands
        return step
    step.context = {
        "form": form,
        "option": option,
        "options": options,
        "challenge": challenge,
        # Only a code that went out may be spoken of as sent; a refused one leaves the page's error alone.
        "code_sent": challenge is not None and (challenge.method not in SIDE_CHANNELS or bool(challenge.code_hash)),
        "resend_wait": challenge.resend_wait() if challenge is not None else 0,
    }
    return step


def _another_method(*, request: HttpRequest, user, purpose: str, state: dict, code: str, options) -> CodeVerdict | None:
    """A code from another of the account's methods typed on this page (the app's code on the text-message page,
    a backup code anywhere): recognised without counting a try, then checked through its own challenge."""
    if state.get("key", "").lower().split("/")[0].endswith(("authenticatordevice", "backupcodedevice")):
        return None  # this page's own method is one of them: its challenge checks the code
    if not two_step_is_on(user):
        return None  # only 2SV accounts have other methods to look at
    typed = normalize_numeric(code)
    for other in options or verification_options(user):
        if other.key == state.get("key") or other.method not in {Method.AUTHENTICATOR, Method.BACKUP_CODE}:
            continue
        if not device_code_matches(user=user, persistent_id=other.key, typed=typed):
            continue
        sending = challenge_start(user=user, purpose=purpose, option=other, request=request, flow=state["flow"])
        verdict = challenge_verify(
            challenge_id=sending.challenge.pk, user=user, purpose=purpose, code=typed, request=request
        )
        if verdict.passed:
            what = _("your authenticator app") if other.method == Method.AUTHENTICATOR else _("your backup codes")
            messages.info(request, _("That was a code from %(what)s, and it's accepted.") % {"what": what})
            return verdict
    return None


NEW_DESTINATION = "new"


def new_destination_option(*, method: str, destination: str) -> Option:
    """A number or address being added (a contact change, a phone for 2SV), as the code step's only way."""
    masked = mask_email(destination) if method == Method.EMAIL else mask_phone(destination)
    return Option(NEW_DESTINATION, masked, method, masked, send_to=destination)


def new_destination_start(*, request: HttpRequest, user, purpose: str, method: str, destination: str):
    """The first code to a number or address being added, sent when the person submits it. Returns the state for
    `code_step_run` (which then verifies, resends and calls) and the Sending, whose refusal the form shows."""
    state = {"flow": secrets.token_hex(8), "key": NEW_DESTINATION}
    option = new_destination_option(method=method, destination=destination)
    sending = challenge_start(user=user, purpose=purpose, option=option, request=request, flow=state["flow"])
    state["challenge_id"] = sending.challenge.pk
    return state, sending
