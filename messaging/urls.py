from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("messaging/twilio/status/", views.twilio_status, name="twilio_status"),
    path("dev/outbox/", views.dev_outbox, name="dev_outbox"),
]
