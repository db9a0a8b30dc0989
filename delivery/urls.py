from django.urls import path

from delivery.views import courier, shopper

app_name = "delivery"

urlpatterns = [
    path("orders/<int:order_id>/delivery-code/", shopper.code_renew, name="code_renew"),
    path("courier/", courier.courier_today, name="courier_today"),
    path("courier/<int:shipment_id>/", courier.handoff, name="handoff"),
    path("courier/<int:shipment_id>/failed/", courier.attempt_failed, name="attempt_failed"),
]
