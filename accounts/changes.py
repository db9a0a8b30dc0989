"""Sensitive changes to an account, each behind step-up in its view, recorded and alerted here."""

from django.db import transaction
from django.http import HttpRequest

from accounts.cards import card_brand
from accounts.models import Address, PaymentCard
from security.alerts import security_record
from security.display import mask_email, mask_phone
from security.models import SecurityEvent
from security.phones import two_step_phones_move
from security.trusted_devices import trusted_devices_revoke


def email_change(*, user, new_email: str, request: HttpRequest) -> None:
    """The new address is proved; the old one is told where the account's email went."""
    old_email = user.email
    with transaction.atomic():
        user.email = new_email
        user.save(update_fields=["email"])
        security_record(
            user=user,
            kind=SecurityEvent.Kind.EMAIL_CHANGED,
            request=request,
            email_to=old_email,
            new_contact=mask_email(new_email),
        )


def phone_change(*, user, new_phone: str, request: HttpRequest, move_two_step_from: str = "") -> int:
    """The new number is proved; the 2SV phones on the old number move with it (one phone story), and so does
    the one on `move_two_step_from` when the shopper ticked it. The old number and the email are told.
    Returns how many 2SV phones moved."""
    old_phone = user.phone
    with transaction.atomic():
        user.phone = new_phone
        user.save(update_fields=["phone"])
        moved = sum(
            two_step_phones_move(user=user, old_number=number, new_number=new_phone)
            for number in dict.fromkeys([old_phone, move_two_step_from])
            if number
        )
        trusted_devices_revoke(user=user, request=request)
        security_record(
            user=user,
            kind=SecurityEvent.Kind.PHONE_CHANGED,
            request=request,
            sms_to=old_phone,
            new_contact=mask_phone(new_phone),
        )
    return moved


def address_save(*, user, form, request: HttpRequest, make_default: bool = False):
    """Add or edit an address; the first one is the default."""
    with transaction.atomic():
        address = form.save(commit=False)
        address.user = user
        first = not Address.objects.filter(user=user).exclude(pk=address.pk).exists()
        if make_default or first:
            Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
            address.is_default = True
        address.save()
        security_record(user=user, kind=SecurityEvent.Kind.ADDRESS_CHANGED, request=request)
    return address


def address_delete(*, address, request: HttpRequest) -> None:
    with transaction.atomic():
        user, was_default = address.user, address.is_default
        address.delete()
        if was_default:
            replacement = Address.objects.filter(user=user).order_by("-created_at").first()
            if replacement:
                Address.objects.filter(pk=replacement.pk).update(is_default=True)
        security_record(user=user, kind=SecurityEvent.Kind.ADDRESS_CHANGED, request=request)


def address_make_default(*, address, request: HttpRequest) -> None:
    with transaction.atomic():
        Address.objects.filter(user=address.user, is_default=True).update(is_default=False)
        Address.objects.filter(pk=address.pk).update(is_default=True)
        security_record(user=address.user, kind=SecurityEvent.Kind.ADDRESS_CHANGED, request=request, alert_quietly=True)


def card_add(*, user, number: str, exp_month: int, exp_year: int, name_on_card: str, request: HttpRequest):
    """Keep the brand and last four digits of a (Luhn-checked) number; the number itself goes nowhere."""
    with transaction.atomic():
        card = PaymentCard.objects.create(
            user=user,
            brand=card_brand(number),
            last4=number[-4:],
            exp_month=exp_month,
            exp_year=exp_year,
            name_on_card=name_on_card,
        )
        security_record(
            user=user,
            kind=SecurityEvent.Kind.CARD_ADDED,
            request=request,
            detail={"card": str(card)},
            new_contact=str(card),
        )
    return card


def card_remove(*, card, request: HttpRequest) -> None:
    with transaction.atomic():
        user, label = card.user, str(card)
        card.delete()
        security_record(
            user=user, kind=SecurityEvent.Kind.CARD_REMOVED, request=request, detail={"card": label}, new_contact=label
        )


def contact_changes_by_admin_record(*, user, old_email: str, old_phone: str, by_admin: str, request: HttpRequest):
    """After an admin saved `user`: each contact that changed is recorded as support's doing, and the old email or
    number is told (with "This wasn't me"), as when the shopper changes it. Returns the events recorded."""
    detail = {"by_admin": by_admin}
    events = []
    with transaction.atomic():
        if user.email != old_email:
            events.append(
                security_record(
                    user=user,
                    kind=SecurityEvent.Kind.EMAIL_CHANGED,
                    request=request,
                    detail=detail,
                    email_to=old_email,
                    new_contact=mask_email(user.email),
                )
            )
        if user.phone != old_phone:
            events.append(
                security_record(
                    user=user,
                    kind=SecurityEvent.Kind.PHONE_CHANGED,
                    request=request,
                    detail=detail,
                    email_to=old_email,  # the address on file before this save, in case it changed too
                    sms_to=old_phone,
                    new_contact=mask_phone(user.phone),
                )
            )
    return events
