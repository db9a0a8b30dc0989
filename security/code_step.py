"""The "enter your code" step shared by step-up and sign-in: pick a method, send, resend, call, verify.

The view owns where the state lives (a session key) and what success means; this owns the rest.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device

from security.challenges import Outcome, challenge_resend, challenge_verify
from security.forms import CodeForm
from security.models import Challenge, Method
from security.verification import Option, challenge_start, verification_options

ENDING = {Outcome.TOO_MANY, Outcome.EXPIRED, Outcome.ENDED}


@dataclass
class CodeStep:
    passed: bool = False
    device: Device | None = None
    outcome: Outcome | None = None
    redirect_to_self: bool = False  # after a resend: show the page again with a GET
    context: dict = field(default_factory=dict)


def code_step_run(
    *, request: HttpRequest, user, purpose: str, state: dict, options: list[Option] | None = None
) -> CodeStep:
    """Run one request of the code step. `state` is the caller's session dict for it, updated in place."""
    step = CodeStep()
    verifying = request.method == "POST" and request.POST.get("do") == "verify"
    form = CodeForm(request.POST if verifying else None)
    switching = "method" in request.GET and request.GET["method"] != state.get("key")
    if verifying and state.get("challenge_id") and not switching and form.is_valid():
        # The hot path (a code typed for the live challenge) needs neither the method list nor a second read.
        verdict = challenge_verify(
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
    options = options or verification_options(user)
    chosen_key = request.GET.get("method") or state.get("key") or options[0].key
    option = next((o for o in options if o.key == chosen_key), options[0])
    challenge = None
    if state.get("key") == option.key and state.get("challenge_id"):
        challenge = Challenge.objects.filter(
            pk=state["challenge_id"], user=user, purpose=purpose, state=Challenge.State.ACTIVE
        ).first()
    if challenge is None:
        sending = challenge_start(user=user, purpose=purpose, option=option, request=request)
        challenge = sending.challenge
        state.update(key=option.key, challenge_id=challenge.pk)
        if sending.message:
            messages.error(request, sending.message)
    elif request.method == "POST" and request.POST.get("do") in {"resend", "call"}:
        sending = challenge_resend(
            challenge=challenge, request=request, method=Method.VOICE if request.POST["do"] == "call" else None
        )
        if sending.sent:
            messages.success(request, _("We've sent a new code."))
        else:
            messages.error(request, sending.message)
        step.redirect_to_self = True
        return step
    step.context = {
        "form": form,
        "option": option,
        "options": options,
        "challenge": challenge,
        "resend_wait": challenge.resend_wait(),
    }
    return step
