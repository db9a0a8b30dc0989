"""Which ways a person can prove it's them, and starting a challenge by the one they choose."""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device

from security.challenges import Sending, challenge_issue
from security.display import mask_email, mask_phone, method_label
from security.methods import TwoStep, two_step_summary, user_device
from security.models import Method, PhoneDevice

EMAIL_OPTION = "email"
ACCOUNT_PHONE_OPTION = "account_phone"


@dataclass(frozen=True)
class Option:
    key: str  # a device's persistent id, or one of the keys above
    label: str
    method: str
    destination: str = ""  # masked, for the page: •••• 0143, j•••@example.com
    send_to: str = ""  # a destination other than the account's own (a rescue address, a number being added)
    device: Device | None = field(default=None, compare=False, repr=False)  # loaded with the list: not again


def verification_options(user, summary: TwoStep | None = None) -> list[Option]:
    """A 2SV user proves it with 2SV methods only (email would be a weaker way round them); others by their
    phone on file, else their email. `summary`: the user's two_step_summary, when the caller has it."""
    summary = summary or two_step_summary(user)
    if summary.enabled:
        options = []
        for device in [summary.primary, *summary.backups]:
            method = device.channel if isinstance(device, PhoneDevice) else Method.AUTHENTICATOR
            label, masked = method_label(device), mask_phone(getattr(device, "number", ""))
            options.append(Option(device.persistent_id, label, method, masked, device=device))
        codes = summary.backup_codes
        if codes and summary.backup_codes_left:
            options.append(Option(codes.persistent_id, _("Backup code"), Method.BACKUP_CODE, device=codes))
        return options
    options = []
    if user.phone:
        options.append(
            Option(
                ACCOUNT_PHONE_OPTION,
                _("Text message to %(number)s") % {"number": mask_phone(user.phone)},
                Method.SMS,
                mask_phone(user.phone),
            )
        )
    options.append(
        Option(
            EMAIL_OPTION,
            _("Email to %(email)s") % {"email": mask_email(user.email)},
            Method.EMAIL,
            mask_email(user.email),
        )
    )
    return options


def email_option(user, send_to: str = "") -> Option:
    """The account's email (or another address that must prove it's them) as the only way to get a code."""
    address = send_to or user.email
    return Option(EMAIL_OPTION, _("Email"), Method.EMAIL, mask_email(address), send_to=send_to)


def challenge_start(
    *, user, purpose: str, option: Option, request: HttpRequest, flow: str = "", new_flow: bool = False
) -> Sending:
    if option.key == EMAIL_OPTION or option.send_to:  # the account's email, or an address or number to prove
        return challenge_issue(
            user=user,
            purpose=purpose,
            method=option.method,
            destination=option.send_to,
            request=request,
            flow=flow,
            new_flow=new_flow,
        )
    if option.key == ACCOUNT_PHONE_OPTION:
        return challenge_issue(
            user=user,
            purpose=purpose,
            method=Method.SMS,
            destination=user.phone,
            request=request,
            flow=flow,
            new_flow=new_flow,
        )
    device = option.device if option.device is not None else user_device(user, option.key)
    return challenge_issue(
        user=user, purpose=purpose, method=option.method, device=device, request=request, flow=flow, new_flow=new_flow
    )
