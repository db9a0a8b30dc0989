"""Telling a person that something changed on their account, on every contact that could warn them."""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from config.ratelimit import limit_hit
from messaging.guards import Budget
from messaging.models import Channel
from messaging.outbox import message_queue
from messaging.rendering import django_language
from security.events import client_ip, event_record
from security.models import AuthenticatorDevice, PhoneDevice, SecurityEvent
from security.places import place_for_ip, place_label

NOT_ME_SALT = "deadbolt.security.not-me"


def not_me_token(user, *, sent_to: str = "") -> str:
    """A signed link token for "This wasn't me": it names the account and the address the alert went to (where
    its rescue code goes, even after the account's email was changed), and the account's session version, so
    it works once: using it ends every session, which moves the version on."""
    return signing.dumps(
        {"user": user.pk, "to": sent_to or user.email, "v": user.session_version}, salt=NOT_ME_SALT, compress=True
    )


def not_me_claim(token: str) -> tuple[int, str, int] | None:
    """(user id, the address the alert went to, session version) from a live token; None when forged or old."""
    try:
        claim = signing.loads(token, salt=NOT_ME_SALT, max_age=settings.SECURITY_NOT_ME_SECONDS)
        return int(claim["user"]), str(claim["to"]), int(claim["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
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
    detail: dict | None = None,
    two_step_on: bool | None = None,
) -> None:
    """Email the account (and text `sms_to`, e.g. a phone that was just removed) about `event`. `detail` is the
    event's (its place, and `by_admin`/`reason` for a reset by support); without it the place is looked up here.
    `two_step_on` when the caller knows it (else it is looked up)."""
    detail = detail or {}
    ip = client_ip(request) or ""
    by_admin = bool(detail.get("by_admin"))
    with translation.override(django_language(user.preferred_language or settings.LANGUAGE_CODE)):
        place = place_label(detail["place"] if "place" in detail else place_for_ip(ip), ip)
    context = {
        "event": event,
        "name": user.get_short_name(),
        "when": timezone.now().isoformat(),  # written out in the message's language when it is rendered
        # Support's own address and browser are not where the account was used: an admin's reset shows neither.
        "ip": "" if by_admin else ip,
        "place": "" if by_admin else place,
        "device": "" if by_admin else device,
        "by_admin": by_admin,
        "reason": str(detail.get("reason", "")) if by_admin else "",
        "two_step_on": _two_step_is_on(user) if two_step_on is None else two_step_on,
        "not_me_path": reverse("accounts:not_me", args=[not_me_token(user, sent_to=email_to or user.email)]),
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
            budget=Budget.ALERT,
        )
    if sms_to:
        message_queue(
            channel=Channel.SMS,
            destination=sms_to,
            kind="security_alert",
            language=user.preferred_language,
            context=context,
            user=user,
            budget=Budget.ALERT,
        )


def _two_step_is_on(user) -> bool:
    """Whether 2SV is on now, so the alert's next step fits (security.methods.two_step_is_on, which imports us)."""
    return any(
        model.objects.filter(user=user, confirmed=True, is_primary=True).exists()
        for model in (AuthenticatorDevice, PhoneDevice)
    )


def signin_codes_failed(*, user, request: HttpRequest | None) -> None:
    """The right password, then wrong codes until the code died: someone may know it. Told at most once an hour.
    A sign-in left at the code step says nothing (a person who closed the tab, or a server too slow to answer)."""
    event = event_record(user=user, kind=SecurityEvent.Kind.SIGNIN_CODE_ABANDONED, request=request, wrong_codes=True)
    if limit_hit("password_maybe_known_alert", str(user.pk)).allowed:
        alert_send(user=user, event="password_maybe_known", request=request, detail=event.detail)


Kind = SecurityEvent.Kind

# Every kind of event, and the alert it sends (a template in templates/messages/security_alert/events/), or None.
# A kind missing here, or an alert without its template, fails tests/security/test_alert_table.py.
ALERT_FOR_KIND: dict[str, str | None] = {
    Kind.SIGNIN: None,  # a browser the account knows
    Kind.SIGNIN_NEW_DEVICE: "new_signin",
    Kind.SIGNIN_TRUSTED_DEVICE: None,
    Kind.CODE_SENT: None,
    Kind.CODE_SEND_REFUSED: None,
    Kind.CODE_FAILED: None,
    Kind.CODE_PASSED: None,
    Kind.ACCOUNT_CODE_LOCK: "codes_paused",
    Kind.STEP_UP: None,
    Kind.TWO_STEP_ON: "two_step_on",
    Kind.TWO_STEP_OFF: "two_step_off",
    Kind.METHOD_ADDED: "method_added",
    Kind.METHOD_REMOVED: "method_removed",
    Kind.PRIMARY_CHANGED: "primary_changed",
    Kind.BACKUP_CODES_CREATED: "backup_codes_created",
    Kind.BACKUP_CODE_USED: None,
    Kind.PASSWORD_FAILED: None,
    Kind.SIGNIN_CODE_ABANDONED: None,  # wrong codes until the code died tell the owner once an hour, below
    Kind.TRUSTED_COOKIE_FORGED: None,  # no longer written (a forged cookie is simply absent)
    Kind.DEVICE_TRUSTED: None,
    Kind.DEVICES_REVOKED: None,
    Kind.SIGNED_OUT_EVERYWHERE: "signed_out_everywhere",
    Kind.INTRUSION_REPORTED: None,  # the person is on the page that did it
    Kind.PASSWORD_CHANGED: "password_changed",
    Kind.EMAIL_CHANGED: "email_changed",
    Kind.ADDRESS_CHANGED: "address_changed",
    Kind.CARD_ADDED: "card_added",
    Kind.CARD_REMOVED: "card_removed",
    Kind.PHONE_CHANGED: "phone_changed",
    Kind.RECOVERY_REQUESTED: "recovery_requested",
    Kind.RECOVERY_CANCELLED: "recovery_cancelled",
    Kind.RECOVERY_COMPLETED: None,  # told by the two_step_off alert that the reset sends
    Kind.SIGNUP_EMAIL_PROVED: None,
    Kind.COUNTERS_CLEARED: None,  # told by the two_step_off alert of the admin's reset
    Kind.PASSKEY_ADDED: "passkey_added",
    Kind.PASSKEY_REMOVED: "passkey_removed",
    Kind.PASSKEY_CLONE_SUSPECTED: "passkey_clone_suspected",
}


def security_record(
    *, user, kind: str, request: HttpRequest | None = None, detail: dict | None = None, last_login=None, **alert
):
    """Record what happened and send its alert from ALERT_FOR_KIND. `alert` holds the alert's options
    (sms_to, email_to, new_contact, device, cancel_token); `alert_quietly=True` records only (a change too small
    to tell, like choosing the default address). `last_login`: see event_record."""
    quietly = alert.pop("alert_quietly", False)
    event = event_record(user=user, kind=kind, request=request, last_login=last_login, **(detail or {}))
    if (name := ALERT_FOR_KIND[kind]) and not quietly:
        alert_send(user=user, event=name, request=request, detail=event.detail, **alert)
    return event
