import re

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.handoff import code_normalize
from delivery.models import Shipment


class HandoffCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Delivery code"),
        help_text=_("Ask the customer to read out the 6-digit code from their order page or text message."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 \-]*",
                "class": "code-input code-input--large",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        code = code_normalize(self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("A delivery code is 6 digits. Ask the customer to read it again."))
        return code


class AttemptFailedForm(forms.Form):
    reason = forms.ChoiceField(choices=Shipment.FailureReason.choices)
