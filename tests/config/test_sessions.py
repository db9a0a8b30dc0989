"""config.sessions: Django's database sessions in fewer statements, with the same guarantees (issue 20)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from config.sessions import SessionStore
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db
SIGNIN, CODE, SECURITY = "/account/signin/", "/account/signin/code/", "/account/security/"


def test_a_sign_in_moves_the_session_to_a_new_key_and_the_old_key_opens_nothing(
    client, shopper, password, authenticator
):
    client.post(SIGNIN, {"email": shopper.email, "password": password})
    fixed = client.cookies["sessionid"].value  # what an attacker who planted the cookie would hold
    client.get(CODE)

    client.post(CODE, {"do": "verify", "code": authenticator.app.now()})

    assert client.cookies["sessionid"].value != fixed
    assert client.get(SECURITY).status_code == 200
    assert not Session.objects.filter(session_key=fixed).exists()
    attacker = Client()
    attacker.cookies["sessionid"] = fixed
    assert attacker.get(SECURITY).status_code == 302  # sent to sign in


def test_a_cycled_key_keeps_the_data_in_one_row():
    store = SessionStore()
    store["basket"] = {"tea": 2}
    store.save()
    old = store.session_key

    store.cycle_key()
    new = store.session_key
    store.save()

    assert new != old and not Session.objects.filter(session_key=old).exists()
    assert SessionStore(session_key=new)["basket"] == {"tea": 2}


def test_a_session_flushed_after_its_key_cycled_leaves_neither_row():
    store = SessionStore()
    store["x"] = 1
    store.save()
    old = store.session_key
    store.cycle_key()

    store.flush()

    assert not Session.objects.filter(session_key=old).exists()
    assert store.session_key is None


def test_a_cycled_session_whose_old_row_is_gone_is_written_anew():
    store = SessionStore()
    store["x"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).delete()  # ended elsewhere meanwhile
    store.cycle_key()

    store.save()

    assert SessionStore(session_key=store.session_key)["x"] == 1


def test_a_new_key_that_clashes_is_never_shared_another_is_drawn(monkeypatch):
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    store = SessionStore()
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store["owner"] = "me"

    store.save()

    assert store.session_key == "k" * 32
    assert SessionStore(session_key=taken.session_key)["owner"] == "someone else"
    assert SessionStore(session_key="k" * 32)["owner"] == "me"


def test_a_cycled_key_that_clashes_is_never_shared_another_is_drawn(monkeypatch):
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.save()
    store = SessionStore()
    store["owner"] = "me"
    store.save()
    old = store.session_key
    keys = iter([taken.session_key, "m" * 32])
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store.cycle_key()

    store.save()

    assert store.session_key == "m" * 32
    assert SessionStore(session_key=taken.session_key)["owner"] == "someone else"
    assert SessionStore(session_key="m" * 32)["owner"] == "me"
    assert not Session.objects.filter(session_key=old).exists()


def test_an_expired_session_opens_nothing_and_its_key_is_never_reused(client, shopper, password, mailoutbox):
    client.post(SIGNIN, {"email": shopper.email, "password": password})
    client.get(CODE)
    client.post(CODE, {"do": "verify", "code": last_code_sent_to(shopper.email, mailoutbox)})
    assert client.get(SECURITY).status_code == 200
    stolen = client.cookies["sessionid"].value
    Session.objects.filter(session_key=stolen).update(expire_date=timezone.now() - timedelta(seconds=1))

    thief = Client()
    thief.cookies["sessionid"] = stolen
    response = thief.get(SECURITY)

    assert response.status_code == 302 and response.headers["Location"].startswith(SIGNIN)
    store = SessionStore(session_key=stolen)
    store["planted"] = True
    store.save()  # a write to an expired key starts a new session under a new key
    assert store.session_key != stolen
    assert Session.objects.get(session_key=stolen).get_decoded().get("planted") is None
