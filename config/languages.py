"""The 13 languages (Amazon Pinpoint's locales) and the one mapping between their tags and Django's codes.

A person's language is stored as a BCP 47 tag ("de-DE", accounts.models.Language); Django names it "de-de" and its
catalogue folder "de_DE". Everything that converts between the three goes through this module.
"""

from pathlib import Path

from django.utils.translation import to_locale

# BCP 47 tag, and the language's name in itself (a picker lists each language in its own words). A browser asking
# for a variant we lack gets the first of its language here (Django's rule): es-MX gets es-419, fr-BE fr-FR.
LANGUAGE_TAGS = [
    ("de-DE", "Deutsch"),
    ("en-GB", "English (UK)"),
    ("en-US", "English (US)"),
    ("es-419", "Español (Latinoamérica)"),
    ("es-ES", "Español (España)"),
    ("fr-FR", "Français (France)"),
    ("fr-CA", "Français (Canada)"),
    ("it-IT", "Italiano"),
    ("ja-JP", "日本語"),
    ("ko-KR", "한국어"),
    ("pt-BR", "Português (Brasil)"),
    ("zh-CN", "简体中文"),
    ("zh-TW", "繁體中文"),
]
BCP47_TAGS = [tag for tag, _name in LANGUAGE_TAGS]  # the tags alone, in that order
# The language the source strings are written in: American English, so it needs no catalogue.
SOURCE_TAG = "en-US"
BY_DJANGO_CODE = {tag.lower(): tag for tag in BCP47_TAGS}
# Django ships Chinese as zh_Hans and zh_Hant, which gettext never finds for zh_CN and zh_TW: compilemessages
# copies those catalogues here under our names (a build output, like every .mo file).
DJANGO_CHINESE = {"zh_CN": "zh_Hans", "zh_TW": "zh_Hant"}
DJANGO_CHINESE_LOCALE_DIR = Path(__file__).resolve().parent.parent / "build" / "django-chinese-locale"


def django_code(tag: str) -> str:
    """Django's language code for a BCP 47 tag: "pt-BR" → "pt-br"."""
    return tag.lower()


def bcp47_tag(code: str) -> str:
    """The BCP 47 tag for a Django language code ("pt-br" → "pt-BR"); the source language for anything else."""
    return BY_DJANGO_CODE.get((code or "").lower(), SOURCE_TAG)


def django_languages() -> list[tuple[str, str]]:
    """settings.LANGUAGES: Django's codes with each language's own name."""
    return [(django_code(tag), name) for tag, name in LANGUAGE_TAGS]


def catalogue_locales() -> list[str]:
    """The locale folders under locale/ that hold a catalogue: every language but the source one ("de_DE", …)."""
    return [to_locale(tag) for tag in BCP47_TAGS if tag != SOURCE_TAG]
