"""Where each sign-in came from: the place is looked up once, when the event is written, and shown in words."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from security import places
from security.alerts import security_record
from security.events import event_record
from security.models import SecurityEvent, TrustedDevice
from security.trusted_devices import BROWSER_COOKIE, BROWSER_SALT, _token_hash
from tests.helpers import run_pending_on_commit

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def geoip_city(tmp_path, settings):
    """A MaxMind-format City database at GEOIP_PATH (production's set-up) that puts 203.0.113.0/24 in London."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City")
    writer.insert_network(
        IPSet(["203.0.113.0/24"]),
        {
            "city": {"names": {"en": "London"}},
            "country": {"iso_code": "GB", "names": {"en": "United Kingdom"}},
        },
    )
    writer.to_db_file(str(tmp_path / "GeoLite2-City.mmdb"))
    settings.GEOIP_PATH = str(tmp_path)
    places._geoip.cache_clear()
    yield tmp_path
    places._geoip.cache_clear()


def _request(rf, ip: str):
    return rf.get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=FIREFOX)


def test_the_place_is_recorded_with_the_event_from_geoip2_when_geoip_path_is_set(rf, shopper, geoip_city):
    event = event_record(user=shopper, kind=SecurityEvent.Kind.SIGNIN_NEW_DEVICE, request=_request(rf, "203.0.113.9"))

    assert event.detail["place"] == {"city": "London", "country": "GB"}
    assert places.place_label(event.detail["place"]) == "London, United Kingdom"


def test_without_geoip_path_the_country_comes_from_the_shipped_registry_data(rf, shopper, settings):
    settings.GEOIP_PATH = None
    event = event_record(user=shopper, kind=SecurityEvent.Kind.SIGNIN_NEW_DEVICE, request=_request(rf, "81.2.69.160"))

    assert event.detail["place"] == {"country": "GB"}
    assert places.place_label(event.detail["place"]) == "United Kingdom"


def test_loopback_and_private_addresses_are_this_network_and_nothing_is_stored(rf, shopper):
    for ip in ("127.0.0.1", "10.1.2.3", "::1"):
        event = event_record(user=shopper, kind=SecurityEvent.Kind.SIGNIN, request=_request(rf, ip))
        assert "place" not in event.detail
        assert places.place_label(event.detail.get("place"), event.ip) == "this network"


def test_the_place_is_never_looked_up_when_a_page_is_viewed(client, rf, shopper, geoip_city, monkeypatch):
    event_record(user=shopper, kind=SecurityEvent.Kind.SIGNIN_NEW_DEVICE, request=_request(rf, "203.0.113.9"))
    monkeypatch.setattr(places, "place_for_ip", lambda ip: pytest.fail("looked up on a page view"))
    client.force_login(shopper)

    activity = client.get(reverse("accounts:activity")).content.decode()
    security_page = client.get(reverse("accounts:security")).content.decode()

    assert "Firefox on Windows" in activity and "London, United Kingdom (203.0.113.9)" in activity
    assert "London, United Kingdom" in security_page and "Firefox on Windows" in security_page


def test_the_alert_says_where_from_in_words(rf, shopper, geoip_city, mailoutbox):
    security_record(
        user=shopper,
        kind=SecurityEvent.Kind.SIGNIN_NEW_DEVICE,
        request=_request(rf, "203.0.113.9"),
        device="Firefox on Windows",
    )
    run_pending_on_commit()

    (alert,) = mailoutbox
    assert "From: London, United Kingdom (203.0.113.9)" in alert.body
    assert "From: London, United Kingdom (203.0.113.9)" in alert.alternatives[0][0]


def test_this_device_is_marked_in_the_trusted_device_list(client, shopper):
    now = timezone.now()

    def trusted(token: str) -> TrustedDevice:
        return TrustedDevice.objects.create(
            user=shopper,
            token_hash=_token_hash(token),
            name="Firefox on Windows",
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(days=30),
        )

    here, elsewhere = trusted("this-browser"), trusted("another-browser")
    client.cookies[BROWSER_COOKIE] = signing.get_cookie_signer(salt=BROWSER_COOKIE + BROWSER_SALT).sign("this-browser")
    client.force_login(shopper)

    page = client.get(reverse("accounts:security")).content.decode()
    listed = page[page.index('id="devices-title"') :]

    rows = {row for row in listed.split("<li")[1:3]}
    (marked,) = [row for row in rows if "This device" in row]
    assert f'value="{here.pk}"' in marked and f'value="{elsewhere.pk}"' not in marked


def test_a_browser_without_the_cookie_marks_no_device(client, shopper):
    now = timezone.now()
    TrustedDevice.objects.create(
        user=shopper,
        token_hash=_token_hash("another-browser"),
        name="Firefox on Windows",
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(days=30),
    )
    client.force_login(shopper)

    assert "This device" not in client.get(reverse("accounts:security")).content.decode()
