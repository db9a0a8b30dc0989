"""How methods and destinations are shown to people: masked, and in plain words."""

import io

import phonenumbers
import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils.translation import gettext as _

from security.models import AuthenticatorDevice, BackupCodeDevice, Method, PhoneDevice


def mask_phone(number: str) -> str:
    return f"•••• {number[-4:]}" if number else ""


def mask_email(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else email


def pretty_phone(number: str) -> str:
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(number, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return number


def method_label(device) -> str:
    if isinstance(device, AuthenticatorDevice):
        return _("Authenticator app")
    if isinstance(device, PhoneDevice):
        how = _("Text message") if device.channel == Method.SMS else _("Voice call")
        return _("%(how)s to %(number)s") % {"how": how, "number": mask_phone(device.number)}
    if isinstance(device, BackupCodeDevice):
        return _("Backup code")
    return str(device)


def secret_groups(secret: str) -> str:
    """The secret in groups of four, for typing into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(*, secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=settings.SHOP_NAME)


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no image request, no inline style: fits the Content-Security-Policy)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]
