"""One phone story: the account's mobile number and the phones that receive 2SV codes, read and moved together."""

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest

from security.alerts import security_record
from security.display import mask_phone
from security.models import PhoneDevice, SecurityEvent
from security.phone_input import phone_display


@dataclass(frozen=True)
class PhoneStory:
    """What Login & security and the phone forms say about the shopper's numbers."""

    contact: str  # the account's mobile number (E.164), or ""
    two_step: tuple[str, ...]  # the numbers 2SV codes go to, the primary first

    @property
    def contact_is_two_step(self) -> bool:
        return bool(self.contact) and self.contact in self.two_step

    @property
    def two_step_elsewhere(self) -> tuple[str, ...]:
        """2SV numbers that aren't the mobile number."""
        return tuple(number for number in self.two_step if number != self.contact)

    @property
    def contact_display(self) -> str:
        return phone_display(self.contact) if self.contact else ""

    @property
    def two_step_display(self) -> str:
        """The number 2SV texts first (the primary's), written out: the shopper's own, shown to them."""
        return phone_display(self.two_step[0]) if self.two_step else ""

    @property
    def two_step_elsewhere_masked(self) -> str:
        return ", ".join(mask_phone(number) for number in self.two_step_elsewhere)

    @property
    def move_offer(self) -> str:
        """The 2SV number to offer moving to a new mobile number, when the old mobile number isn't a 2SV phone
        (a number that is one moves with it anyway)."""
        return "" if self.contact_is_two_step or not self.two_step else self.two_step[0]


def phone_story(user) -> PhoneStory:
    devices = PhoneDevice.objects.filter(user=user, confirmed=True).order_by("-is_primary", "created_at", "pk")
    numbers = tuple(dict.fromkeys(device.number for device in devices))
    return PhoneStory(contact=user.phone, two_step=numbers)


def two_step_phones_move(*, user, old_number: str, new_number: str) -> int:
    """Move the user's 2SV phones on `old_number` to `new_number`, which has just been proved. Where a 2SV phone
    already has the new number, the old one goes instead (handing on its primary role): no number is two methods.
    Returns how many moved or merged."""
    if not old_number or old_number == new_number:
        return 0
    moving = list(PhoneDevice.objects.select_for_update().filter(user=user, number=old_number))
    if not moving:
        return 0
    existing = PhoneDevice.objects.select_for_update().filter(user=user, number=new_number).first()
    for device in moving:
        if existing is None:
            device.number, device.name = new_number, f"Phone {new_number[-4:]}"
            device.save(update_fields=["number", "name"])
            existing = device
        else:
            if device.is_primary and not existing.is_primary:
                PhoneDevice.objects.filter(pk=existing.pk).update(is_primary=True)
            device.delete()
    return len(moving)


def contact_phone_adopt(*, user, number: str, request: HttpRequest | None) -> None:
    """ "Also use this as my mobile number" at 2SV enrolment: the number just proved becomes the account's, and
    the old number (if any) and the email are told, as for any change of mobile number."""
    old_phone = user.phone
    if number == old_phone:
        return
    with transaction.atomic():
        user.phone = number
        user.save(update_fields=["phone"])
        security_record(
            user=user,
            kind=SecurityEvent.Kind.PHONE_CHANGED,
            request=request,
            sms_to=old_phone,
            new_contact=mask_phone(number),
        )
