"""The shopper's small delivery forms on the order page: another day, and instructions for the courier."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from config.dates import day_label
from delivery.doorstep import delivery_days_offered
from delivery.models import Shipment


class RescheduleForm(forms.Form):
    day = forms.TypedChoiceField(label=_("Delivery day"), coerce=date.fromisoformat, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(day.isoformat(), day_label(day)) for day in delivery_days_offered()]


class InstructionsForm(forms.Form):
    instructions = forms.CharField(
        label=_("Instructions for the courier"),
        help_text=_("For example: the blue door round the side; the bell doesn't work, please knock."),
        max_length=Shipment._meta.get_field("instructions").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
    )
