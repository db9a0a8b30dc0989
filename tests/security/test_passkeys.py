"""Passkeys (issue 15): registration and assertion verification, with responses recorded from a software
authenticator (tests/security/webauthn_authenticator.py) and then forged one field at a time.

Each browser request is played the way the session middleware plays it: the session is loaded from the database
by the client's cookie, the function runs, and the session is saved if it changed (also when it refused).
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.utils import timezone

from security.models import Passkey, SecurityEvent
from security.passkeys import (
    PasskeyRefused,
    passkey_authenticate,
    passkey_authentication_options,
    passkey_register,
    passkey_registration_options,
)
from tests.security.webauthn_authenticator import TEST_AAGUID, SoftwareAuthenticator, b64url, from_b64url

pytestmark = pytest.mark.django_db

ORIGIN = "http://localhost:8000"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
CLONE = "passkey_clone_suspected"
JARGON = ("RP ID", "rp_id", "clientData", "authenticatorData", "attestation", "Unexpected", "sign count", "Invalid")


@pytest.fixture(autouse=True)
def _relying_party(settings):
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_RP_NAME = "Deadbolt"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


class Browser:
    """One browser: its session cookie, and each call a fresh request with the session loaded from the store."""

    def __init__(self, client: Client):
        self.client = client
        self.session_key = client.session.session_key  # creates and saves the session, sets the cookie

    def call(self, function, **kwargs):
        request = RequestFactory().post("/", HTTP_HOST="localhost:8000", HTTP_USER_AGENT=CHROME)
        request.session = SessionStore(self.session_key)
        request.user = kwargs.get("user") or AnonymousUser()
        try:
            return function(request=request, **kwargs)
        finally:
            if request.session.modified:  # as SessionMiddleware does, also for a refusal shown on the page
                request.session.save()


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def other_browser(db):
    return Browser(Client())


@pytest.fixture
def phone():
    """The shopper's phone: a platform authenticator holding synced passkeys."""
    return SoftwareAuthenticator()


def register(browser, user, device, *, origin=ORIGIN, name="", **forge):
    options = browser.call(passkey_registration_options, user=user)
    response = device.create(options, origin, **forge)
    return browser.call(passkey_register, user=user, credential=response, name=name)


def refused(browser, function, **kwargs) -> str:
    """The call is refused with a message for the person (plain words, not the library's)."""
    with pytest.raises(PasskeyRefused) as refusal:
        browser.call(function, **kwargs)
    message = str(refusal.value.message)
    assert message.strip()
    assert not any(word in message for word in JARGON), message
    return message


def clone_events(user) -> int:
    return SecurityEvent.objects.filter(user=user, kind=CLONE).count()


# Registration ---------------------------------------------------------------------------------------------


def test_a_passkey_from_the_right_origin_is_saved_with_its_counter_and_aaguid(browser, shopper, phone):
    options = browser.call(passkey_registration_options, user=shopper)

    assert options["rp"] == {"id": "localhost", "name": "Deadbolt"}
    assert options["user"]["name"] == shopper.email
    assert options["user"]["displayName"]
    assert shopper.email.encode() not in from_b64url(options["user"]["id"])  # the user handle holds no email
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["excludeCredentials"] == []
    assert len(from_b64url(options["challenge"])) >= 16

    response = phone.create(options, ORIGIN, sign_count=5)
    passkey = browser.call(passkey_register, user=shopper, credential=response, name="Jo's phone")

    saved = Passkey.objects.get()
    assert saved.pk == passkey.pk
    assert saved.user == shopper
    assert saved.name == "Jo's phone"
    (credential,) = phone.credentials.values()
    assert bytes(saved.credential_id) == credential.credential_id
    assert bytes(saved.public_key) == credential.cose_public_key()
    assert saved.sign_count == 5
    assert str(saved.aaguid).replace("-", "").lower() == TEST_AAGUID.hex()
    assert saved.backed_up is True
    assert saved.created_at is not None
    assert saved.last_used_at is None

    again = browser.call(passkey_registration_options, user=shopper)
    assert again["excludeCredentials"] == [{"id": b64url(credential.credential_id), "type": "public-key"}]
    assert again["user"]["id"] == options["user"]["id"]  # one stable handle per person
    assert again["challenge"] != options["challenge"]


def test_another_shoppers_options_exclude_only_their_own_passkeys(browser, other_browser, shopper, outsider, phone):
    register(browser, shopper, phone)

    theirs = other_browser.call(passkey_registration_options, user=outsider)

    assert theirs["excludeCredentials"] == []
    assert theirs["user"]["id"] != browser.call(passkey_registration_options, user=shopper)["user"]["id"]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param({"origin": "https://evil.example"}, id="wrong-origin"),
        pytest.param({"origin": "http://localhost:8001"}, id="another-port"),
        pytest.param({"rp_id": "evil.example"}, id="wrong-rp-id"),
        pytest.param({"user_verified": False}, id="user-not-verified"),
        pytest.param({"challenge": b64url(b"a challenge never sent.....")}, id="challenge-never-sent"),
        pytest.param({"kind": "webauthn.get"}, id="an-assertion-posing-as-a-registration"),
    ],
)
def test_a_forged_registration_is_refused_and_nothing_is_saved(browser, shopper, phone, forge):
    options = browser.call(passkey_registration_options, user=shopper)
    origin = forge.pop("origin", ORIGIN)
    response = phone.create(options, origin, **forge)

    refused(browser, passkey_register, user=shopper, credential=response)

    assert not Passkey.objects.exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSKEY_ADDED).exists()


