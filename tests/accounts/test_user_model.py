import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from accounts.validators import validate_e164

pytestmark = pytest.mark.django_db


def test_emails_are_unique_whatever_the_case_even_written_around_the_manager(shopper):
    # Raw SQL skips our normalisation: the database constraint still holds.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (email, name, phone, preferred_language, is_active, is_staff,"
            " is_courier, is_superuser, date_joined, password) VALUES (%s, 'x', '', 'en-US', true, false,"
            " false, false, CURRENT_TIMESTAMP, '!')",
            ["JO.SHOPPER@EXAMPLE.COM"],
        )


def test_the_natural_key_is_case_insensitive(shopper):
    assert User.objects.get_by_natural_key("Jo.Shopper@Example.com") == shopper


@pytest.mark.parametrize("number", ["+447911123456", "+14155552671", "+4915112345678"])
def test_e164_numbers_are_accepted(number):
    validate_e164(number)


@pytest.mark.parametrize("number", ["07700900123", "+44 7700 900123", "+1415555", "+999123456789", "phone"])
def test_numbers_not_in_e164_are_refused(number):
    with pytest.raises(ValidationError):
        validate_e164(number)
