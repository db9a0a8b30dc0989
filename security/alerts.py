"""Telling a person that something changed on their account, on every contact that could warn them."""

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from config.ratelimit import limit_hit
from messaging.models import Channel
from messaging.outbox import message_queue
from security.events import client_ip, event_record
from security.models import SecurityEvent

NOT_ME_SALT = "deadbolt.security.not-me"
NOT_ME_MAX_AGE = 7 * 24 * 3600


def not_me_token(user) -> str:
    """A signed link token for "This wasn't me": it names the account; the email code behind it proves it."""
    return signing.dumps({"user": user.pk}, salt=NOT_ME_SALT, compress=True)


def not_me_user_id(token: str) -> int | None:
    try:
        return signing.loads(token, salt=NOT_ME_SALT, max_age=NOT_ME_MAX_AGE)["user"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def alert_send(
    *,
    user,
    event: str,
    request: HttpRequest | None = None,
    sms_to: str = "",
    device: str = "",
    email: bool = True,
    cancel_token: str = "",
    email_to: str = "",
    new_contact: str = "",
) -> None:
    """Email the account (and text `sms_to`, e.g. a phone that was just removed) about `event`."""
    context = {
        "event": event,
        "name": user.get_short_name(),
        "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "ip": client_ip(request) or "",
        "device": device,
        "not_me_path": reverse("accounts:not_me", args=[not_me_token(user)]),
        "cancel_path": reverse("accounts:recovery_cancel", args=[cancel_token]) if cancel_token else "",
        "new_contact": new_contact,
    }
    if email:
        message_queue(
            channel=Channel.EMAIL,
            destination=email_to or user.email,
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


def signin_abandoned(*, user, request: HttpRequest | None) -> None:
    """The right password, then no code: someone may know it. Told at most once an hour."""
    event_record(user=user, kind=SecurityEvent.Kind.SIGNIN_CODE_ABANDONED, request=request)
    if limit_hit("password_maybe_known_alert", str(user.pk)).allowed:
        alert_send(user=user, event="password_maybe_known", request=request)
