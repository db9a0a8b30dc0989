"""Reading SendOTPMessageRequestParameters and VerifyOTPMessageRequestParameters: each bad field is a
BadRequestException that names it, as Pinpoint answers."""

import json
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from messaging.models import Channel
from otpapi.errors import BadRequest

LANGUAGES = (
    "de-DE",
    "en-GB",
    "en-US",
    "es-419",
    "es-ES",
    "fr-CA",
    "fr-FR",
    "it-IT",
    "ja-JP",
    "ko-KR",
    "pt-BR",
    "zh-CN",
    "zh-TW",
)
CHANNELS = {"SMS": Channel.SMS, "VOICE": Channel.VOICE, "EMAIL": Channel.EMAIL}
# Pinpoint's defaults where a field is left out.
DEFAULT_CODE_LENGTH, DEFAULT_VALIDITY_MINUTES, DEFAULT_ALLOWED_ATTEMPTS, DEFAULT_LANGUAGE = 6, 15, 3, "en-US"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# Printable text only: no control characters, so nothing can add a line (a forged "@domain #code") to a message.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class SendParameters:
    channel: str
    destination: str
    reference_id: str
    brand_name: str
    code_length: int
    validity_minutes: int
    allowed_attempts: int
    language: str
    origination_identity: str
    entity_id: str
    template_id: str


@dataclass(frozen=True)
class VerifyParameters:
    destination: str
    reference_id: str
    otp: str


def body_parse(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


def _no_constant(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON


def _text(data: dict, field: str, *, required: bool, most: int, least: int = 1) -> str:
    value = data.get(field)
    if value is None:
        if required:
            raise BadRequest(f"{field} is required.")
        return ""
    if not isinstance(value, str) or not least <= len(value) <= most or _CONTROL.search(value):
        raise BadRequest(f"{field} must be text of {least} to {most} printable characters.")
    if required and not value.strip():
        raise BadRequest(f"{field} is required.")
    return value


def _integer(data: dict, field: str, *, least: int, most: int, default: int) -> int:
    value = data.get(field)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise BadRequest(f"{field} must be an integer from {least} to {most}.")
    return value


def destination_parse(value: str, *, channel: str | None) -> str:
    """E.164 for SMS and voice (and for verify, any destination that could have been sent to); email lower-cased."""
    if channel != Channel.EMAIL and E164.match(value):
        return value
    if channel in (None, Channel.EMAIL) and "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise BadRequest("DestinationIdentity must be an email address for the EMAIL channel.") from None
        return value.lower()
    if channel == Channel.EMAIL:
        raise BadRequest("DestinationIdentity must be an email address for the EMAIL channel.")
    raise BadRequest("DestinationIdentity must be a phone number in E.164 format, such as +447911123456.")


def send_parameters(data: dict) -> SendParameters:
    channel_name = _text(data, "Channel", required=True, most=8)
    if channel_name not in CHANNELS:
        raise BadRequest("Channel must be one of SMS, VOICE, EMAIL.")
    channel = CHANNELS[channel_name]
    language = data.get("Language", DEFAULT_LANGUAGE)
    if language not in LANGUAGES:
        raise BadRequest("Language must be one of " + ", ".join(LANGUAGES) + ".")
    return SendParameters(
        channel=channel,
        destination=destination_parse(_text(data, "DestinationIdentity", required=True, most=254), channel=channel),
        reference_id=_text(data, "ReferenceId", required=True, most=48),
        brand_name=_text(data, "BrandName", required=True, most=20),
        code_length=_integer(data, "CodeLength", least=5, most=8, default=DEFAULT_CODE_LENGTH),
        validity_minutes=_integer(data, "ValidityPeriod", least=5, most=60, default=DEFAULT_VALIDITY_MINUTES),
        allowed_attempts=_integer(data, "AllowedAttempts", least=1, most=5, default=DEFAULT_ALLOWED_ATTEMPTS),
        language=language,
        origination_identity=_text(data, "OriginationIdentity", required=False, most=64, least=0),
        entity_id=_text(data, "EntityId", required=False, most=64, least=0),
        template_id=_text(data, "TemplateId", required=False, most=64, least=0),
    )


def verify_parameters(data: dict) -> VerifyParameters:
    return VerifyParameters(
        destination=destination_parse(_text(data, "DestinationIdentity", required=True, most=254), channel=None),
        reference_id=_text(data, "ReferenceId", required=True, most=48),
        otp=_text(data, "Otp", required=True, most=64),
    )
