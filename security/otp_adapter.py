"""django-otp's device interface (verify_token, generate_challenge), for OTPAdminSite: through the one code path.

The devices (security.models) reach these through SecurityConfig.ready(), since this module imports the models.
"""

from django.utils.translation import gettext as _
from django_otp.models import Device

from security.challenges import challenge_issue, challenge_verify
from security.models import SIDE_CHANNELS, AuthenticatorDevice, Challenge, Method, PhoneDevice
from security.vocabulary import Purpose

ADMIN_SIGNIN = Purpose.ADMIN_SIGNIN


def device_challenge_send(*, device: PhoneDevice) -> str:
    """For django-otp's forms (OTPAdminSite): send a code to this phone."""
    sending = challenge_issue(user=device.user, purpose=ADMIN_SIGNIN, method=device.channel, device=device)
    return _("Code sent.") if sending.sent else sending.message


def device_token_verify(*, device: Device, token: str) -> bool:
    """For django-otp's forms: check a token typed for this device through a challenge, like any other code."""
    challenge = (
        Challenge.objects.filter(
            user=device.user, purpose=ADMIN_SIGNIN, state=Challenge.State.ACTIVE, device_id=device.persistent_id
        )
        .order_by("-created_at")
        .first()
    )
    if challenge is None or (challenge.method in SIDE_CHANNELS and challenge.is_expired()):
        if isinstance(device, PhoneDevice):
            return False  # a phone code needs its challenge: "Get challenge" first
        method = Method.AUTHENTICATOR if isinstance(device, AuthenticatorDevice) else Method.BACKUP_CODE
        challenge = challenge_issue(user=device.user, purpose=ADMIN_SIGNIN, method=method, device=device).challenge
    return challenge_verify(challenge_id=challenge.pk, user=device.user, purpose=ADMIN_SIGNIN, code=token).passed
