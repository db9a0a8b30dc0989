"""Issue 17, points 1 and 2: a phone is entered the way the shopper writes it (a country picker beside it, errors
that say what is wrong), and the account's mobile number and the 2SV phone tell one story."""

import re

import pytest
from django.urls import reverse

from messaging.backends import locmem
from security.methods import phone_add
from security.models import PhoneDevice, SecurityEvent
from security.phone_input import REGION_SESSION_KEY
from tests.helpers import last_code_sent_to, run_pending_on_commit, step_up_grant

pytestmark = pytest.mark.django_db
CHANGE = "/account/security/phone/"
SECURITY = "/account/security/"
ENROL = reverse("security:phone") + "?role=primary&channel=sms"


@pytest.fixture
def signed_in(client, shopper):
    client.force_login(shopper)
    return client


@pytest.fixture
def changing(signed_in):
    step_up_grant(signed_in, "change_phone")
    return signed_in


@pytest.fixture
def enrolling(signed_in):
    """Turning 2SV on, at its first step: the primary method."""
    step_up_grant(signed_in, "two_step")
    signed_in.get(reverse("security:two_step_start"))
    return signed_in


def _errors(response) -> str:
    return " ".join(re.findall(r'<div class="field__error"[^>]*>(.*?)</div>', response.content.decode(), re.S))


def _selected_country(response, name: str) -> str:
    select = re.search(rf'<select name="{name}_country".*?</select>', response.content.decode(), re.S).group(0)
    return re.search(r'<option value="(\w\w)" selected>', select).group(1)


# ---------------------------------------------------------------------------------------------- 1. phone entry


def test_a_national_number_with_its_country_chosen_is_accepted(changing, shopper):
    changing.post(CHANGE, {"value": "07911 100321", "value_country": "GB"})
    changing.post(CHANGE, {"do": "verify", "code": last_code_sent_to("+447911100321")})

    shopper.refresh_from_db()
    assert shopper.phone == "+447911100321"


def test_a_national_number_is_read_in_the_chosen_country_at_2sv_enrolment(enrolling, shopper):
    sent = enrolling.post(ENROL, {"do": "send", "number": "06 12 34 56 78", "number_country": "FR", "channel": "sms"})

    assert sent.status_code == 302
    run_pending_on_commit()
    assert [m.to for m in locmem.outbox] == ["+33612345678"]


def test_07700_900417_is_read_as_a_uk_number_and_refused_as_one_nobody_can_text(changing):
    # Ofcom keeps 07700 900000-900999 for films and TV: libphonenumber knows no operator has them. Read in the
    # United Kingdom it is +44 7700 900417 (the national format is understood), and the error says what is wrong.
    response = changing.post(CHANGE, {"value": "07700 900417", "value_country": "GB"})

    assert "That isn&#x27;t a mobile number we can text." in _errors(response)
    assert "country code" not in _errors(response)


def test_an_unassigned_number_with_its_plus_is_not_told_to_add_a_country_code(changing):
    response = changing.post(CHANGE, {"value": "+44 7700 900123"})

    assert "That isn&#x27;t a mobile number we can text." in _errors(response)
    assert "starting with +" not in response.content.decode()


def test_a_number_from_another_country_than_the_one_chosen_says_so(changing):
    response = changing.post(CHANGE, {"value": "07911 100321", "value_country": "US"})

    assert "That isn&#x27;t a phone number in the country chosen (United States)." in _errors(response)


def test_a_country_code_typed_without_its_plus_is_explained(changing):
    response = changing.post(CHANGE, {"value": "33 6 12 34 56 78", "value_country": "GB"})

    assert "put a + in front: +33 6 12 34 56 78." in _errors(response)


def test_a_country_code_that_does_not_exist_says_so(changing):
    response = changing.post(CHANGE, {"value": "+999 1234 5678", "value_country": "GB"})

    assert "There&#x27;s no country with that code." in _errors(response)


def test_words_that_are_not_a_number_say_so(changing):
    response = changing.post(CHANGE, {"value": "my phone", "value_country": "GB"})

    assert "That isn&#x27;t a phone number." in _errors(response)


