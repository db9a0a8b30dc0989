"""SMS text folds typographic look-alikes into GSM-7; an alert states its moment in the account's language."""

from messaging.models import Channel
from messaging.rendering import render
from messaging.segments import GSM7, UCS2, sms_fold, sms_segments


def test_a_masked_number_and_curly_quotes_keep_an_alert_sms_in_gsm7():
    context = {"event": "phone_changed", "new_contact": "•••• 4321", "name": "Jo", "when": "1 Dec, 10:00"}
    text = render(kind="security_alert", channel=Channel.SMS, language="en-GB", context=context).text
    assert "**** 4321" in text and "•" not in text
    assert sms_segments(text).encoding == GSM7


def test_folding_keeps_letters_that_need_ucs2():
    assert sms_fold("Não é você? \u201cSair\u201d \u2013 já\u2026") == 'Não é você? "Sair" - já...'
    assert sms_segments(sms_fold("Não é você?")).encoding == UCS2  # ã is a letter: the text stays right


def test_an_alerts_time_is_written_in_the_accounts_language_and_the_sites_zone():
    context = {"event": "password_changed", "name": "Jo", "when": "2026-07-01T09:30:00+00:00"}
    german = render(kind="security_alert", channel=Channel.EMAIL, language="de-DE", context=context).text
    english = render(kind="security_alert", channel=Channel.EMAIL, language="en-GB", context=context).text
    assert "1. Juli 2026" in german and "10:30" in german and "BST" in german  # London in summer
    assert "1 Jul 2026, 10:30" in english and "2026-07-01" not in english


def test_an_event_line_ends_with_the_languages_own_full_stop():
    context = {"event": "delivered", "name": "Jo", "order_number": "DB-00042", "order_path": "/orders/42/"}
    chinese = render(kind="delivery_update", channel=Channel.SMS, language="zh-CN", context=context).text
    english = render(kind="delivery_update", channel=Channel.SMS, language="en-GB", context=context).text
    assert "。" in chinese and ". " not in chinese.split("http")[0]
    assert "DB-00042" in english and english.rstrip().endswith(".")
