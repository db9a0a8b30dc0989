"""Turning a message and its context into words, in the person's language."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import translation

from config.languages import SOURCE_TAG, django_code
from messaging.models import Channel
from messaging.purposes import purpose_phrase
from messaging.segments import sms_fold

PARTS = {
    Channel.SMS: ("sms.txt",),
    Channel.VOICE: ("voice.txt",),
    Channel.EMAIL: ("subject.txt", "email.txt", "email.html"),
}


@dataclass(frozen=True)
class Rendered:
    text: str
    subject: str = ""
    html: str = ""


def templates_check(*, kind: str, channel: str) -> None:
    """Fail at queue time, in the caller, when a kind has no templates for a channel."""
    for part in PARTS[channel]:
        get_template(f"messages/{kind}/{part}")


def django_language(tag: str) -> str:
    """Django's code for a message's BCP 47 language (config.languages holds the one mapping)."""
    return django_code(tag or SOURCE_TAG)


def render(*, kind: str, channel: str, language: str, context: dict) -> Rendered:
    full = {
        **context,
        "shop_name": settings.SHOP_NAME,
        "site_domain": settings.SITE_DOMAIN,
        "site_url": settings.SITE_URL,
    }
    if code := context.get("code"):
        # Read out one digit at a time: "1, 2, 3, 4, 5, 6".
        full["code_spoken"] = ", ".join(code)
    # The email layout's <html lang>: the message's language, not the request's (there may be none).
    full["LANGUAGE_CODE"] = language or SOURCE_TAG
    with translation.override(django_language(language)):
        full["purpose_phrase"] = purpose_phrase(context.get("purpose", ""))
        folder = f"messages/{kind}/"
        if channel == Channel.EMAIL:
            return Rendered(
                subject=" ".join(render_to_string(folder + "subject.txt", full).split()),
                text=render_to_string(folder + "email.txt", full).strip() + "\n",
                html=render_to_string(folder + "email.html", full),
            )
        if channel == Channel.SMS:
            return Rendered(text=sms_fold(render_to_string(folder + "sms.txt", full).strip()))
        return Rendered(text=render_to_string(folder + "voice.txt", full).strip())
