"""What a code is for, in the words a message uses ("to sign in"). Unknown purposes get a safe default."""

from django.utils.translation import gettext_lazy as _

PURPOSE_PHRASES = {
    "signin": _("to sign in"),
    "new_device": _("to sign in"),
    "signin_code": _("to sign in"),
    "password_reset": _("to reset your password"),
    "verify_phone": _("to confirm your number"),
    "verify_email": _("to confirm your email"),
    "verify_signup": _("to confirm your email"),
    "password_reset_2sv": _("to reset your password"),
    "report_intrusion": _("to secure your account"),
    "report_intrusion_2sv": _("to secure your account"),
    "recovery_complete": _("to recover your account"),
    "admin_signin": _("to sign in"),
    "step_up:signout_everywhere": _("to sign out everywhere"),
    "step_up:passkeys": _("to manage your passkeys"),
    "recovery": _("to recover your account"),
    "step_up:change_email": _("to change your email"),
    "step_up:change_phone": _("to change your number"),
    "step_up:change_password": _("to change your password"),
    "step_up:addresses": _("to change your addresses"),
    "step_up:payment_cards": _("to manage your cards"),
    "step_up:two_step": _("to change your 2-step settings"),
    "step_up:trusted_devices": _("to manage your devices"),
    "step_up:delivery_unlock": _("to unlock your delivery code"),
    "delivery": _("for your delivery"),
}
DEFAULT_PHRASE = _("to confirm it's you")


def purpose_phrase(purpose: str) -> str:
    return str(PURPOSE_PHRASES.get(purpose, DEFAULT_PHRASE))
