"""Pinpoint's message in each of its 13 languages, sent through the API."""

import pytest

from otpapi.parameters import LANGUAGES
from tests.otpapi.conftest import PHONE, code_in, message_to, send, verify

WORDS = {
    "de-DE": "Einmalpasswort",
    "en-GB": "This is your One Time Password",
    "en-US": "This is your One Time Password",
    "es-419": "contraseña de un solo uso",
    "es-ES": "contraseña de un solo uso",
    "fr-CA": "mot de passe à usage unique",
    "fr-FR": "mot de passe à usage unique",
    "it-IT": "password monouso",
    "ja-JP": "ワンタイムパスワード",
    "ko-KR": "일회용 비밀번호",
    "pt-BR": "senha de uso unico",
    "zh-CN": "一次性密码",
    "zh-TW": "一次性密碼",
}


def test_every_pinpoint_language_has_its_words():
    assert set(WORDS) == set(LANGUAGES) and len(LANGUAGES) == 13


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_code_is_sent_in_each_language_and_verifies(pinpoint, otp_app, language):
    send(pinpoint, otp_app, Language=language, ReferenceId=f"lang-{language}")

    text = message_to(PHONE)
    first_line = text.splitlines()[0]
    assert WORDS[language] in first_line and "ExampleCorp" in first_line
    code = code_in(text)
    assert code in first_line and text.splitlines()[-1] == f"@shop.example.com #{code}"
    assert verify(pinpoint, otp_app, code, reference=f"lang-{language}") is True


@pytest.mark.parametrize("language", ["de-DE", "ja-JP"])
def test_voice_and_email_are_translated_too(pinpoint, otp_app, language, mailoutbox):
    send(pinpoint, otp_app, Language=language, Channel="VOICE")
    assert WORDS[language] in message_to(PHONE)
    send(pinpoint, otp_app, Language=language, Channel="EMAIL", DestinationIdentity="jo@example.com")
    (email,) = mailoutbox
    assert WORDS[language] in email.body and WORDS[language] in email.subject
