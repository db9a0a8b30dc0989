from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("messaging/twilio/status/", views.twilio_status, name="twilio_status"),  # messages sent before issue 13
    path("messaging/twilio/status/<int:message_id>/", views.twilio_status, name="twilio_status_for_message"),
    path("dev/outbox/", views.dev_outbox, name="dev_outbox"),
]
