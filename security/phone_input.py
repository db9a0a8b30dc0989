"""The phone field: a country picker (flag and dialling code, a native <select>) beside a tel input, the number
read the way the shopper writes it in that country, and errors that say what is wrong with it.

phonenumbers (libphonenumber's data) does the parsing; the widget is ours (docs/DECISIONS.md, issue 17). The field's
value is the number in E.164, as the accounts and the 2SV phones store it.
"""

import functools
import unicodedata

import phonenumbers
from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumbers import PhoneNumberType
from phonenumbers.geodata.locale import LOCALE_DATA

from security.events import client_ip
from security.places import place_for_ip

REGION_SESSION_KEY = "phone_region"  # the country the shopper chose last, in this browser's session
TEXTABLE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
CALLABLE_TYPES = TEXTABLE_TYPES | {PhoneNumberType.FIXED_LINE}
# Regions phonenumbers knows but names in no language.
UNNAMED_REGIONS = {
    "AC": gettext_lazy("Ascension Island"),
    "TA": gettext_lazy("Tristan da Cunha"),
    "XK": gettext_lazy("Kosovo"),
}

NOT_A_NUMBER = "not_a_number"
COUNTRY_CODE = "country_code"
NOT_TEXTABLE = "not_textable"
NOT_CALLABLE = "not_callable"


def region_name(region: str) -> str:
    """The country's name in the active language, from phonenumbers' names."""
    names = LOCALE_DATA.get(region, {})
    language = (translation.get_language() or "en").split("-")[0].lower()
    name = names.get(language) or names.get("en") or ""
    while name.startswith("*"):  # "*en": the same name as that language's
        name = names.get(name[1:], "")
    return name or str(UNNAMED_REGIONS.get(region, region))


def region_flag(region: str) -> str:
    """The flag emoji: the region's two letters as regional indicator symbols."""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in region.upper())


def _sort_key(name: str) -> str:
    """Åland Islands among the A's."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)).casefold()


@functools.cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    regions = sorted(phonenumbers.SUPPORTED_REGIONS, key=lambda region: _sort_key(region_name(region)))
    return tuple(
        (
            region,
            _("%(country)s %(flag)s +%(code)s")
            % {
                "flag": region_flag(region),
                "country": region_name(region),
                "code": phonenumbers.country_code_for_region(region),
            },
        )
        for region in regions
    )


def country_choices() -> tuple[tuple[str, str], ...]:
    """Every country phonenumbers knows, by name in the active language, each as "United Kingdom 🇬🇧 +44" (the name
    first, so typing its first letters in the closed <select> finds it)."""
    return _country_choices(translation.get_language() or "en")


def default_region() -> str:
    return settings.PHONENUMBER_DEFAULT_REGION


def _known_region(region: str | None) -> str | None:
    region = (region or "").upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def region_of(e164: str) -> str | None:
    """The country of a stored number (+447911123456 is GB)."""
    try:
        return _known_region(phonenumbers.region_code_for_number(phonenumbers.parse(e164, None)))
    except phonenumbers.NumberParseException:
        return None


def _language_region(request: HttpRequest) -> str | None:
    """The region of the browser's first language, when it names one ("en-GB", "pt-BR")."""
    first = request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(",")[0].split(";")[0].strip()
    _language, _dash, region = first.replace("_", "-").partition("-")
    return _known_region(region) if len(region) == 2 else None


def phone_region_guess(request: HttpRequest, *, numbers: tuple[str, ...] = ()) -> str:
    """The country to show first: the shopper's last choice, else that of a number they already have, else the
    request's country, else their language's, else PHONENUMBER_DEFAULT_REGION."""
    remembered = _known_region(request.session.get(REGION_SESSION_KEY)) if hasattr(request, "session") else None
    if remembered:
        return remembered
    for number in numbers:
        if number and (region := region_of(number)):
            return region
    from_ip = _known_region(place_for_ip(client_ip(request)).get("country"))
    return from_ip or _language_region(request) or default_region()


def phone_region_remember(request: HttpRequest, e164: str) -> None:
    """Keep the country of the number just entered, for the next phone field in this session."""
    if region := region_of(e164):
        request.session[REGION_SESSION_KEY] = region


# ------------------------------------------------------------------------------------------------ reading


def _invalid(message: str, code: str) -> forms.ValidationError:
    return forms.ValidationError(message, code=code)


def _country_code_error(region: str) -> forms.ValidationError:
    return _invalid(
        _(
            "That isn't a phone number in the country chosen (%(country)s). Choose the country the number is from, "
            "or type it with + and its country code."
        )
        % {"country": region_name(region)},
        COUNTRY_CODE,
    )


