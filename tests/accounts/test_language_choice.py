"""Which language a person sees: the picker's choice (and, signed in, the account's), then Accept-Language, then
American English; the hreflang alternates; a new account's language; the admin in Chinese."""

import html
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from accounts.models import Language
from config.languages import LANGUAGE_TAGS

pytestmark = pytest.mark.django_db

SHOP = reverse("orders:shop_front")
CHOOSE = reverse("accounts:language")
SECURITY = reverse("accounts:security")
ALL_TAGS = [choice.value for choice in Language]


def tags() -> list[str]:
    return [tag for tag, _name in LANGUAGE_TAGS]


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


@pytest.mark.parametrize(
    ("accept_language", "tag"),
    [
        ("de-DE,de;q=0.9", "de-DE"),
        ("ja", "ja-JP"),
        ("pt-BR", "pt-BR"),
        ("pt-PT,pt;q=0.8", "pt-BR"),
        ("es-MX,es;q=0.9", "es-419"),
        ("es-ES", "es-ES"),
        ("fr-BE,fr;q=0.9", "fr-FR"),
        ("fr-CA", "fr-CA"),
        ("zh-TW", "zh-TW"),
        ("zh-CN,zh;q=0.9", "zh-CN"),
        ("en-GB", "en-GB"),
        ("nl-NL,nl;q=0.9", "en-US"),
        ("", "en-US"),
    ],
)
def test_without_a_choice_the_browser_s_language_is_used_and_english_otherwise(client, accept_language, tag):
    response = client.get(SHOP, headers={"accept-language": accept_language})

    assert html_lang(response) == tag
    assert response["Content-Language"] == tag.lower()
    assert "Accept-Language" in response["Vary"]


def test_the_footer_picker_is_a_plain_form_on_every_page_with_each_language_in_its_own_words(client):
    page = client.get(SHOP).content.decode()

    form = re.search(r'<form class="language-picker" method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form and form[1] == CHOOSE
    assert 'name="next" value="/"' in form[2] and 'type="submit"' in form[2]
    assert re.findall(r'<option value="([^"]+)" lang="([^"]+)"', form[2]) == [(tag.lower(), tag) for tag in tags()]
    assert ">Deutsch<" in form[2] and ">日本語<" in form[2] and ">Português (Brasil)<" in form[2]
    assert re.search(r'<option value="en-us" lang="en-US" selected>', form[2])


def test_the_picker_s_choice_beats_the_browser_and_brings_the_person_back(client):
    chosen = client.post(CHOOSE, {"language": "ja-jp", "next": "/orders/cart/?x=1"})

    assert chosen.status_code == 302 and chosen["Location"] == "/orders/cart/?x=1"
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja-jp"
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME]["httponly"]
    page = client.get(SHOP, headers={"accept-language": "de-DE"})
    assert html_lang(page) == "ja-JP"


def test_the_picker_refuses_to_send_the_person_to_another_site(client):
    chosen = client.post(CHOOSE, {"language": "de-de", "next": "https://evil.example/phish"})

    assert chosen.status_code == 302 and not chosen["Location"].startswith(("https://evil", "//"))
    assert chosen["Location"] == "/"


@pytest.mark.parametrize("value", ["nl-nl", "xx", "../../etc", "", "de-DE'><script>"])
def test_the_picker_ignores_a_language_that_is_not_one_of_ours(client, shopper, value):
    client.force_login(shopper)

    chosen = client.post(CHOOSE, {"language": value, "next": "/"})

    cookie = chosen.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    assert cookie is None or cookie.value == "en-us"  # the account's own language, kept in step
    shopper.refresh_from_db()
    assert shopper.preferred_language == Language.EN_US


def test_the_picker_needs_a_post_from_our_own_pages(shopper):
    attacker = Client(enforce_csrf_checks=True)
    attacker.force_login(shopper)

    forged = attacker.post(CHOOSE, {"language": "ko-kr", "next": "/"})
    by_link = attacker.get(CHOOSE, {"language": "ko-kr", "next": "/"})

    assert forged.status_code == 403 and by_link.status_code == 405
    shopper.refresh_from_db()
    assert shopper.preferred_language == Language.EN_US


def test_a_signed_in_choice_is_saved_to_the_account_for_its_messages(client, shopper):
    client.force_login(shopper)

    client.post(CHOOSE, {"language": "pt-br", "next": "/"})

    shopper.refresh_from_db()
    assert shopper.preferred_language == Language.PT_BR
    page = client.get(SHOP, headers={"accept-language": "en-US"})
    assert html_lang(page) == "pt-BR"


def test_signing_in_brings_the_account_s_language_to_any_browser(client, shopper):
    shopper.preferred_language = Language.JA_JP
    shopper.save()
    client.post(CHOOSE, {"language": "de-de", "next": "/"})  # chosen before signing in, on someone else's browser
    client.force_login(shopper)

    page = client.get(SHOP, headers={"accept-language": "de-DE"})

    assert html_lang(page) == "ja-JP"
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja-jp"  # kept after signing out, too
    assert html_lang(client.get(SHOP)) == "ja-JP"


