import phonenumbers
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


def validate_e164(value: str) -> None:
    """A phone number stored in E.164 (+447700900123) that phonenumbers considers valid."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value
    ):
        raise ValidationError(
            gettext_lazy("Enter the number in international form, starting with + and the country code."),
            code="invalid_phone",
        )


# Django's password rules, in the site's voice (AUTH_PASSWORD_VALIDATORS names these): the same checks, our words.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:  # Django fills in min_length
        return ngettext(
            "Use at least %(min_length)d character.", "Use at least %(min_length)d characters.", self.min_length
        )

    def get_help_text(self) -> str:
        return ngettext(
            "At least %(min_length)d character.", "At least %(min_length)d characters.", self.min_length
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("That's too close to your %(verbose_name)s. Choose something that doesn't contain it.")

    def get_help_text(self) -> str:
        return _("Not like your email address or name.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("That's one of the passwords people use most, so it's guessed first. Choose another.")

    def get_help_text(self) -> str:
        return _("Not one of the passwords people use most.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("Add some letters: a password of only numbers is quick to guess.")

    def get_help_text(self) -> str:
        return _("Not only numbers.")
