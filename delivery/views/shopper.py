"""The shopper's side of a delivery, from their order page: a new code, unlocking a locked one, another day and
instructions for the courier. Each is a small POST that goes back to the order page with what happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.dates import day_label
from delivery.codes import CodeRenewRefused, delivery_code_renew, delivery_code_unlock
from delivery.doorstep import DoorstepRefused, shipment_instructions_set, shipment_reschedule
from delivery.models import Shipment
from delivery.notify import code_sent_words
from delivery.shopper_forms import InstructionsForm, RescheduleForm
from orders.models import Order
from security.step_up import step_up_required
from security.vocabulary import StepUpAction


def _owners_shipment_id(request: HttpRequest, order_id: int) -> int | None:
    """The shipment of the signed-in shopper's order (404 for anyone else's order); None when it has none yet."""
    order = get_object_or_404(Order, pk=order_id, user=request.user)
    return Shipment.objects.filter(order=order).values_list("pk", flat=True).first()


def _code_sent(request: HttpRequest, shipment: Shipment, first_words: str) -> None:
    went, missed = code_sent_words(shipment.code_messages)
    messages.success(request, f"{first_words} {went}".strip())
    if missed:
        messages.warning(request, missed)


@login_required
@require_POST
def code_renew(request: HttpRequest, order_id: int) -> HttpResponse:
    shipment_id = _owners_shipment_id(request, order_id)
    try:
        shipment = delivery_code_renew(shipment_id=shipment_id, user=request.user, request=request)
    except CodeRenewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        _code_sent(request, shipment, _("Here's your new delivery code. The old one no longer works."))
    return redirect("orders:order", order_id)


@login_required
@step_up_required(StepUpAction.DELIVERY_UNLOCK)
@require_POST
def code_unlock(request: HttpRequest, order_id: int) -> HttpResponse:
    shipment_id = _owners_shipment_id(request, order_id)
    try:
        shipment = delivery_code_unlock(shipment_id=shipment_id, user=request.user, request=request)
    except CodeRenewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        _code_sent(
            request,
            shipment,
            _("Here's your new delivery code: read it to the courier at your door. The locked one no longer works."),
        )
    return redirect("orders:order", order_id)


@login_required
@require_POST
def reschedule(request: HttpRequest, order_id: int) -> HttpResponse:
    shipment_id = _owners_shipment_id(request, order_id)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the delivery days shown."))
        return redirect("orders:order", order_id)
    try:
        shipment = shipment_reschedule(shipment_id=shipment_id, user=request.user, day=form.cleaned_data["day"])
    except DoorstepRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("We'll deliver on %(day)s.") % {"day": day_label(shipment.requested_date)},
        )
    return redirect("orders:order", order_id)


@login_required
@require_POST
def instructions(request: HttpRequest, order_id: int) -> HttpResponse:
    shipment_id = _owners_shipment_id(request, order_id)
    form = InstructionsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep your instructions to 300 characters."))
        return redirect("orders:order", order_id)
    try:
        shipment = shipment_instructions_set(
            shipment_id=shipment_id, user=request.user, instructions=form.cleaned_data["instructions"]
        )
    except DoorstepRefused as refusal:
        messages.error(request, str(refusal))
    else:
        saved = _("We've saved your instructions for the courier.")
        messages.success(request, saved if shipment.instructions else _("We've removed your instructions."))
    return redirect("orders:order", order_id)
