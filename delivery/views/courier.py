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
from django.views.decorators.http import require_http_methods, require_POST

from delivery.couriers import shipments_for_courier_today
from delivery.forms import AttemptFailedForm, HandoffCodeForm
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


@sensitive_post_parameters("code")
@courier_required
@never_cache
@require_http_methods(["GET", "POST"])
def handoff(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _own_shipment(request, shipment_id)
    form = HandoffCodeForm(request.POST if request.method == "POST" and shipment.needs_code else None)
    problem = ""
    if request.method == "POST" and (not shipment.needs_code or form.is_valid()):
        code = form.cleaned_data["code"] if shipment.needs_code else ""
        try:
            result = shipment_mark_delivered(shipment_id=shipment.pk, courier=request.user, code=code)
        except Shipment.DoesNotExist as gone:  # reassigned to someone else since the page loaded
            raise Http404 from gone
        shipment = result.shipment
        if result.outcome == HandoffOutcome.DELIVERED:
            messages.success(request, _("Delivered. The customer has been told."))
            return redirect("delivery:handoff", shipment.pk)
        problem = _handoff_problem(result)
        form = HandoffCodeForm()
    status = 400 if problem or form.errors else 200
    return render(
        request,
        "delivery/handoff.html",
        {
            "shipment": shipment,
            "order": shipment.order,
            "form": form,
            "problem": problem,
            "failure_form": AttemptFailedForm(),
            "reasons": Shipment.FailureReason.choices,
        },
        status=status,
    )


def _handoff_problem(result) -> str:
    if result.outcome == HandoffOutcome.WRONG_CODE:
        return ngettext(
            "That code is not right. %(left)d try left before the code locks.",
            "That code is not right. %(left)d tries left before the code locks.",
            result.tries_left,
        ) % {"left": result.tries_left}
    if result.outcome == HandoffOutcome.LOCKED:
        return _(
            "The code is locked after too many wrong tries. Keep the parcel and mark this attempt failed: "
            "the customer has been told and gets a new code for the next attempt."
        )
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
@require_POST
def attempt_failed(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _own_shipment(request, shipment_id)
    form = AttemptFailedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the delivery failed."))
        return redirect("delivery:handoff", shipment.pk)
    try:
        shipment_attempt_failed(shipment_id=shipment.pk, courier=request.user, reason=form.cleaned_data["reason"])
    except Shipment.DoesNotExist as gone:  # reassigned to someone else since the page loaded
        raise Http404 from gone
    except ShipmentStateError as refusal:
        messages.error(request, str(refusal))
        return redirect("delivery:handoff", shipment.pk)
    messages.success(request, _("Attempt marked failed. Keep the parcel; the customer has been told."))
    return redirect("delivery:courier_today")
