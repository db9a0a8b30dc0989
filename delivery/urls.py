from django.urls import path

from delivery.views import courier, proof, shopper

app_name = "delivery"

urlpatterns = [
    path("orders/<int:order_id>/delivery-code/", shopper.code_renew, name="code_renew"),
    path("orders/<int:order_id>/delivery-code/unlock/", shopper.code_unlock, name="code_unlock"),
    path("orders/<int:order_id>/delivery-day/", shopper.reschedule, name="reschedule"),
    path("orders/<int:order_id>/delivery-instructions/", shopper.instructions, name="instructions"),
    path("orders/<int:order_id>/proof-photo/", proof.proof_photo, name="proof_photo"),
    path("courier/", courier.courier_today, name="courier_today"),
    path("courier/<int:shipment_id>/", courier.handoff, name="handoff"),
    path("courier/<int:shipment_id>/failed/", courier.attempt_failed, name="attempt_failed"),
]
