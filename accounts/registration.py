"""Creating a shopper's account."""

from django.db import IntegrityError, transaction

from accounts.models import Language, User, UserManager


class EmailTaken(Exception):
    """Another account already uses this email address (in any letter case)."""


def user_sign_up(*, email: str, password: str, name: str, preferred_language: Language) -> User:
    """Create a shopper with a usable password. Raises EmailTaken on a duplicate, even under a race."""
    manager: UserManager = User.objects
    try:
        with transaction.atomic():
            return manager.create_user(email, password, name=name.strip(), preferred_language=preferred_language)
    except IntegrityError as error:
        raise EmailTaken from error