def test_a_landline_is_refused_for_texts_but_accepted_for_calls(enrolling):
    texts = enrolling.post(ENROL, {"do": "send", "number": "020 7946 0018", "number_country": "GB", "channel": "sms"})
    assert "it&#x27;s a landline" in _errors(texts)

    calls = enrolling.post(ENROL, {"do": "send", "number": "020 7946 0018", "number_country": "GB", "channel": "voice"})
    assert calls.status_code == 302
    run_pending_on_commit()
    assert [m.to for m in locmem.outbox] == ["+442079460018"]


def test_the_picker_is_a_labelled_native_select_beside_the_tel_input(changing):
    page = changing.get(CHANGE).content.decode()

    assert '<label class="visually-hidden" for="id_value_country">Country code</label>' in page
    assert '<select name="value_country" id="id_value_country"' in page
    assert '<option value="GB" selected>United Kingdom 🇬🇧 +44</option>' in page
    assert re.search(r'<label class="field__label" for="id_value">New mobile number</label>', page)
    tel = re.search(r'<input [^>]*name="value"[^>]*>', page).group(0)
    assert 'type="tel"' in tel and 'autocomplete="tel"' in tel and 'id="id_value"' in tel
    assert "<script" not in page.split("<main", 1)[-1].split("</main>")[0]  # nothing inline, nothing needed


def test_the_country_is_guessed_from_the_language(changing):
    assert _selected_country(changing.get(CHANGE, HTTP_ACCEPT_LANGUAGE="en-AU,en;q=0.8"), "value") == "AU"


def test_the_country_is_guessed_from_the_requests_country_before_the_language(changing, monkeypatch):
    monkeypatch.setattr("security.phone_input.place_for_ip", lambda ip: {"country": "FR"})

    assert _selected_country(changing.get(CHANGE, HTTP_ACCEPT_LANGUAGE="en-AU"), "value") == "FR"


def test_without_a_clue_the_country_is_phonenumber_default_region(changing, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "DE"

    assert _selected_country(changing.get(CHANGE), "value") == "DE"


def test_the_shoppers_last_choice_is_remembered(changing, monkeypatch):
    monkeypatch.setattr("security.phone_input.place_for_ip", lambda ip: {"country": "US"})
    response = changing.post(CHANGE, {"value": "06 12 34 56 78", "value_country": "FR"})
    assert response.headers["Location"] == CHANGE  # on to its code

    assert changing.session[REGION_SESSION_KEY] == "FR"
    step_up_grant(changing, "two_step")
    changing.get(reverse("security:two_step_start"))
    assert _selected_country(changing.get(ENROL), "number") == "FR"


def test_a_number_posted_in_international_form_alone_still_works(changing, shopper):
    changing.post(CHANGE, {"value": "+44 7911 100321"})  # no country posted: an old page, or a script

    run_pending_on_commit()
    assert [m.to for m in locmem.outbox] == ["+447911100321"]


# ---------------------------------------------------------------------------------------------- 2. two phones


def test_enrolling_sms_2sv_offers_the_accounts_mobile_number(enrolling, shopper):
    shopper.phone = "+447400123456"
    shopper.save()

    page = enrolling.get(ENROL)

    assert re.search(r'<input type="tel" name="number" value="07400 123456"', page.content.decode())
    assert _selected_country(page, "number") == "GB"
    assert "Also send my order and account texts" not in page.content.decode()  # it is the mobile number already


def test_the_2sv_phone_becomes_the_mobile_number_when_the_account_has_none(enrolling, shopper):
    page = enrolling.get(ENROL).content.decode()
    assert re.search(r'<input type="checkbox" name="also_contact"[^>]*checked', page)  # ticked for them

    enrolling.post(
        ENROL, {"do": "send", "number": "07911 123456", "number_country": "GB", "channel": "sms", "also_contact": "on"}
    )
    shopper.refresh_from_db()
    assert shopper.phone == ""  # not before the number is proved
    enrolling.post(ENROL, {"do": "verify", "code": last_code_sent_to("+447911123456")})

    shopper.refresh_from_db()
    assert shopper.phone == "+447911123456"
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.PHONE_CHANGED).exists()


