"""An admin who changes a shopper's email or mobile number in Django admin: the old address or number is told,
as when the shopper changes it, and the security log says support did it."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from messaging.backends import locmem
from security.models import SecurityEvent
from tests.helpers import run_pending_on_commit

pytestmark = pytest.mark.django_db

OLD_PHONE, NEW_PHONE = "+447911123456", "+447400654321"


class FormFields(HTMLParser):
    """What a browser would submit from the admin's change form as it is (inputs, ticked boxes, chosen options)."""

    def __init__(self, html: str):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None
        self.feed(html)

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            else:
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def admin_saves(client, user, **changes):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = FormFields(client.get(url).content.decode()).data
    data.pop("csrfmiddlewaretoken", None)
    for field, value in changes.items():
        data[field] = [value]
    answer = client.post(url, {**data, "_save": "Save"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    user.refresh_from_db()
    run_pending_on_commit()
    return answer


@pytest.fixture
def shopper_with_phone(shopper):
    shopper.phone = OLD_PHONE
    shopper.save(update_fields=["phone"])
    return shopper


def test_an_admin_changing_the_email_tells_the_old_address(verified_login, admin_user, shopper, mailoutbox):
    client = verified_login(admin_user)
    old = shopper.email
    mailoutbox.clear()

    admin_saves(client, shopper, email="someone.else@example.net")

    assert shopper.email == "someone.else@example.net"
    (alert,) = [m for m in mailoutbox if "email was changed" in m.subject]
    assert alert.to == [old]
    html = alert.alternatives[0][0]
    for body in (alert.body, html):
        assert "s•••@example.net" in body and "someone.else@example.net" not in body
        assert "Our support team made this change" in body
        assert "/account/not-me/" in body and "/contact/" in body
        assert "If this was you, there's nothing to do" not in body
    assert not [m for m in mailoutbox if "someone.else@example.net" in m.to]
    event = SecurityEvent.objects.get(user=shopper, kind=SecurityEvent.Kind.EMAIL_CHANGED)
    assert event.detail["by_admin"] == admin_user.email


def test_an_admin_changing_the_phone_texts_the_old_number(verified_login, admin_user, shopper_with_phone, mailoutbox):
    client = verified_login(admin_user)
    mailoutbox.clear()
    locmem.outbox.clear()

    admin_saves(client, shopper_with_phone, phone=NEW_PHONE)

    assert shopper_with_phone.phone == NEW_PHONE
    texts = [m for m in locmem.outbox if "mobile number was changed" in m.text]
    assert [m.to for m in texts] == [OLD_PHONE]
    assert "**** 4321" in texts[0].text and NEW_PHONE not in texts[0].text
    assert "support team" in texts[0].text
    assert not [m for m in locmem.outbox if m.to == NEW_PHONE]
    (email,) = [m for m in mailoutbox if "mobile number was changed" in m.subject]
    assert email.to == [shopper_with_phone.email]
    event = SecurityEvent.objects.get(user=shopper_with_phone, kind=SecurityEvent.Kind.PHONE_CHANGED)
    assert event.detail["by_admin"] == admin_user.email


def test_an_admin_changing_both_tells_the_old_email_of_each(verified_login, admin_user, shopper_with_phone, mailoutbox):
    client = verified_login(admin_user)
    old = shopper_with_phone.email
    mailoutbox.clear()

    admin_saves(client, shopper_with_phone, email="taken.over@example.net", phone=NEW_PHONE)

    assert {m.to[0] for m in mailoutbox if "changed" in m.subject} == {old}
    assert [m.to for m in locmem.outbox if "changed" in m.text] == [OLD_PHONE]


def test_an_admin_saving_other_details_sends_nothing(verified_login, admin_user, shopper_with_phone, mailoutbox):
    client = verified_login(admin_user)
    mailoutbox.clear()
    locmem.outbox.clear()

    admin_saves(client, shopper_with_phone, name="Jo Renamed")

    assert shopper_with_phone.name == "Jo Renamed"
    assert not [m for m in mailoutbox if "changed" in m.subject]
    assert not locmem.outbox
    assert not SecurityEvent.objects.filter(
        user=shopper_with_phone, kind__in=[SecurityEvent.Kind.EMAIL_CHANGED, SecurityEvent.Kind.PHONE_CHANGED]
    ).exists()


def test_the_shopper_sees_support_made_the_change(verified_login, admin_user, shopper, client):
    admin_client = verified_login(admin_user)
    admin_saves(admin_client, shopper, email="someone.else@example.net")

    client.force_login(shopper)
    page = client.get(reverse("accounts:activity")).content.decode()

    assert "Email address changed" in page and "by our support team" in page
