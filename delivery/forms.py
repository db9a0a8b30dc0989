import re

from django import forms
from django.utils.translation import gettext_lazy as _

from delivery.handoff import code_normalize
from delivery.models import Shipment
from delivery.proof import ProofPhotoRefused, proof_photo_prepare


class HandoffForm(forms.Form):
    """One tap hands over: the code the shopper reads out (when the parcel needs one) and an optional photo."""

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
    photo = forms.FileField(
        label=_("Photo of the parcel at the door (optional)"),
        help_text=_("Kept with the delivery. Only the customer and our staff can see it."),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, needs_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]

    def clean_code(self) -> str:
        code = code_normalize(self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("A delivery code is 6 digits. Ask the customer to read it again."))
        return code

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return proof_photo_prepare(upload)
        except ProofPhotoRefused as refusal:
            raise forms.ValidationError(str(refusal)) from refusal


class AttemptFailedForm(forms.Form):
    """The reason the courier tapped, and on the confirm step an optional note for our staff."""

    reason = forms.ChoiceField(choices=Shipment.FailureReason.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note for our staff (optional)"),
        help_text=_("For example where you left a card. The customer sees the reason, not this note."),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
    )


class ShipmentAdminForm(forms.ModelForm):
    """The admin's form: a delivery window must end after it starts."""

    class Meta:
        model = Shipment
        fields = ("courier", "route_position", "window_start", "window_end")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("window_start"), cleaned.get("window_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give the delivery window both a start and an end, or neither."))
        if start and end and end <= start:
            raise forms.ValidationError(_("The delivery window must end after it starts."))
        return cleaned
