"""Messages in the person's language: 13 languages, the origin-bound code line, and one SMS segment where it fits."""

import re

import pytest

from config.languages import BCP47_TAGS as LANGUAGES
from messaging.purposes import PURPOSE_PHRASES
from messaging.rendering import render
from messaging.segments import sms_segments

CODE = "123456"
# The origin-bound one-time-code format (WICG sms-one-time-codes): the last line is "@host #code".
ORIGIN_BOUND = re.compile(r"^@(?P<host>[^\s#]+) #(?P<code>[^\s@]+)( @[^\s]+)?$")
# Languages written in scripts outside GSM-7: one UCS-2 segment (70) cannot hold the required content.
WIDE = {"ja-JP", "ko-KR", "zh-CN", "zh-TW"}
DISTINCTIVE = {
    "de-DE": "Code",
    "es-419": "codigo",
    "es-ES": "codigo",
    "fr-CA": "Expire",
    "fr-FR": "Expire",
    "it-IT": "Codice",
    "ja-JP": "コード",
    "ko-KR": "코드",
    "pt-BR": "Codigo",
    "zh-CN": "验证码",
    "zh-TW": "驗證碼",
}


def sms(language: str, purpose: str = "signin") -> str:
    return render(
        kind="code", channel="sms", language=language, context={"code": CODE, "purpose": purpose, "minutes": 10}
    ).text


def segments(text: str) -> int:
    return sms_segments(text).segments


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sms_carries_the_code_and_ends_with_the_origin_bound_line(language):
    text = sms(language)

    assert CODE in text.splitlines()[0]
    match = ORIGIN_BOUND.match(text.splitlines()[-1])
    assert match and match["host"] == "shop.example.com" and match["code"] == CODE


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - WIDE))
def test_a_sign_in_code_fits_one_sms_segment(language):
    assert segments(sms(language)) == 1, sms(language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("purpose", sorted(PURPOSE_PHRASES))
def test_every_purpose_fits_at_most_two_segments(language, purpose):
    assert segments(sms(language, purpose)) <= 2, sms(language, purpose)


@pytest.mark.parametrize("language", sorted(DISTINCTIVE))
def test_messages_are_really_translated(language):
    assert DISTINCTIVE[language] in sms(language)
    assert "Don't share" not in sms(language)


def test_german_reads_naturally_in_every_part():
    voice = render(
        kind="code", channel="voice", language="de-DE", context={"code": CODE, "purpose": "signin", "minutes": 10}
    )
    email = render(
        kind="code", channel="email", language="de-DE", context={"code": CODE, "purpose": "signin", "minutes": 10}
    )

    assert voice.text.count("1, 2, 3, 4, 5, 6") == 2
    assert "Minuten gültig" in voice.text
    assert email.subject == "Ihr Deadbolt-Code zum Anmelden"
    assert "Geben Sie diesen Code nicht weiter." in email.text and "Geben Sie diesen Code nicht weiter." in email.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_voice_reads_the_code_digit_by_digit_twice(language):
    voice = render(
        kind="code", channel="voice", language=language, context={"code": CODE, "purpose": "signin", "minutes": 10}
    )

    assert voice.text.count("1, 2, 3, 4, 5, 6") == 2


def test_an_unknown_language_falls_back_to_english():
    assert sms("xx-YY").startswith(f"Deadbolt code to sign in: {CODE}.")


def test_the_english_sms_says_what_the_issue_asks():
    text = sms("en-US", "step_up:change_email")

    assert text.splitlines()[0] == (
        f"Deadbolt code to change your email: {CODE}. Expires in 10 min. "
        "Don't share this code. We will never call you to ask for it."
    )
