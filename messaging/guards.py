"""Guarding cost and abuse (SMS pumping): where SMS and voice may go, and how often."""

import phonenumbers
from django.conf import settings
from phonenumbers import PhoneNumberType

from config.ratelimit import limit_hit, limit_peek
from messaging.models import Channel, FailureReason

# Number types that can receive a code. Premium-rate, shared-cost, toll-free, UAN, pager, voicemail,
# personal-number and unknown types are refused: they cost us, earn a fraudster, or reach nobody.
SMS_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
VOICE_TYPES = SMS_TYPES | {PhoneNumberType.FIXED_LINE}


def destination_refusal(*, channel: str, destination: str) -> FailureReason | None:
    """Why this number must not get this channel's message, or None when it may."""
    if channel == Channel.EMAIL:
        return None
    try:
        number = phonenumbers.parse(destination, None)
    except phonenumbers.NumberParseException:
        return FailureReason.INVALID_NUMBER
    if not phonenumbers.is_valid_number(number):
        return FailureReason.INVALID_NUMBER
    if str(number.country_code) not in settings.MESSAGING_ALLOWED_COUNTRY_CODES:
        return FailureReason.REFUSED_COUNTRY
    number_type = phonenumbers.number_type(number)
    if channel == Channel.SMS and number_type == PhoneNumberType.FIXED_LINE:
        return FailureReason.LANDLINE
    if number_type not in (SMS_TYPES if channel == Channel.SMS else VOICE_TYPES):
        return FailureReason.REFUSED_NUMBER_TYPE
    return None


def send_cap_refusal(*, channel: str, destination: str, request_ip: str | None) -> FailureReason | None:
    """Count one SMS or voice send against the per-destination and per-IP caps; a refused one is not counted."""
    if channel == Channel.EMAIL:
        return None
    if not limit_peek("message_per_destination", destination).allowed:
        return FailureReason.RATE_LIMITED_DESTINATION
    if request_ip and not limit_peek("message_per_ip", request_ip).allowed:
        return FailureReason.RATE_LIMITED_IP
    limit_hit("message_per_destination", destination)
    if request_ip:
        limit_hit("message_per_ip", request_ip)
    return None