def test_a_different_2sv_phone_replaces_the_mobile_number_only_when_ticked_and_the_old_one_is_told(
    enrolling, shopper, mailoutbox
):
    shopper.phone = "+447911100321"
    shopper.save()
    enrolling.post(
        ENROL, {"do": "send", "number": "07911 123456", "number_country": "GB", "channel": "sms", "also_contact": "on"}
    )
    enrolling.post(ENROL, {"do": "verify", "code": last_code_sent_to("+447911123456")})

    shopper.refresh_from_db()
    assert shopper.phone == "+447911123456"
    run_pending_on_commit()
    assert any("changed to **** 3456" in m.text for m in locmem.outbox if m.to == "+447911100321")


def test_an_unticked_2sv_phone_leaves_the_mobile_number_alone(enrolling, shopper):
    shopper.phone = "+447911100321"
    shopper.save()
    enrolling.post(ENROL, {"do": "send", "number": "07911 123456", "number_country": "GB", "channel": "sms"})
    enrolling.post(ENROL, {"do": "verify", "code": last_code_sent_to("+447911123456")})

    shopper.refresh_from_db()
    assert shopper.phone == "+447911100321"


def test_changing_a_mobile_number_that_is_the_2sv_phone_moves_both_once_proved(changing, shopper, phone):
    shopper.phone = phone.number
    shopper.save()
    page = changing.get(CHANGE).content.decode()
    assert "they'll move to the new one too" in page

    changing.post(CHANGE, {"value": "07911 100321", "value_country": "GB"})
    phone.refresh_from_db()
    assert phone.number == "+447911123456"  # not yet
    done = changing.post(CHANGE, {"do": "verify", "code": last_code_sent_to("+447911100321")}, follow=True)

    phone.refresh_from_db()
    shopper.refresh_from_db()
    assert shopper.phone == phone.number == "+447911100321"
    assert "your two-step verification codes go to it too" in done.content.decode()


def test_adding_a_mobile_number_can_move_the_2sv_codes_to_it(changing, shopper, phone):
    # 2SV texts +447911123456, the account has no mobile number: adding one asks whether codes go there too.
    page = changing.get(CHANGE).content.decode()
    assert "Also send my two-step verification codes to the new number, instead of •••• 3456" in page

    changing.post(CHANGE, {"value": "07911 100321", "value_country": "GB", "move_two_step": "on"})
    changing.post(CHANGE, {"do": "verify", "code": last_code_sent_to("+447911100321")})

    phone.refresh_from_db()
    assert phone.number == "+447911100321"


def test_a_new_number_that_is_already_a_2sv_phone_is_not_made_a_method_twice(changing, shopper, phone):
    primary = phone_add(user=shopper, number="+447911100321", channel="sms", primary=True, confirmed=True, request=None)
    shopper.phone = primary.number
    shopper.save()

    changing.post(CHANGE, {"value": "07911 123456", "value_country": "GB"})  # the backup phone's number
    changing.post(CHANGE, {"do": "verify", "code": last_code_sent_to("+447911123456")})

    devices = list(PhoneDevice.objects.filter(user=shopper).values_list("number", "is_primary"))
    assert devices == [("+447911123456", True)]


def test_login_and_security_shows_the_phone_2sv_texts_when_no_mobile_number_is_saved(signed_in, shopper, phone):
    page = signed_in.get(SECURITY).content.decode()
    details = page.split('id="details-title"', 1)[1].split("</section>", 1)[0]

    assert "Not added" not in details
    assert "+44 7911 123456" in details
    assert "Two-step verification codes are texted to this number" in details


def test_login_and_security_says_when_the_mobile_number_and_the_2sv_phone_differ(signed_in, shopper, phone):
    shopper.phone = "+447911100321"
    shopper.save()

    details = signed_in.get(SECURITY).content.decode().split('id="details-title"', 1)[1].split("</section>", 1)[0]

    assert "+44 7911 100321" in details
    assert "Two-step verification codes go to another number: •••• 3456." in details


def test_login_and_security_says_when_they_are_one_phone(signed_in, shopper, phone):
    shopper.phone = phone.number
    shopper.save()

    details = signed_in.get(SECURITY).content.decode().split('id="details-title"', 1)[1].split("</section>", 1)[0]

    assert "+44 7911 123456" in details
    assert "Two-step verification codes are texted to this number too." in details
