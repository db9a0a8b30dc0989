"""Demo accounts for the embedded default (DEBUG only)."""

from accounts.models import Address, Language, PaymentCard, User
from security.methods import phone_add

# The demo admin's and courier's phones for 2SV (both roles need it): their codes land in the dev outbox.
DEMO_ADMIN_PHONE = "+447911123456"
DEMO_COURIER_PHONE = "+447911123458"
DEMO_SHOPPER_PHONE = "+447911123457"

DEMO_ACCOUNTS = (
    # email, name, role flags
    ("shopper@example.com", "Sam Shopper", {}),
    ("courier@example.com", "Casey Courier", {"is_courier": True}),
    ("admin@example.com", "Alex Admin", {"is_staff": True, "is_superuser": True}),
)


def demo_accounts_create(*, password: str) -> list[tuple[User, bool]]:
    """Create the demo accounts that do not exist yet; returns (user, created) for each."""
    results = []
    for email, name, roles in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            user = User.objects.create_user(email, password, name=name, preferred_language=Language.EN_GB, **roles)
            if user.is_staff or user.is_courier:
                number = DEMO_ADMIN_PHONE if user.is_staff else DEMO_COURIER_PHONE
                phone_add(user=user, number=number, channel="sms", primary=True, confirmed=True, request=None)
            if not roles:  # the shopper: somewhere to deliver to and a card record to check out with
                user.phone = DEMO_SHOPPER_PHONE
                user.save(update_fields=["phone"])
                Address.objects.create(
                    user=user,
                    full_name=name,
                    line1="14 Chapel Market",
                    city="London",
                    postcode="N1 9EZ",
                    is_default=True,
                )
                PaymentCard.objects.create(
                    user=user, brand="Visa", last4="4242", exp_month=12, exp_year=2030, name_on_card=name.upper()
                )
        results.append((user, created))
    return results
