"""The proof-of-delivery photo, streamed only to the order's owner (and to verified staff from the admin)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from delivery.models import Shipment


def _may_see(user, shipment: Shipment) -> bool:
    if shipment.order.user_id == user.pk:
        return True
    # Staff only with a verified second factor, as the admin itself requires (OTPAdminSite).
    return user.is_staff and user.is_verified() and user.has_perm("delivery.view_shipment")


@login_required
@require_safe
def proof_photo(request: HttpRequest, order_id: int) -> FileResponse:
    shipment = get_object_or_404(Shipment.objects.select_related("order"), order_id=order_id)
    if not shipment.proof_photo or not _may_see(request.user, shipment):
        raise Http404  # the same answer whether the order exists, has no photo, or is someone else's
    try:
        photo = shipment.proof_photo.open("rb")
    except FileNotFoundError as gone:
        raise Http404 from gone
    response = FileResponse(photo, content_type="image/jpeg")
    patch_cache_control(response, private=True, max_age=3600)
    response["Content-Disposition"] = f'inline; filename="{shipment.number}.jpg"'
    return response
