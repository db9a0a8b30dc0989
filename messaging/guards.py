"""Guarding cost and abuse (SMS pumping, inbox floods): where messages may go, and how often."""

import enum

import phonenumbers
from django.conf import settings
from phonenumbers import PhoneNumberType

from config.ratelimit import limit_peek, limits_hit
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


class Budget(enum.StrEnum):
    """Whose allowance a message draws on. Each flow that sends names its budget; messaging knows no flows."""

    CODE = "code"  # asked for by a signed-in session, or one that proved the password
    STRANGER = "stranger"  # could be asked for by anyone with an email or number: reset, sign-up, "This wasn't me"
    DELIVERY = "delivery"  # delivery codes and updates: never refused because sign-in codes filled a cap
    ALERT = "alert"  # security alerts: never capped (each cause of one is limited where it happens)
    CHECKED = "checked"  # the caller counted it against the caps already (so both branches of a flow do the same)


def send_cap_refusal(
    *, channel: str, destination: str, budget: Budget, account: str = "", request_ip: str | None = None
) -> tuple[FailureReason, int] | None:
    """Count one send against the caps of its budget, all or nothing; a refused one is not counted.
    Returns the reason and the seconds until a send would be allowed, or None when it may go."""
    if budget in {Budget.ALERT, Budget.CHECKED}:
        return None
    destination_limits = {
        Budget.CODE: ["code_per_destination"],
        Budget.STRANGER: ["stranger_code_per_destination"],
        Budget.DELIVERY: ["delivery_message_per_destination"],
    }[budget]
    limits = [(name, destination) for name in destination_limits]  # a phone's SMS and calls count together
    if budget == Budget.CODE and account:
        limits.append(("code_per_account", account))
    if request_ip and budget in {Budget.CODE, Budget.STRANGER}:
        limits.append(("code_per_ip", request_ip))
    allowance = limits_hit(*limits)
    if allowance.allowed:
        return None
    # Which cap bit decides the words: a network's, or this person's (destination and account read the same).
    if (
        request_ip
        and any(name == "code_per_ip" for name, _subject in limits)
        and not limit_peek("code_per_ip", request_ip).allowed
    ):
        return FailureReason.RATE_LIMITED_IP, allowance.retry_after
    return FailureReason.RATE_LIMITED_DESTINATION, allowance.retry_after
