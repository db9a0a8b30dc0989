from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.cards import luhn_valid
from accounts.models import Address, User, normalize_email
from security.display import mask_phone
from security.phone_input import (
    PhoneInput,
    PhoneNumberField,
    default_region,
    phone_kind_error,
    region_of,
)
from security.phones import phone_story


class SignUpForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters. A few unrelated words make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "minlength": 10}),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                validate_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned

    @staticmethod
    def password_rules() -> list[str]:
        return password_validators_help_texts()


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username webauthn", "spellcheck": "false", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    # One message for an unknown email, a wrong password and a disabled account: never say which.
    error_messages = {
        "invalid_login": _("That email and password don't match an account. Check them and try again."),
    }

    def __init__(self, request: HttpRequest, *args, **kwargs):
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            # ModelBackend hashes the password even for an unknown email, so timing does not tell either.
            self.user = authenticate(self.request, email=normalize_email(email), password=password)
            if self.user is None:
                raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        return cleaned


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters. A few unrelated words make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "minlength": 10}),
    )
    keep_signed_in = forms.BooleanField(label=_("Keep me signed in on this device"), required=False, initial=True)

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That isn't your current password."), code="wrong_password")
        return password

    def clean_new_password(self) -> str:
        password = self.cleaned_data["new_password"]
        validate_password(password, user=self.user)
        return password


class NewPasswordForm(forms.Form):
    """A new password for an account whose owner proved it another way (a reset, "This wasn't me"): one field
    with the show button, checked by AUTH_PASSWORD_VALIDATORS like every other password on the site."""

    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters. A few unrelated words make a strong password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "minlength": 10, "autofocus": True}),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password(self) -> str:
        password = self.cleaned_data["new_password"]
        validate_password(password, user=self.user)
        return password


class PasswordResetEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false", "autofocus": True}),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class NewEmailForm(forms.Form):
    value = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "autofocus": True}),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_value(self) -> str:
        email = normalize_email(self.cleaned_data["value"])
        if email == self.user.email:
            raise ValidationError(_("That is already your email address."), code="same")
        if User.objects.filter(email=email).exclude(pk=self.user.pk).exists():
            raise ValidationError(_("Another account already uses this email address."), code="taken")
        return email


class NewPhoneForm(forms.Form):
    """A new mobile number, read in the country chosen beside it; where 2SV texts another number, a tick moves
    those codes to the new number too."""

    value = PhoneNumberField(label=_("New mobile number"), widget=PhoneInput(attrs={"autofocus": True}))
    move_two_step = forms.BooleanField(required=False, initial=True)

    def __init__(self, user: User, *args, region: str | None = None, **kwargs):
        self.user = user
        self.story = phone_story(user)
        if not self.story.contact and self.story.two_step:
            kwargs.setdefault("initial", {}).setdefault("value", self.story.two_step[0])  # the number 2SV texts
        super().__init__(*args, **kwargs)
        self.fields["value"].prepare(
            region=region or region_of(self.story.contact) or default_region(),
            data=self.data,
            name=self.add_prefix("value"),
        )
        if self.story.move_offer:
            self.fields["move_two_step"].label = _(
                "Also send my two-step verification codes to the new number, instead of %(number)s"
            ) % {"number": mask_phone(self.story.move_offer)}
        else:
            del self.fields["move_two_step"]

    def clean_value(self) -> str:
        e164 = self.cleaned_data["value"]
        if e164 and (error := phone_kind_error(e164, channel="sms")):
            raise error
        if e164 == self.user.phone:
            raise ValidationError(_("That is already your mobile number."), code="same")
        return e164

    @property
    def move_two_step_from(self) -> str:
        """The 2SV number to move to the new one (besides the old mobile number's, which always moves)."""
        return self.story.move_offer if self.cleaned_data.get("move_two_step") else ""


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["full_name", "line1", "line2", "city", "postcode", "country"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "country": forms.TextInput(attrs={"autocomplete": "country", "maxlength": 2}),
        }

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(_("Use the two-letter country code, for example GB."), code="country")
        return country


class NumberNotEchoed(forms.TextInput):
    """A card number field that never sends the number back to the browser, even when the form has errors."""

    def format_value(self, value):
        return None


class CardForm(forms.Form):
    number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=NumberNotEchoed(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    exp_month = forms.IntegerField(
        label=_("Expiry month"),
        min_value=1,
        max_value=12,
        widget=forms.NumberInput(attrs={"autocomplete": "cc-exp-month"}),
    )
    exp_year = forms.IntegerField(
        label=_("Expiry year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"autocomplete": "cc-exp-year"}),
    )
    name_on_card = forms.CharField(
        label=_("Name on card"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "cc-name"})
    )

    def clean_number(self) -> str:
        number = "".join(ch for ch in self.cleaned_data["number"] if ch.isdigit())
        if not 12 <= len(number) <= 19 or not luhn_valid(number):
            raise ValidationError(_("That card number isn't valid. Check it and try again."), code="card")
        return number

    def clean(self):
        cleaned = super().clean()
        month, year = cleaned.get("exp_month"), cleaned.get("exp_year")
        if month and year:
            today = timezone.now().date()
            if (year, month) < (today.year, today.month):
                self.add_error("exp_year", _("This card has expired."))
        return cleaned
