"""The shopper's side of a delivery, from their order page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delivery.codes import CodeRenewRefused, delivery_code_renew
from delivery.models import Shipment
from orders.models import Order


@login_required
@require_POST
def code_renew(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(Order, pk=order_id, user=request.user)
    shipment = get_object_or_404(Shipment, order=order)
    try:
        delivery_code_renew(shipment_id=shipment.pk, user=request.user, request=request)
    except CodeRenewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Here's your new delivery code. The old one no longer works."))
    return redirect("orders:order", order_id)
