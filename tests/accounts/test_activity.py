import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from security.events import event_record

pytestmark = pytest.mark.django_db


def test_activity_is_paged_newest_first_with_this_wasnt_me_on_what_could_be_an_intruder(client, shopper, outsider):
    for _ in range(25):
        event_record(user=shopper, kind="code_sent")
    event_record(user=shopper, kind="signin_new_device", device="Chrome on Android")
    event_record(user=outsider, kind="password_changed")
    client.force_login(shopper)

    first = client.get("/account/security/activity/").content.decode()
    second = client.get("/account/security/activity/?page=2").content.decode()

    assert first.index("Signed in on a new device") < first.index("Code sent")
    assert "Chrome on Android" in first and "This wasn" in first and "Page 1 of 2" in first
    assert second.count("Code sent") == 6 and "This wasn" not in second
    assert "Password changed" not in first + second  # another person's events never show


def test_the_activity_page_query_count_is_flat(client, shopper):
    for _ in range(2):
        event_record(user=shopper, kind="code_sent")
    client.force_login(shopper)
    client.get("/account/security/activity/")  # the first request after sign-in also touches the session
    with CaptureQueriesContext(connection) as few:
        client.get("/account/security/activity/")
    for _ in range(60):
        event_record(user=shopper, kind="signin_new_device", device="Firefox on Windows")
    with CaptureQueriesContext(connection) as many:
        client.get("/account/security/activity/")

    assert len(many) == len(few)


def test_signed_out_people_cannot_see_activity(client):
    assert client.get("/account/security/activity/").status_code == 302
