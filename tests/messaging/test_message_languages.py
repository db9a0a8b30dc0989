"""An account in each of the 13 languages gets its code SMS, voice script, email (subject too) and alerts in its
own language, whatever language the browser that caused them was in, and each SMS within its segment limits.

The English-text checks pass once translators have filled the catalogues (tests/test_translations.py says what
is missing); the language plumbing and the segment checks hold today.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from config.dates import day_label
from config.languages import BCP47_TAGS as LANGUAGES
from delivery.shipments import shipment_assign_courier, shipment_mark_shipped, shipment_send_out
from messaging.backends import locmem
from messaging.models import Message
from messaging.segments import GSM7, UCS2, sms_segments
from security.alerts import security_record
from security.challenges import challenge_issue
from security.methods import phone_add
from security.models import SecurityEvent
from tests.helpers import run_pending_on_commit

pytestmark = pytest.mark.django_db

ENGLISH = {"en-GB", "en-US"}
# Scripts outside GSM-7: UCS-2, 70 units a segment, where a code SMS with its origin-bound line takes two.
WIDE = {"ja-JP", "ko-KR", "zh-CN", "zh-TW"}
NUMBER = "+447911123456"
# Sentences of the English messages; none may be left in another language's message.
ENGLISH_CODE_SMS = ["Don't share this code", "Expires in", "We will never call you"]
ENGLISH_VOICE = ["Hello, this is", "Again, your code is", "Goodbye"]
ENGLISH_CODE_EMAIL = ["It expires in", "If you didn't ask for it", "to sign in"]
ENGLISH_CODE_SUBJECT = ["Your Deadbolt code", "to sign in"]
ENGLISH_ALERT = ["Your password was changed", "Not you?", "change your password now"]
ENGLISH_ALERT_EMAIL = ["If this was you", "This wasn't me", "Questions? Contact us"]


def other_language(language: str) -> str:
    """A browser language unlike the account's, active while the message is caused."""
    return "ko-kr" if language != "ko-KR" else "de-de"


@pytest.fixture
def account(make_user, request):
    language = request.param
    user = make_user(f"person.{language.lower()}@example.com", preferred_language=language)
    user.phone = NUMBER
    user.save(update_fields=["phone"])
    return user


def sent_texts(channel: str) -> list[str]:
    run_pending_on_commit()
    return [outgoing.text for outgoing in locmem.outbox if outgoing.to == NUMBER and outgoing.channel == channel]


def assert_not_english(text: str, language: str, sentences: list[str]) -> None:
    if language in ENGLISH:
        return
    left = [sentence for sentence in sentences if sentence.lower() in text.lower()]
    assert not left, f"{language} message still in English ({left}): {text!r}"


def code_send(user, method: str, *, device=None) -> None:
    with translation.override(other_language(user.preferred_language)):
        challenge_issue(user=user, purpose="signin", method=method, device=device, flow="test")


@pytest.mark.parametrize("account", LANGUAGES, indirect=True)
def test_a_code_sms_is_in_the_account_s_language_and_within_its_segments(account):
    device = phone_add(user=account, number=NUMBER, channel="sms", primary=True, confirmed=True, request=None)
    locmem.outbox.clear()

    code_send(account, "sms", device=device)

    (text,) = sent_texts("sms")
    assert Message.objects.get(destination=NUMBER).language == account.preferred_language
    assert_not_english(text, account.preferred_language, ENGLISH_CODE_SMS)
    count = sms_segments(text)
    if account.preferred_language in WIDE:
        assert count.encoding == UCS2 and count.segments <= 2, (count, text)
    else:
        assert (count.encoding, count.segments) == (GSM7, 1), (count, text)


@pytest.mark.parametrize("account", LANGUAGES, indirect=True)
def test_a_voice_code_is_read_in_the_account_s_language(account):
    device = phone_add(user=account, number=NUMBER, channel="voice", primary=True, confirmed=True, request=None)
    locmem.outbox.clear()

    code_send(account, "voice", device=device)

    (script,) = sent_texts("voice")
    assert "1, 2" not in script or script.count(", ") >= 5  # the digits, one at a time
    assert_not_english(script, account.preferred_language, ENGLISH_VOICE)


