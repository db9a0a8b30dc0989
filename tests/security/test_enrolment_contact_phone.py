"""One phone, end to end: the number proved at 2SV enrolment, when ticked, is the account's mobile number, shown on
Login & security and the one delivery codes are texted to. Unticked, delivery codes go by email only, and the
pages say so."""

import re
from html import unescape

import pyotp
import pytest
from django.urls import reverse

from delivery.models import Shipment
from messaging.backends import locmem
from security.methods import two_step_summary
from tests.helpers import delivery_code_sent_to, last_code_sent_to, run_pending_on_commit, step_up_grant

pytestmark = pytest.mark.django_db
NUMBER = "+447911123456"
ENROL = reverse("security:phone") + "?role=primary&channel=sms"


def _page(response) -> str:
    return unescape(response.content.decode())


def _turn_on_2sv_with_a_phone(client, *, tick: bool) -> None:
    """Setup as the shopper does it: the phone (with or without the tick), the app as backup, backup codes."""
    step_up_grant(client, "two_step")
    client.get(reverse("security:two_step_start"))
    form = _page(client.get(ENROL))
    assert "Also send my order and account texts to this number" in form
    assert re.search(r'<input type="checkbox" name="also_contact"[^>]*checked', form)  # no mobile number yet
    fields = {"do": "send", "number": "07911 123456", "number_country": "GB", "channel": "sms"}
    client.post(ENROL, {**fields, "also_contact": "on"} if tick else fields)
    client.post(ENROL, {"do": "verify", "code": last_code_sent_to(NUMBER)})
    page = client.get(reverse("security:authenticator") + "?role=backup")
    secret = re.search(r'id="authenticator-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1).replace(" ", "")
    client.post(reverse("security:authenticator") + "?role=backup", {"code": pyotp.TOTP(secret).now()})
    client.get(reverse("security:backup_codes"))
    assert "Two-step verification is on." in _page(client.post(reverse("security:backup_codes"), follow=True))


def test_a_ticked_2sv_phone_is_the_mobile_number_and_gets_the_delivery_code(
    client, shopper, courier, place_order, send_out, mailoutbox
):
    client.force_login(shopper)
    _turn_on_2sv_with_a_phone(client, tick=True)
    shopper.refresh_from_db()
    assert shopper.phone == NUMBER and two_step_summary(shopper).enabled

    security = _page(client.get("/account/security/"))
    assert "Not added" not in security
    assert "Two-step verification codes are texted to this number too." in security

    order = place_order(shopper, "tablet")
    assert "we'll text and email you a 6-digit code" in _page(client.get(f"/orders/{order.pk}/"))
    locmem.outbox.clear()
    shipment, emailed_code = send_out(order, courier)
    assert delivery_code_sent_to(NUMBER) == emailed_code == Shipment.objects.get(pk=shipment.pk).code_for_owner()

    page = _page(client.post(f"/orders/{order.pk}/delivery-code/", follow=True))
    assert "We've texted it to ••••\u00a03456 and emailed it to j•••@example.com." in page
    assert delivery_code_sent_to(NUMBER) == Shipment.objects.get(pk=shipment.pk).code_for_owner()


def test_an_unticked_2sv_phone_gets_no_delivery_texts_and_the_pages_say_email(
    client, shopper, courier, place_order, send_out, mailoutbox
):
    client.force_login(shopper)
    _turn_on_2sv_with_a_phone(client, tick=False)
    shopper.refresh_from_db()
    assert shopper.phone == ""

    security = _page(client.get("/account/security/"))
    assert "Save it as your mobile number" in security
    assert "order and account texts aren't" in security

    order = place_order(shopper, "tablet")
    assert "we'll email you a 6-digit code" in _page(client.get(f"/orders/{order.pk}/"))
    locmem.outbox.clear()
    send_out(order, courier)
    run_pending_on_commit()
    assert [message for message in locmem.outbox if message.to == NUMBER] == []  # the 2SV phone is not texted
    page = _page(client.post(f"/orders/{order.pk}/delivery-code/", follow=True))
    assert "We've emailed it to j•••@example.com." in page and "texted" not in page
