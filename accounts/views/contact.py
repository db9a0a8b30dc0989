"""Changing the email or mobile number: behind step-up, proved by a code sent to the new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.changes import email_change, phone_change
from accounts.forms import NewEmailForm, NewPhoneForm
from config.ratelimit import limit_hit
from security.code_step import code_step_run, new_destination_option, new_destination_start
from security.flows import flow_end, flow_get, flow_save, flow_start
from security.models import Method
from security.phone_input import phone_region_guess, phone_region_remember
from security.phones import phone_story
from security.step_up import step_up_required
from security.vocabulary import Purpose, StepUpAction

FLOW = "contact_change"
KINDS = {
    "email": (NewEmailForm, Method.EMAIL, Purpose.VERIFY_EMAIL),
    "phone": (NewPhoneForm, Method.SMS, Purpose.VERIFY_PHONE),
}


def _form(request: HttpRequest, kind: str):
    data = request.POST if request.method == "POST" else None
    if kind == "email":
        return NewEmailForm(request.user, data)
    story = phone_story(request.user)
    region = phone_region_guess(request, numbers=(story.contact, *story.two_step))
    return NewPhoneForm(request.user, data, region=region)


def _contact_change(request: HttpRequest, *, kind: str) -> HttpResponse:
    """Enter the new email or number; then prove it with a code sent to it (the shared code step)."""
    _form_class, method, purpose = KINDS[kind]
    state = flow_get(request, FLOW)
    if state is not None and state["kind"] != kind:
        state = None
    if request.method == "POST" and request.POST.get("do") == "restart":
        flow_end(request, FLOW)
        return redirect(request.path)
    if state is None:
        form = _form(request, kind)
        if request.method == "POST" and form.is_valid():
            if not limit_hit("new_destination_codes_per_account", str(request.user.pk)).allowed:
                form.add_error("value", _("You've asked for several codes recently. Please try again in an hour."))
            else:
                value = form.cleaned_data["value"]
                code_state, sending = new_destination_start(
                    request=request, user=request.user, purpose=purpose, method=method, destination=value
                )
                if sending.sent:
                    extra = {}
                    if kind == "phone":
                        phone_region_remember(request, value)
                        extra["move_two_step_from"] = form.move_two_step_from
                    flow_start(request, FLOW, step="code", kind=kind, value=value, code=code_state, **extra)
                    return redirect(request.path)
                form.add_error("value", sending.message)
        return render(request, "accounts/contact_change.html", {"kind": kind, "form": form})
    option = new_destination_option(method=method, destination=state["value"])
    step = code_step_run(request=request, user=request.user, purpose=purpose, state=state["code"], options=[option])
    flow_save(request, FLOW, state)
    if step.redirect_to_self:
        return redirect(request.path)
    if step.passed:
        flow_end(request, FLOW)
        if kind == "email":
            email_change(user=request.user, new_email=state["value"], request=request)
            messages.success(request, _("Your email address is changed."))
        else:
            moved = phone_change(
                user=request.user,
                new_phone=state["value"],
                request=request,
                move_two_step_from=state.get("move_two_step_from", ""),
            )
            messages.success(
                request,
                _("Your mobile number is changed, and your two-step verification codes go to it too.")
                if moved
                else _("Your mobile number is changed."),
            )
        return redirect("accounts:security")
    return render(request, "accounts/contact_change.html", {"kind": kind, **step.context})


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
