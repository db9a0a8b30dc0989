"""/contact/: each worry a shopper might have leads to the flow that settles it, then how to reach people."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from security.events import event_record
from security.models import SecurityEvent

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def main_of(html: str) -> str:
    return re.search(r'<main id="main".*?</main>', html, re.S).group(0)


def links_in(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_the_page_is_at_contact_for_anyone(client):
    assert reverse("contact") == "/contact/"

    page = client.get("/contact/")

    assert page.status_code == 200
    html = page.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    for heading in ("Not you?", "Lost your phone?", "A problem with a delivery", "Talk to us"):
        assert heading in html


def test_each_worry_links_to_a_flow_that_exists(client, shopper):
    client.force_login(shopper)

    main = main_of(client.get("/contact/").content.decode())

    links = links_in(main)
    for path in ("/account/password-reset/", "/account/security/#sessions-title", "/account/signin/", "/orders/"):
        assert path in links, path
    assert "This wasn't me" in main and "I can't use any of these methods" in main
    for link in links:
        if link.startswith("/"):
            assert client.get(link.split("#")[0]).status_code in {200, 302}, link  # sign-in sends a member home


def test_signed_out_the_same_links_lead_to_sign_in_not_to_an_error(client):
    main = main_of(client.get("/contact/").content.decode())

    for link in links_in(main):
        if link.startswith("/"):
            assert client.get(link.split("#")[0]).status_code in {200, 302}, link


@override_settings(SUPPORT_EMAIL="care@shop.example.com", SUPPORT_PHONE="+44 161 496 0000")
def test_support_email_and_phone_come_from_settings(client):
    main = main_of(client.get("/contact/").content.decode())

    assert 'href="mailto:care@shop.example.com"' in main
    assert 'href="tel:+441614960000"' in main and "+44 161 496 0000" in main


def test_the_page_shows_nothing_personal(client, shopper):
    shopper.phone = "+447911123456"
    shopper.save(update_fields=["phone"])
    client.force_login(shopper)

    main = main_of(client.get("/contact/").content.decode())

    for personal in (shopper.email, shopper.name, "+447911123456", "3456"):
        assert personal not in main


def test_every_page_has_a_contact_us_link_in_its_footer(client, shopper):
    pages = ["/", "/account/signin/", "/account/password-reset/", "/no-such-page/"]
    for url in pages:
        html = client.get(url).content.decode()
        footer = re.search(r'<footer class="site-footer".*?</footer>', html, re.S).group(0)
        assert re.search(r'<a href="/contact/">Contact us</a>', footer), url


def test_support_details_are_read_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SUPPORT_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="true",
        DEADBOLT_VAR_DIR=str(tmp_path),
        SUPPORT_EMAIL="help@shop.example.org",
        SUPPORT_PHONE="+1 202 555 0100",
    )
    code = "from django.conf import settings; print(settings.SUPPORT_EMAIL, '|', settings.SUPPORT_PHONE)"

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip().splitlines()[-1] == "help@shop.example.org | +1 202 555 0100", result.stderr


def test_pages_that_send_a_worried_shopper_to_us_link_the_contact_page(client, shopper):
    expired = main_of(client.get("/account/not-me/not-a-token/").content.decode())
    assert "/contact/" in links_in(expired)

    event_record(user=shopper, kind=SecurityEvent.Kind.EMAIL_CHANGED, by_admin="alex.admin@example.com")
    client.force_login(shopper)
    for url in ("/account/security/", "/account/security/activity/"):
        main = main_of(client.get(url).content.decode())
        assert re.search(r'<a href="/contact/">by our support team</a>', main), url
