"""Backup codes are shown on one page view only, and downloadable from that page once, within a minute."""

import re
import time

import pytest
import time_machine
from django.urls import reverse

from security.codes import totp_secret
from security.flows import flow_key
from security.methods import authenticator_add, phone_add, two_step_summary
from security.views import SETUP_FLOW
from tests.helpers import step_up_grant

CODES = reverse("security:backup_codes")
DOWNLOAD = reverse("security:backup_codes_download")


def _codes(response) -> list[str]:
    return ["".join(pair) for pair in re.findall(r"<code>(\d{4}) (\d{4})</code>", response.content.decode())]


@pytest.fixture
def granted(client, shopper, authenticator, backup_codes):
    client.force_login(shopper)
    step_up_grant(client, "two_step")
    return client


def test_new_codes_are_shown_once_and_a_revisit_shows_none(granted):
    shown = _codes(granted.post(reverse("security:backup_codes_regenerate"), follow=True))

    again = granted.get(CODES)

    assert len(shown) == 10
    assert again.status_code == 200 and _codes(again) == []
    assert not any(code[:4] in again.content.decode() for code in shown)
    assert "shown once" in again.content.decode() and "Get new codes" in again.content.decode()


def test_the_download_works_once_from_the_page_that_showed_them(granted):
    shown = _codes(granted.post(reverse("security:backup_codes_regenerate"), follow=True))

    first = granted.get(DOWNLOAD)

    assert f"{shown[0][:4]} {shown[0][4:]}" in first.content.decode()
    assert granted.get(DOWNLOAD).status_code == 404


def test_the_download_is_gone_a_minute_after_the_page(granted):
    with time_machine.travel("2026-03-02 10:00:00Z", tick=False) as traveller:
        granted.post(reverse("security:backup_codes_regenerate"), follow=True)
        traveller.shift(61)
        assert granted.get(DOWNLOAD).status_code == 404


def test_the_download_needs_the_page_first(granted):
    granted.post(reverse("security:backup_codes_regenerate"))  # the redirect is not followed: never shown

    assert granted.get(DOWNLOAD).status_code == 404
    assert len(_codes(granted.get(CODES))) == 10  # the one page view


def test_during_setup_a_revisit_shows_no_codes_and_2sv_can_still_be_turned_on(client, shopper):
    client.force_login(shopper)
    step_up_grant(client, "two_step")
    primary = authenticator_add(user=shopper, secret=totp_secret(), primary=True, confirmed=False, request=None)
    backup = phone_add(
        user=shopper, number="+447911123456", channel="sms", primary=False, confirmed=False, request=None
    )
    session = client.session
    devices = [primary.persistent_id, backup.persistent_id]
    session[flow_key(SETUP_FLOW)] = {"step": "codes", "expires": time.time() + 600, "devices": devices}
    session.save()

    assert len(_codes(client.get(CODES))) == 10
    assert _codes(client.get(CODES)) == []
    renewed = _codes(client.post(reverse("security:backup_codes_regenerate"), follow=True))
    assert len(renewed) == 10 and _codes(client.get(CODES)) == []

    client.post(CODES)

    summary = two_step_summary(shopper)
    assert summary.enabled and summary.backup_codes_left == 10