def phone_parse(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    """The number the shopper typed, read in `region` unless it starts with + (or 00) and a country code.
    Raises a ValidationError whose code says what is wrong: NOT_A_NUMBER, COUNTRY_CODE or NOT_TEXTABLE."""
    region = _known_region(region) or default_region()
    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 3 or any(ch.isalpha() for ch in text):
        raise _invalid(_("That isn't a phone number. Type the digits of your number."), NOT_A_NUMBER)
    try:
        number = phonenumbers.parse(text, region, keep_raw_input=True)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise _invalid(
                _("There's no country with that code. Check the number after the +, or choose your country."),
                COUNTRY_CODE,
            ) from None
        raise _invalid(_("That isn't a phone number. Type the digits of your number."), NOT_A_NUMBER) from None
    if phonenumbers.is_valid_number(number):
        return number
    international = number.country_code_source != phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    if not international:
        # "33 6 12 34 56 78" with the United Kingdom chosen: a country code typed without its +
        try:
            with_plus = phonenumbers.parse("+" + digits, None)
        except phonenumbers.NumberParseException:
            with_plus = None
        if with_plus is not None and phonenumbers.is_valid_number(with_plus):
            raise _invalid(
                _("If the number starts with its country code, put a + in front: %(number)s.")
                % {"number": phone_display(phonenumbers.format_number(with_plus, phonenumbers.PhoneNumberFormat.E164))},
                COUNTRY_CODE,
            )
        if phonenumbers.is_possible_number_with_reason(number) not in _POSSIBLE:
            raise _country_code_error(region)
    if phonenumbers.is_possible_number_with_reason(number) in _POSSIBLE:
        # The right length for its country, in a range no operator has been given (or keeps for films, as Ofcom's
        # 07700 900xxx): nobody would get the text.
        raise _invalid(_("That isn't a mobile number we can text. Check the number, or use another."), NOT_TEXTABLE)
    raise _invalid(
        _("That number is too short or too long for %(country)s. Check the number and its country code.")
        % {"country": region_name(_known_region(phonenumbers.region_code_for_number(number)) or region)},
        NOT_A_NUMBER,
    )


_POSSIBLE = {
    phonenumbers.ValidationResult.IS_POSSIBLE,
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
}


def phone_kind_error(e164: str, *, channel: str = "sms") -> forms.ValidationError | None:
    """Why codes by `channel` can't go to this valid number (premium-rate, shared-cost, a landline for texts…)."""
    number_type = phonenumbers.number_type(phonenumbers.parse(e164, None))
    costly = number_type in {PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST}
    if channel == "voice":
        if number_type in CALLABLE_TYPES:
            return None
        if costly:
            message = _("That isn't a number we can call: it's a premium-rate or shared-cost number. Use a mobile.")
        else:
            message = _("That isn't a phone number we can call. Use a mobile or a landline.")
        return _invalid(message, NOT_CALLABLE)
    if number_type in TEXTABLE_TYPES:
        return None
    if costly:
        message = _("That isn't a mobile number we can text: it's a premium-rate or shared-cost number.")
    elif number_type == PhoneNumberType.FIXED_LINE:
        message = _("That isn't a mobile number we can text: it's a landline. Use a mobile number.")
    else:
        message = _("That isn't a mobile number we can text. Use a mobile number.")
    return _invalid(message, NOT_TEXTABLE)


def phone_display(e164: str) -> str:
    """+447911123456 as "+44 7911 123456"."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def phone_example(region: str) -> str:
    """A mobile number of `region` as people there write it ("07400 123456")."""
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL) if example else ""


# ------------------------------------------------------------------------------------------------ the field


class PhoneInput(forms.MultiWidget):
    """A labelled country <select> (named `<name>_country`) and a tel input (named `<name>`, as before the picker,
    so a number posted with its + still works alone). No script: the server reads both."""

    template_name = "includes/phone_input.html"

    def __init__(self, attrs: dict | None = None):
        self.region = default_region()
        super().__init__(
            widgets={
                "country": forms.Select(),
                "": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", **(attrs or {})}),
            }
        )

    def decompress(self, value):
        """A stored E.164 number as its country and the number as written there."""
        if not value:
            return [self.region, ""]
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            return [self.region, value]
        region = _known_region(phonenumbers.region_code_for_number(number)) or self.region
        return [region, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)]

    def id_for_label(self, id_, index=None):
        return id_  # the field's <label> names the tel input; the <select> has its own

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        select, tel = context["widget"]["subwidgets"]
        field_id = context["widget"]["attrs"].get("id", "")
        # The tel input keeps the field's id (its <label>'s), the select gets its own; help and errors are the input's.
        tel["attrs"]["id"] = field_id
        select["attrs"] = {"id": f"{field_id}_country"} if field_id else {}
        chosen = _known_region(select["value"][0] if select["value"] else None) or self.region
        context["phone"] = {
            "select": select,
            "options": [
                {"value": code, "label": label, "selected": code == chosen} for code, label in country_choices()
            ],
            "input": tel,
        }
        return context

    def _render(self, template_name, context, renderer=None):
        return super()._render(template_name, context, _PROJECT_TEMPLATES)  # ours, in templates/includes/


_PROJECT_TEMPLATES = TemplatesSetting()


class PhoneNumberField(forms.Field):
    """A phone number as the shopper writes it, with its country chosen beside it; cleans to E.164."""

    widget = PhoneInput
    default_error_messages = {"required": gettext_lazy("Enter your mobile number.")}

    def __init__(self, *, region: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.set_region(region or default_region())

    def set_region(self, region: str) -> None:
        """The country chosen when the shopper hasn't chosen one (the guess), and for reading a bare number."""
        self.region = _known_region(region) or default_region()
        self.widget.region = self.region

    def prepare(self, *, region: str, data, name: str) -> None:
        """Set the guessed country, and a help text whose example is in the country shown (the one the shopper
        chose, when the form comes back to them)."""
        self.set_region(region)
        shown = _known_region(data.get(f"{name}_country")) if data else None
        example = phone_example(shown or self.region)
        self.help_text = (
            _("Choose the country, then type the number as you'd dial it there, for example %(example)s.")
            % {"example": example}
            if example
            else _("Choose the country, then type the number as you'd dial it there.")
        )

    def to_python(self, value):
        if not isinstance(value, list | tuple):
            return (self.region, str(value or "").strip())
        region, raw = [*value, None, None][:2]
        return (_known_region(region) or self.region, (raw or "").strip())

    def validate(self, value) -> None:
        if not value[1]:
            super().validate("")

    def clean(self, value) -> str:
        region, raw = self.to_python(value)
        self.validate((region, raw))
        if not raw:
            return ""
        number = phone_parse(raw, region)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def has_changed(self, initial, data) -> bool:
        return bool(self.to_python(data)[1]) != bool(initial)
