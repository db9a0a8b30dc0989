"""An alert email, rendered and looked at: written to the artifacts folder and photographed in Chromium."""

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from security import places
from security.alerts import security_record
from security.models import SecurityEvent
from tests.helpers import run_pending_on_commit

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def london(tmp_path, settings):
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City")
    writer.insert_network(
        IPSet(["203.0.113.0/24"]),
        {"city": {"names": {"en": "London"}}, "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}}},
    )
    writer.to_db_file(str(tmp_path / "GeoLite2-City.mmdb"))
    settings.GEOIP_PATH = str(tmp_path)
    places._geoip.cache_clear()
    yield
    places._geoip.cache_clear()


def _photograph(browser, artifacts_dir, name: str, html: str, width: int) -> None:
    folder = artifacts_dir / "emails"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.html").write_text(html)
    page = browser.new_page(viewport={"width": width, "height": 700})
    page.goto((folder / f"{name}.html").as_uri())
    page.screenshot(path=folder / f"{name}--{width}.png", full_page=True)
    page.close()


def test_a_new_sign_in_alert_says_where_in_words(browser, artifacts_dir, rf, shopper, london, mailoutbox):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=FIREFOX)
    security_record(
        user=shopper, kind=SecurityEvent.Kind.SIGNIN_NEW_DEVICE, request=request, device="Firefox on Windows"
    )
    run_pending_on_commit()
    html = mailoutbox[-1].alternatives[0][0]

    assert "From: London, United Kingdom (203.0.113.9)" in html
    for width in (390, 800):
        _photograph(browser, artifacts_dir, "alert-new-signin", html, width)


def test_an_admin_reset_alert_speaks_of_support(
    browser, artifacts_dir, verified_login, admin_user, shopper, authenticator, mailoutbox
):
    from django.urls import reverse

    client = verified_login(admin_user)
    run_pending_on_commit()
    mailoutbox.clear()
    client.post(
        reverse("admin:accounts_user_reset_two_step", args=[shopper.pk]),
        {"reason": "Identity checked by phone against order history, ticket 1234"},
        REMOTE_ADDR="81.2.69.160",
    )
    run_pending_on_commit()
    html = mailoutbox[-1].alternatives[0][0]

    assert "Our support team did this" in html and "81.2.69.160" not in html
    _photograph(browser, artifacts_dir, "alert-admin-reset", html, 800)
