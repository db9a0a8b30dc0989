import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from security.models import PhoneDevice


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "code-input",
                "autofocus": True,
            }
        ),
    )


class PhoneForm(forms.Form):
    number = forms.CharField(
        label=_("Mobile number"),
        max_length=24,
        help_text=_("With the country code, for example +44 7911 123456."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    channel = forms.ChoiceField(
        label=_("Send codes by"),
        choices=PhoneDevice.Channel.choices,
        initial=PhoneDevice.Channel.SMS,
        widget=forms.RadioSelect,
    )

    def clean_number(self) -> str:
        raw = self.cleaned_data["number"]
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                _("Enter a mobile number with its country code, starting with +."), code="invalid_phone"
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class RemoveMethodForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand I'll have no backup method besides my backup codes."), required=False
    )