def test_login_and_security_has_a_language_setting_that_needs_no_step_up(client, shopper):
    shopper.preferred_language = Language.KO_KR
    shopper.save()
    client.force_login(shopper)

    page = client.get(SECURITY).content.decode()
    setting = re.search(r'<section class="panel" aria-labelledby="language-title">(.*?)</section>', page, re.S)[1]
    assert f'action="{CHOOSE}"' in setting and f'name="next" value="{SECURITY}"' in setting
    assert '<option value="ko-kr" lang="ko-KR" selected>' in setting

    saved = client.post(CHOOSE, {"language": "it-it", "next": SECURITY}, follow=True)

    assert saved.redirect_chain == [(SECURITY, 302)]
    shopper.refresh_from_db()
    assert shopper.preferred_language == Language.IT_IT
    assert html_lang(saved) == "it-IT"
    with translation.override("it-it"):
        assert translation.gettext("Language changed to %(language)s.") % {"language": "Italiano"} in (
            saved.content.decode()
        )


def test_the_signed_out_picker_changes_no_account(client, shopper):
    client.post(CHOOSE, {"language": "zh-tw", "next": "/"})

    shopper.refresh_from_db()
    assert shopper.preferred_language == Language.EN_US


def test_each_page_names_its_alternates_for_search_engines_and_the_parameter_shows_that_language(client):
    page = client.get(SHOP, {"page": "2"}, headers={"accept-language": "de-DE"})

    found = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page.content.decode())
    links = [(hreflang, html.unescape(href)) for hreflang, href in found]
    assert [hreflang for hreflang, _href in links] == [*tags(), "x-default"]
    assert dict(links)["ja-JP"] == "http://testserver/?page=2&language=ja-JP"
    assert dict(links)["x-default"] == "http://testserver/?page=2"

    crawled = client.get(SHOP, {"language": "ja-JP"}, headers={"accept-language": "de-DE"})

    assert html_lang(crawled) == "ja-JP" and crawled["Content-Language"] == "ja-jp"
    assert settings.LANGUAGE_COOKIE_NAME not in crawled.cookies  # a link shows a language; it chooses nothing
    assert html_lang(client.get(SHOP, headers={"accept-language": "de-DE"})) == "de-DE"


def test_the_parameter_changes_no_account(client, shopper):
    client.force_login(shopper)

    page = client.get(SHOP, {"language": "ko-KR"})

    assert html_lang(page) == "ko-KR"
    shopper.refresh_from_db()
    assert shopper.preferred_language == Language.EN_US
    assert html_lang(client.get(SHOP)) == "en-US"


def test_an_unknown_parameter_is_ignored(client):
    assert html_lang(client.get(SHOP, {"language": "<script>"}, headers={"accept-language": "de"})) == "de-DE"


def test_a_new_account_takes_the_language_it_signed_up_in(client):
    client.post(CHOOSE, {"language": "ja-jp", "next": "/"})

    client.post(
        reverse("accounts:signup"),
        {"name": "Aoi Sato", "email": "aoi@example.com", "password": "tidy lantern orbit 42"},
        headers={"accept-language": "en-US"},
    )

    assert get_user_model().objects.get(email="aoi@example.com").preferred_language == Language.JA_JP


@pytest.mark.parametrize(
    ("language", "django_wording"),
    [
        ("zh-cn", "站点管理"),
        ("zh-tw", "網站管理"),
        ("de-de", "Website-Verwaltung"),
        ("ja-jp", "サイト管理"),
        ("pt-br", "Administração do Site"),
    ],
)
def test_django_s_own_admin_strings_are_translated_in_each_language_chinese_too(language, django_wording):
    # Django ships Chinese as zh_Hans/zh_Hant; compilemessages copies it under zh_CN/zh_TW (config's command).
    with translation.override(language):
        assert translation.gettext("Site administration") == django_wording  # a string only Django's catalogue has


@pytest.mark.parametrize(
    ("accept_language", "wording"), [("zh-CN", "这个字段是必填项。"), ("zh-TW", "這個欄位是必須的。")]
)
def test_the_admin_speaks_chinese_to_a_chinese_browser(client, accept_language, wording):
    refused = client.post(reverse("admin:login"), {}, headers={"accept-language": accept_language})

    assert wording in refused.content.decode()


def test_dates_and_numbers_follow_the_language():
    with translation.override("de-de"):
        assert formats.number_format(1234.5, 2, force_grouping=True) == "1.234,50"
    with translation.override("zh-cn"):
        assert formats.get_format("DATE_FORMAT") == "Y年n月j日"
    with translation.override("en-us"):
        assert formats.number_format(1234.5, 2, force_grouping=True) == "1,234.50"


def test_every_language_is_one_of_the_accounts_languages():
    assert sorted(tags()) == sorted(ALL_TAGS)
