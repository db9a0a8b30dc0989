"""The courier's pages: today's drops and the handoff at the door."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from delivery.couriers import shipment_events_for_courier, shipments_for_courier_today
from delivery.days import delivery_today
from delivery.forms import AttemptFailedForm, HandoffForm
from delivery.handoff import HandoffOutcome, shipment_mark_delivered
from delivery.models import Shipment
from delivery.shipments import ShipmentStateError, shipment_attempt_failed
from security.methods import two_step_is_on


def courier_required(view):
    """Signed in, given the courier role by an admin, and with two-step verification on: whoever holds a
    courier's password alone must not be able to hand parcels over."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_courier:
            raise PermissionDenied
        if not two_step_is_on(request.user):
            messages.info(request, _("Couriers need two-step verification. Turn it on to see your deliveries."))
            return redirect("security:two_step_start")
        return view(request, *args, **kwargs)

    return wrapped


@courier_required
@never_cache
def courier_today(request: HttpRequest) -> HttpResponse:
    page = Paginator(shipments_for_courier_today(request.user), settings.DELIVERY_COURIER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "delivery/courier_today.html", {"page": page})


def _own_shipment(request: HttpRequest, shipment_id: int) -> Shipment:
    return get_object_or_404(Shipment.objects.select_related("order"), pk=shipment_id, courier=request.user)


def _handoff_page(request: HttpRequest, shipment: Shipment, form: HandoffForm, problem: str = "") -> HttpResponse:
    status = 400 if problem or form.errors else 200
    context = {
        "shipment": shipment,
        "order": shipment.order,
        "form": form,
        "problem": problem,
        "reasons": Shipment.FailureReason.choices,
        "events": shipment_events_for_courier(shipment),
        # A shopper may unlock a locked code once per delivery day, so the hint is offered only before that.
        "unlock_possible": shipment.code_unlocked_on != delivery_today(),
    }
    return render(request, "delivery/handoff.html", context, status=status)


@sensitive_post_parameters("code")
@courier_required
@never_cache
@require_http_methods(["GET", "POST"])
def handoff(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _own_shipment(request, shipment_id)
    if request.method != "POST":
        return _handoff_page(request, shipment, HandoffForm(needs_code=shipment.needs_code))
    form = HandoffForm(request.POST, request.FILES, needs_code=shipment.needs_code)
    if not form.is_valid():  # not a code, or not a photo: nothing is tried and no try is counted
        return _handoff_page(request, shipment, form)
    try:
        result = shipment_mark_delivered(
            shipment_id=shipment.pk,
            courier=request.user,
            code=form.cleaned_data.get("code", ""),
            photo=form.cleaned_data["photo"],
        )
    except Shipment.DoesNotExist as gone:  # reassigned to someone else since the page loaded
        raise Http404 from gone
    if result.outcome == HandoffOutcome.DELIVERED:
        messages.success(request, _("Delivered. The customer has been told."))
        return redirect("delivery:handoff", shipment.pk)
    return _handoff_page(
        request, result.shipment, HandoffForm(needs_code=shipment.needs_code), _handoff_problem(result)
    )


def _handoff_problem(result) -> str:
    shipment = result.shipment
    if result.outcome == HandoffOutcome.WRONG_CODE:
        tries = ngettext(
            "That code is not right. %(left)d try left before the code locks.",
            "That code is not right. %(left)d tries left before the code locks.",
            result.tries_left,
        ) % {"left": result.tries_left}
        check = _(
            "Check the label says parcel %(parcel)s, order %(order)s, and ask the customer to read the code again."
        ) % {"parcel": shipment.number, "order": shipment.order.number}
        return f"{tries} {check}"
    if result.outcome == HandoffOutcome.LOCKED:
        return _("The code is locked after too many wrong tries.")
    if result.outcome == HandoffOutcome.COURIER_PAUSED:
        minutes = max(1, result.retry_after // 60)
        return _(
            "Too many wrong codes on your deliveries today, so code entry is paused for %(minutes)d minutes. "
            "Keep the parcel, mark the attempt failed, and call your depot."
        ) % {"minutes": minutes}
    if result.outcome == HandoffOutcome.NO_LIVE_CODE:
        return _("This delivery's code has expired. Keep the parcel and mark the attempt failed.")
    if result.outcome == HandoffOutcome.ALREADY_DELIVERED:
        return _("This parcel is already delivered.")
    return _("This parcel is not out for delivery, so it can't be handed over.")


@courier_required
@never_cache
@require_http_methods(["GET", "POST"])
def attempt_failed(request: HttpRequest, shipment_id: int) -> HttpResponse:
    """A tapped reason (GET) only asks to confirm; the confirmation (POST, with an optional note) records it."""
    shipment = _own_shipment(request, shipment_id)
    form = AttemptFailedForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid() and "reason" in form.errors:
        messages.error(request, _("Choose why the delivery failed."))
        return redirect("delivery:handoff", shipment.pk)
    if not shipment.can_hand_over():
        messages.error(request, _("This parcel is not out for delivery, so it can't be handed over."))
        return redirect("delivery:handoff", shipment.pk)
    if request.method != "POST" or not form.is_valid():
        reason = Shipment.FailureReason(form.cleaned_data["reason"])
        return render(
            request,
            "delivery/courier_failed_confirm.html",
            {"shipment": shipment, "order": shipment.order, "form": form, "reason": reason},
            status=400 if form.errors else 200,
        )
    try:
        shipment_attempt_failed(
            shipment_id=shipment.pk,
            courier=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except Shipment.DoesNotExist as gone:  # reassigned to someone else since the page loaded
        raise Http404 from gone
    except ShipmentStateError as refusal:
        messages.error(request, str(refusal))
        return redirect("delivery:handoff", shipment.pk)
    messages.success(request, _("Attempt marked failed. Keep the parcel; the customer has been told."))
    return redirect("delivery:courier_today")