def test_a_replayed_registration_is_refused(browser, shopper, phone):
    options = browser.call(passkey_registration_options, user=shopper)
    response = phone.create(options, ORIGIN)
    browser.call(passkey_register, user=shopper, credential=response)

    refused(browser, passkey_register, user=shopper, credential=response)

    assert Passkey.objects.count() == 1


def test_a_refused_registration_uses_up_the_challenge(browser, shopper, phone):
    """The challenge is consumed whether the response passes or not: a good response after a bad one gets nothing."""
    options = browser.call(passkey_registration_options, user=shopper)
    refused(browser, passkey_register, user=shopper, credential=phone.create(options, "https://evil.example"))

    refused(browser, passkey_register, user=shopper, credential=phone.create(options, ORIGIN))

    assert not Passkey.objects.exists()


def test_a_challenge_from_another_session_is_refused(browser, other_browser, shopper, phone):
    options = browser.call(passkey_registration_options, user=shopper)
    response = phone.create(options, ORIGIN)

    # The other browser has no ceremony of its own, then one with its own challenge: neither takes this response.
    refused(other_browser, passkey_register, user=shopper, credential=response)
    other_browser.call(passkey_registration_options, user=shopper)
    refused(other_browser, passkey_register, user=shopper, credential=response)

    assert not Passkey.objects.exists()


def test_a_challenge_expires_after_five_minutes(browser, shopper, phone):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fresh = browser.call(passkey_registration_options, user=shopper)
        traveller.shift(timedelta(minutes=4))
        browser.call(passkey_register, user=shopper, credential=phone.create(fresh, ORIGIN))
        assert Passkey.objects.count() == 1

        stale = browser.call(passkey_registration_options, user=shopper)
        traveller.shift(timedelta(minutes=6))
        refused(browser, passkey_register, user=shopper, credential=SoftwareAuthenticator().create(stale, ORIGIN))

    assert Passkey.objects.count() == 1


# Authentication -------------------------------------------------------------------------------------------


@pytest.fixture
def passkey(browser, shopper, phone):
    """The shopper's passkey on their phone, added with a counter of 10."""
    return register(browser, shopper, phone, sign_count=10)


@pytest.fixture
def outsiders_phone(other_browser, outsider):
    device = SoftwareAuthenticator()
    register(other_browser, outsider, device)
    return device


def assertion(browser, device, *, user=None, origin=ORIGIN, **forge):
    options = browser.call(passkey_authentication_options, user=user)
    return device.get(options, origin, **forge)


def test_a_right_assertion_returns_the_passkey_and_raises_its_counter(browser, shopper, phone, passkey):
    options = browser.call(passkey_authentication_options)
    assert options["rpId"] == "localhost"
    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == []  # a discoverable sign-in: the phone offers its passkeys

    signed_in = browser.call(passkey_authenticate, credential=phone.get(options, ORIGIN))

    assert signed_in.pk == passkey.pk
    assert signed_in.user == shopper
    passkey.refresh_from_db()
    assert passkey.sign_count == 11
    assert passkey.last_used_at is not None
    assert clone_events(shopper) == 0


def test_options_for_a_user_list_only_their_passkeys(browser, shopper, phone, passkey, outsiders_phone):
    options = browser.call(passkey_authentication_options, user=shopper)

    assert options["allowCredentials"] == [{"id": b64url(bytes(passkey.credential_id)), "type": "public-key"}]
    assert options["userVerification"] == "required"
    signed_in = browser.call(passkey_authenticate, credential=phone.get(options, ORIGIN), user=shopper)
    assert signed_in.pk == passkey.pk


def test_an_authenticator_that_never_counts_is_not_a_clone(browser, shopper):
    """Synced passkeys (iCloud Keychain, Google Password Manager) report 0 every time: 0 after 0 is no clone."""
    synced = SoftwareAuthenticator()
    passkey = register(browser, shopper, synced, sign_count=0)

    for _ in range(2):
        browser.call(passkey_authenticate, credential=assertion(browser, synced, sign_count=0))

    passkey.refresh_from_db()
    assert passkey.sign_count == 0
    assert passkey.last_used_at is not None
    assert clone_events(shopper) == 0


def test_a_replayed_assertion_is_refused(browser, other_browser, shopper, phone, passkey):
    response = assertion(browser, phone)
    browser.call(passkey_authenticate, credential=response)
    passkey.refresh_from_db()
    used_at = passkey.last_used_at

    refused(browser, passkey_authenticate, credential=response)
    other_browser.call(passkey_authentication_options)
    refused(other_browser, passkey_authenticate, credential=response)  # nor in another session with a ceremony

    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (11, used_at)


