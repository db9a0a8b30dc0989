from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AddToCartForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10, initial=1)


class CartQuantityForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=10)


class CardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, card) -> str:
        return _("%(card)s, expires %(month)02d/%(year)d") % {
            "card": card,
            "month": card.exp_month,
            "year": card.exp_year,
        }


class AddressChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, address) -> str:
        parts = [address.full_name, address.line1, address.line2, address.city, address.postcode]
        return ", ".join(part for part in parts if part)


class CheckoutForm(forms.Form):
    address = AddressChoiceField(
        label=_("Deliver to"), queryset=None, widget=forms.RadioSelect, empty_label=None, to_field_name="pk"
    )
    card = CardChoiceField(label=_("Pay with"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    checkout_token = forms.CharField(widget=forms.HiddenInput, max_length=43)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        addresses = user.addresses.all()
        cards = user.payment_cards.exclude(exp_year__lt=today.year).exclude(
            exp_year=today.year, exp_month__lt=today.month
        )
        self.fields["address"].queryset = addresses
        self.fields["card"].queryset = cards
        if not self.is_bound:
            default = next((a for a in addresses if a.is_default), None) or next(iter(addresses), None)
            self.initial.setdefault("address", default.pk if default else None)
            first_card = next(iter(cards), None)
            self.initial.setdefault("card", first_card.pk if first_card else None)
