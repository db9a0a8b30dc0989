from django import forms
from django.utils.translation import gettext_lazy as _

from security.models import PhoneDevice
from security.phone_input import PhoneNumberField, phone_display, phone_kind_error


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
    """A phone for 2SV: the number (country picker beside it), how codes go to it, and whether it is also the
    account's mobile number."""

    number = PhoneNumberField(label=_("Mobile number"))
    channel = forms.ChoiceField(
        label=_("Send codes by"),
        choices=PhoneDevice.Channel.choices,
        initial=PhoneDevice.Channel.SMS,
        widget=forms.RadioSelect,
    )
    # The account's mobile number too ("mobile number" stays out of the words: the field above is "Mobile number").
    also_contact = forms.BooleanField(label=_("Also send my order and account texts to this number"), required=False)

    def __init__(self, *args, region: str, contact_phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].prepare(region=region, data=self.data, name=self.add_prefix("number"))
        self.contact_phone = contact_phone
        if contact_phone:
            self.fields["also_contact"].label = _(
                "Also send my order and account texts here, instead of to %(number)s"
            ) % {"number": phone_display(contact_phone)}
        else:
            self.fields["also_contact"].initial = True

    def clean(self):
        cleaned = super().clean()
        number, channel = cleaned.get("number"), cleaned.get("channel")
        if number and channel and (error := phone_kind_error(number, channel=channel)):
            self.add_error("number", error)
        if cleaned.get("also_contact") and number and phone_kind_error(number, channel="sms"):
            self.add_error("also_contact", _("We can't text a landline: untick this, or use a mobile."))
        return cleaned

    @property
    def offers_also_contact(self) -> bool:
        """The tick, unless the number shown is the account's mobile number already."""
        if not self.contact_phone:
            return True
        if not self.is_bound:
            return self.initial.get("number") != self.contact_phone
        return getattr(self, "cleaned_data", {}).get("number") != self.contact_phone


class RemoveMethodForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand I'll have no backup method besides my backup codes."), required=False
    )
