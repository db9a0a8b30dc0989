"""Sending and verifying one-time codes for an application: SendOTPMessage and VerifyOTPMessage's rules."""

import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.crypto import keyed_hash
from messaging.guards import Budget, destination_refusal
from messaging.models import FailureReason
from messaging.outbox import message_queue
from otpapi.errors import BadRequest, TooManyRequests
from otpapi.models import AccessKey, OtpApplication, OtpCode, OtpEvent, OtpEventKind, OtpOutcome, OtpState
from otpapi.parameters import SendParameters, VerifyParameters
from security.display import mask_email, mask_phone

HASH_PURPOSE = "otpapi/code"
KIND = "pinpoint_otp"
# Stands in for the row when there is no live code, so a miss costs the same keyed hash and compare as a wrong code.
_DECOY_ROW = uuid.UUID(int=0)
_DECOY_HASH = "0" * 64

DESTINATION_REFUSALS = {
    FailureReason.INVALID_NUMBER: "DestinationIdentity is not a valid phone number.",
    FailureReason.REFUSED_COUNTRY: "DestinationIdentity is in a country this service does not send to.",
    FailureReason.REFUSED_NUMBER_TYPE: (
        "DestinationIdentity cannot receive codes (a premium-rate, shared-cost or other non-mobile number)."
    ),
    FailureReason.LANDLINE: "DestinationIdentity is a landline, which cannot receive SMS; use the VOICE channel.",
}


@dataclass(frozen=True)
class Sent:
    message_id: str
    code: OtpCode


def code_hash(*, application: OtpApplication, destination: str, reference_id: str, row: uuid.UUID, code: str) -> str:
    """The keyed hash of a code, bound to its application, destination, reference and row."""
    binding = json.dumps([application.application_id, destination, reference_id, str(row), code])
    return keyed_hash(binding, purpose=HASH_PURPOSE)


def mask(destination: str) -> str:
    return mask_email(destination) if "@" in destination else mask_phone(destination)


def _event(*, application, key, kind, outcome, destination, reference_id, request_id, ip) -> None:
    OtpEvent.objects.create(
        application=application,
        access_key=key,
        kind=kind,
        outcome=outcome,
        destination_masked=mask(destination),
        reference_id=reference_id,
        request_id=request_id,
        ip=ip,
    )


def otp_send(
    *, application: OtpApplication, key: AccessKey, parameters: SendParameters, request_id: str, ip: str | None
) -> Sent:
    """Make a code, queue its message and supersede the older code for the same destination and reference.
    Raises BadRequest for a destination messaging refuses, TooManyRequests when a send cap bites."""
    p = parameters
    event = {
        "application": application,
        "key": key,
        "kind": OtpEventKind.SEND,
        "destination": p.destination,
        "reference_id": p.reference_id,
        "request_id": request_id,
        "ip": ip,
    }
    if refusal := destination_refusal(channel=p.channel, destination=p.destination):
        _event(**event, outcome=OtpOutcome.REFUSED_DESTINATION)
        raise BadRequest(DESTINATION_REFUSALS.get(refusal, "DestinationIdentity cannot receive codes."))
    code = "".join(secrets.choice("0123456789") for _ in range(p.code_length))
    with transaction.atomic():
        message = message_queue(
            channel=p.channel,
            destination=p.destination,
            kind=KIND,
            language=p.language,
            context={
                "code": code,
                "brand_name": p.brand_name,
                "domain": application.domain,
                "minutes": p.validity_minutes,
                # Kept for providers that need them (India's DLT rules); the Twilio backend does not use them.
                "entity_id": p.entity_id,
                "template_id": p.template_id,
                "origination_identity": p.origination_identity,
            },
            expires_in=p.validity_minutes * 60,
            # Whoever uses the calling application can make it send to any number, so these are a stranger's
            # sends: the small budget, never the one the site's signed-in people draw on.
            budget=Budget.STRANGER,
        )
        if message.was_refused:  # the refused message and its event are kept; nothing else changes
            _event(**event, outcome=OtpOutcome.REFUSED_CAP)
        else:
            stored = _code_save(application=application, key=key, parameters=p, code=code, message=message)
            _event(**event, outcome=OtpOutcome.SENT)
    if message.was_refused:
        raise TooManyRequests(
            "Too many codes were sent to this DestinationIdentity recently; try again later.",
            retry_after=message.retry_after,
        )
    return Sent(message_id=str(message.pk), code=stored)


def _code_save(*, application, key, parameters: SendParameters, code: str, message) -> OtpCode:
    p = parameters
    row = uuid.uuid4()
    now = timezone.now()
    stored = OtpCode(
        id=row,
        application=application,
        access_key=key,
        channel=p.channel,
        destination=p.destination,
        reference_id=p.reference_id,
        code_hash=code_hash(
            application=application, destination=p.destination, reference_id=p.reference_id, row=row, code=code
        ),
        code_length=p.code_length,
        language=p.language,
        brand_name=p.brand_name,
        origination_identity=p.origination_identity,
        entity_id=p.entity_id,
        template_id=p.template_id,
        message=message,
        allowed_attempts=p.allowed_attempts,
        created_at=now,
        expires_at=now + timedelta(minutes=p.validity_minutes),
    )
    _code_replace(stored)
    return stored


def _code_replace(stored: OtpCode) -> None:
    """Supersede the live code for the same application, destination and reference, then save the new one.
    Two sends at once may both find none to supersede: the unique constraint stops one, which tries again."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                OtpCode.objects.filter(
                    application=stored.application,
                    destination=stored.destination,
                    reference_id=stored.reference_id,
                    state=OtpState.ACTIVE,
                ).update(state=OtpState.SUPERSEDED)
                stored.save(force_insert=True)
                return
        except IntegrityError:
            if attempt == 2:
                raise


def otp_verify(
    *, application: OtpApplication, key: AccessKey, parameters: VerifyParameters, request_id: str, ip: str | None
) -> bool:
    """True once for the live code of this application, destination and reference, typed within its validity.
    Whatever is wrong (destination, reference, code, expiry), the work is one keyed hash and one compare."""
    p = parameters
    now = timezone.now()
    with transaction.atomic():
        stored = (
            OtpCode.objects.select_for_update()
            .filter(application=application, destination=p.destination, reference_id=p.reference_id)
            .filter(state=OtpState.ACTIVE)
            .first()
        )
        candidate = code_hash(
            application=application,
            destination=p.destination,
            reference_id=p.reference_id,
            row=stored.pk if stored else _DECOY_ROW,
            code=p.otp,
        )
        matches = hmac.compare_digest(candidate, stored.code_hash if stored else _DECOY_HASH)
        if stored is None:
            outcome = OtpOutcome.NO_CODE
        elif stored.is_expired(now):
            outcome = OtpOutcome.EXPIRED
        elif matches:
            outcome = OtpOutcome.VALID
            stored.state, stored.used_at = OtpState.PASSED, now
            stored.save(update_fields=["state", "used_at"])
        else:
            stored.failures += 1
            outcome = OtpOutcome.WRONG
            if stored.failures >= stored.allowed_attempts:
                stored.state, outcome = OtpState.DEAD, OtpOutcome.DIED
            stored.save(update_fields=["failures", "state"])
        _event(
            application=application,
            key=key,
            kind=OtpEventKind.VERIFY,
            outcome=outcome,
            destination=p.destination,
            reference_id=p.reference_id,
            request_id=request_id,
            ip=ip,
        )
    return outcome == OtpOutcome.VALID
