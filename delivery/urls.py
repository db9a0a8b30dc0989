from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    path("orders/<int:order_id>/delivery-code/", views.code_renew, name="code_renew"),
    path("courier/", views.courier_today, name="courier_today"),
    path("courier/<int:shipment_id>/", views.handoff, name="handoff"),
    path("courier/<int:shipment_id>/failed/", views.attempt_failed, name="attempt_failed"),
]
