"""The words of security, in one place: what a code is for (Purpose) and what a step-up protects (StepUpAction)."""

import enum


class StepUpAction(enum.StrEnum):
    """A sensitive action behind `@step_up_required`. The step-up page refuses (404) any other word."""

    CHANGE_EMAIL = "change_email"
    CHANGE_PHONE = "change_phone"
    CHANGE_PASSWORD = "change_password"  # noqa: S105 -- an action, not a password
    ADDRESSES = "addresses"
    PAYMENT_CARDS = "payment_cards"
    TWO_STEP = "two_step"
    TRUSTED_DEVICES = "trusted_devices"
    SIGNOUT_EVERYWHERE = "signout_everywhere"
    PASSKEYS = "passkeys"
    DELIVERY_UNLOCK = "delivery_unlock"  # a locked delivery code replaced, once per delivery day

    @property
    def purpose(self) -> str:
        return f"step_up:{self.value}"


class Purpose(enum.StrEnum):
    """What a code proves. A code for one purpose never proves another (its hash is bound to it)."""

    SIGNIN = "signin"  # the 2SV step after the password
    NEW_DEVICE = "new_device"  # the new-browser step after the password, without 2SV
    SIGNUP = "verify_signup"  # a new account's email, before it receives anything else
    RECOVERY = "recovery"
    RECOVERY_COMPLETE = "recovery_complete"
    SIGNIN_CODE = "signin_code"  # a code instead of the password
    PASSWORD_RESET = "password_reset"  # noqa: S105 -- purposes, not passwords
    PASSWORD_RESET_2SV = "password_reset_2sv"  # noqa: S105
    REPORT_INTRUSION = "report_intrusion"
    REPORT_INTRUSION_2SV = "report_intrusion_2sv"
    VERIFY_PHONE = "verify_phone"
    VERIFY_EMAIL = "verify_email"
    ADMIN_SIGNIN = "admin_signin"


# Purposes a stranger can reach with only an email address (or a link sent to one): no password is proved.
# Their wrong codes never count against the account's streak, the account's lock never stops them (they are the
# owner's way back in), and their sends draw on the stranger budget.
STRANGER_PURPOSES = frozenset(
    {
        Purpose.SIGNUP,
        Purpose.SIGNIN_CODE,
        Purpose.PASSWORD_RESET,
        Purpose.PASSWORD_RESET_2SV,
        Purpose.REPORT_INTRUSION,
        Purpose.REPORT_INTRUSION_2SV,
    }
)


def is_stranger_purpose(purpose: str) -> bool:
    return purpose in STRANGER_PURPOSES
