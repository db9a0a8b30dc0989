"""Telling a person that something changed on their account, on every contact that could warn them."""

from django.http import HttpRequest
from django.utils import timezone

from messaging.models import Channel
from messaging.outbox import message_queue
from security.events import client_ip


def alert_send(*, user, event: str, request: HttpRequest | None = None, sms_to: str = "", device: str = "") -> None:
    """Email the account (and text `sms_to`, e.g. a phone that was just removed) about `event`."""
    context = {
        "event": event,
        "name": user.get_short_name(),
        "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "ip": client_ip(request) or "",
        "device": device,
    }
    message_queue(
        channel=Channel.EMAIL,
        destination=user.email,
        kind="security_alert",
        language=user.preferred_language,
        context=context,
        user=user,
    )
    if sms_to:
        message_queue(
            channel=Channel.SMS,
            destination=sms_to,
            kind="security_alert",
            language=user.preferred_language,
            context=context,
            user=user,
        )
