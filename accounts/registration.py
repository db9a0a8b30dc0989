"""Creating a shopper's account."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Language, User, UserManager


class EmailTaken(Exception):
    """Another account already uses this email address (in any letter case)."""


def user_sign_up(*, email: str, password: str, name: str, preferred_language: Language) -> User:
    """Create a shopper whose email is not yet proved (a code to it comes next). Raises EmailTaken on a
    duplicate, even under a race. An older sign-up that never proved this address holds nothing and gives way:
    whoever proves the address owns it."""
    manager: UserManager = User.objects
    stale = timezone.now() - timedelta(seconds=settings.SECURITY_CODE_LIFETIME_SECONDS)
    try:
        with transaction.atomic():
            manager.filter(
                email=email, email_verified_at__isnull=True, last_login__isnull=True, date_joined__lt=stale
            ).delete()
            return manager.create_user(
                email, password, name=name.strip(), preferred_language=preferred_language, email_verified_at=None
            )
    except IntegrityError as error:
        raise EmailTaken from error