@pytest.mark.parametrize("account", LANGUAGES, indirect=True)
def test_a_code_email_and_its_subject_are_in_the_account_s_language(account, mailoutbox):
    code_send(account, "email")

    run_pending_on_commit()
    (email,) = [m for m in mailoutbox if account.email in m.to]
    assert_not_english(email.subject, account.preferred_language, ENGLISH_CODE_SUBJECT)
    assert_not_english(email.body, account.preferred_language, ENGLISH_CODE_EMAIL)
    html = email.alternatives[0][0]
    assert f'lang="{account.preferred_language.lower()}"' in html.lower()


@pytest.mark.parametrize("account", LANGUAGES, indirect=True)
def test_an_alert_by_email_and_text_is_in_the_account_s_language(account, rf, mailoutbox):
    browser = rf.get("/", headers={"accept-language": other_language(account.preferred_language)})

    with translation.override(other_language(account.preferred_language)):
        security_record(user=account, kind=SecurityEvent.Kind.PASSWORD_CHANGED, request=browser, sms_to=NUMBER)

    run_pending_on_commit()
    (email,) = [m for m in mailoutbox if account.email in m.to]
    assert_not_english(email.subject, account.preferred_language, ENGLISH_ALERT[:1])
    assert_not_english(email.body, account.preferred_language, ENGLISH_ALERT + ENGLISH_ALERT_EMAIL)
    (text,) = sent_texts("sms")
    assert_not_english(text, account.preferred_language, ENGLISH_ALERT)
    count = sms_segments(text)
    if account.preferred_language in WIDE:
        assert count.segments <= 2, (count, text)
    else:
        assert (count.encoding, count.segments) == (GSM7, 1), (count, text)


@pytest.mark.parametrize("account", ["ja-JP", "pt-BR", "de-DE"], indirect=True)
def test_a_password_reset_asked_for_from_another_language_s_browser_is_in_the_account_s(account, client, mailoutbox):
    client.post(
        reverse("accounts:password_reset"),
        {"email": account.email},
        headers={"accept-language": other_language(account.preferred_language)},
    )

    run_pending_on_commit()
    (email,) = [m for m in mailoutbox if account.email in m.to]
    assert Message.objects.get(destination=account.email).language == account.preferred_language
    assert_not_english(email.subject, account.preferred_language, ["Your Deadbolt code", "to reset your password"])


def test_segments_are_counted_as_a_phone_network_counts_them():
    assert sms_segments("a" * 160) == sms_segments("a" * 160) and sms_segments("a" * 160).segments == 1
    assert (sms_segments("a" * 161).segments, sms_segments("a" * 306).segments) == (2, 2)
    assert sms_segments("€" * 80).units == 160 and sms_segments("€" * 81).segments == 2
    assert sms_segments("é ñ ü à").encoding == GSM7
    assert sms_segments("ó").encoding == UCS2 and sms_segments("ç").encoding == UCS2
    assert (sms_segments("コ" * 70).segments, sms_segments("コ" * 71).segments) == (1, 2)
    assert sms_segments("😀" * 35).units == 70 and sms_segments("😀" * 36).segments == 2


@pytest.mark.parametrize("account", ["ja-JP", "de-DE", "pt-BR"], indirect=True)
def test_a_delivery_code_names_its_day_in_the_shopper_s_language_whoever_sent_it_out(
    account, admin_user, courier, place_order, mailoutbox
):
    shipment_id = place_order(account, "tablet").shipment.pk
    with translation.override(other_language(account.preferred_language)):  # the admin's browser
        shipment_assign_courier(shipment_id=shipment_id, courier=courier, actor=admin_user)
        shipment_mark_shipped(shipment_id=shipment_id, actor=admin_user)
        shipment = shipment_send_out(shipment_id=shipment_id, actor=admin_user)
        admins_day = day_label(shipment.delivery_date)
    with translation.override(account.preferred_language.lower()):
        shoppers_day = day_label(shipment.delivery_date)

    run_pending_on_commit()
    assert Message.objects.get(kind="delivery_code", channel="email").language == account.preferred_language
    bodies = [m.body for m in mailoutbox if account.email in m.to and shoppers_day in m.body]
    assert bodies and not any(admins_day in m.body for m in mailoutbox)