def test_a_refused_assertion_uses_up_the_challenge(browser, shopper, phone, passkey):
    options = browser.call(passkey_authentication_options)
    refused(browser, passkey_authenticate, credential=phone.get(options, "https://evil.example"))

    refused(browser, passkey_authenticate, credential=phone.get(options, ORIGIN))

    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (10, None)


def flip_a_signature_byte(response: dict) -> dict:
    signature = bytearray(from_b64url(response["response"]["signature"]))
    signature[-1] ^= 0x01
    response["response"]["signature"] = b64url(bytes(signature))
    return response


@pytest.mark.parametrize(
    "forge, tamper",
    [
        pytest.param({"origin": "https://evil.example"}, None, id="wrong-origin"),
        pytest.param({"rp_id": "evil.example"}, None, id="wrong-rp-id"),
        pytest.param({"user_verified": False}, None, id="user-not-verified"),
        pytest.param({}, flip_a_signature_byte, id="bad-signature"),
        pytest.param({"challenge": b64url(b"a challenge never sent.....")}, None, id="challenge-never-sent"),
        pytest.param({"kind": "webauthn.create"}, None, id="a-registration-posing-as-an-assertion"),
    ],
)
def test_a_forged_assertion_is_refused_and_nothing_changes(browser, shopper, phone, passkey, forge, tamper):
    origin = forge.pop("origin", ORIGIN)
    response = assertion(browser, phone, origin=origin, **forge)
    if tamper:
        response = tamper(response)

    refused(browser, passkey_authenticate, credential=response)

    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (10, None)
    assert clone_events(shopper) == 0


def test_an_unknown_credential_is_refused(browser, shopper, passkey):
    """A passkey for this site that was never added here (made on a page that then refused it, say)."""
    stranger = SoftwareAuthenticator()
    stranger.create(browser.call(passkey_registration_options, user=shopper), ORIGIN)
    (unknown,) = stranger.credentials

    refused(browser, passkey_authenticate, credential=assertion(browser, stranger))
    response = assertion(browser, stranger, user=shopper, credential_id=unknown)
    refused(browser, passkey_authenticate, credential=response, user=shopper)

    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (10, None)
    assert Passkey.objects.count() == 1


def test_another_users_credential_is_refused_when_the_user_is_given(browser, shopper, outsider, outsiders_phone):
    (theirs,) = outsiders_phone.credentials

    response = assertion(browser, outsiders_phone, user=shopper, credential_id=theirs)
    refused(browser, passkey_authenticate, credential=response, user=shopper)

    their_passkey = Passkey.objects.get(user=outsider)
    assert (their_passkey.sign_count, their_passkey.last_used_at) == (0, None)


def test_a_user_handle_that_is_not_the_owners_is_refused(browser, shopper, outsider, phone, passkey):
    """WebAuthn Level 3, 7.2 step 6: the userHandle must be the credential's owner's. It is not signed, so only
    this check catches a response whose handle was swapped."""
    outsiders_handle = browser.call(passkey_registration_options, user=outsider)["user"]["id"]
    response = assertion(browser, phone)
    response["response"]["userHandle"] = outsiders_handle

    refused(browser, passkey_authenticate, credential=response)

    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (10, None)


@pytest.mark.parametrize("count", [pytest.param(5, id="backwards"), pytest.param(10, id="equal")])
def test_a_counter_that_does_not_go_up_is_a_clone(browser, shopper, phone, passkey, count):
    refused(browser, passkey_authenticate, credential=assertion(browser, phone, sign_count=count))

    assert clone_events(shopper) == 1
    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (10, None)


def test_a_forged_assertion_with_a_low_counter_is_no_evidence_of_a_clone(browser, shopper, phone, passkey, mailoutbox):
    """Credential ids are not secret (allowCredentials names them). An assertion whose signature fails proves
    nothing about the key, so it must not raise a "copied passkey" event or alert: anyone could send those at will."""
    mails_before = len(mailoutbox)
    response = flip_a_signature_byte(assertion(browser, phone, sign_count=1))

    refused(browser, passkey_authenticate, credential=response)

    assert clone_events(shopper) == 0
    assert len(mailoutbox) == mails_before
    passkey.refresh_from_db()
    assert (passkey.sign_count, passkey.last_used_at) == (10, None)


def test_the_relying_party_comes_from_settings(browser, shopper, settings):
    settings.WEBAUTHN_RP_ID = "shop.example.com"
    settings.WEBAUTHN_ORIGINS = ["https://shop.example.com"]
    device = SoftwareAuthenticator()

    options = browser.call(passkey_registration_options, user=shopper)
    assert options["rp"]["id"] == "shop.example.com"
    stray = SoftwareAuthenticator().create(options, ORIGIN)  # localhost is no longer an origin
    refused(browser, passkey_register, user=shopper, credential=stray)

    passkey = register(browser, shopper, device, origin="https://shop.example.com")
    signed_in = browser.call(
        passkey_authenticate, credential=assertion(browser, device, origin="https://shop.example.com")
    )
    assert signed_in.pk == passkey.pk
