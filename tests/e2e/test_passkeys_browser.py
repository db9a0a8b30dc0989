"""Passkeys in Chromium, with the DevTools virtual authenticator playing the phone's or laptop's screen lock.

WebAuthn refuses IP addresses, so these pages load the live server as http://localhost:<port>, and the relying
party id and origin are set to match for the live server (same process: the `settings` fixture reaches it).
"""

import base64
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Page, expect

from security.models import Passkey, SecurityEvent
from security.passkeys import _user_handle
from tests.e2e.conftest import VIEWPORTS, phone_window_only
from tests.e2e.steps import code_field, send_code, sign_in
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}
UNSUPPORTED = "This browser can't use passkeys. Use one of the other ways on this page."


class VirtualAuthenticator:
    """Chromium's virtual authenticator in one page (its tab): a platform authenticator with resident keys and a
    screen lock that always says yes."""

    def __init__(self, page: Page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.id = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    def add(self, credential: dict) -> None:
        self.cdp.send("WebAuthn.addCredential", {"authenticatorId": self.id, "credential": credential})


@pytest.fixture
def localhost(live_server, settings) -> str:
    base_url = f"http://localhost:{live_server.thread.port}"
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [base_url]
    return base_url


@pytest.fixture
def open_browser(browser, viewport_name, localhost):
    """A new browser (its own cookies and authenticator store) on localhost, of this test's size."""
    contexts = []

    def open_browser(*, init_script: str = "") -> Page:
        context = browser.new_context(base_url=localhost, locale="en-GB", **VIEWPORTS[viewport_name])
        context.set_default_timeout(10_000)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        return context.new_page()

    yield open_browser
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_browser) -> Page:
    """Replaces conftest's `page` (so `look` looks at this one): the first browser, on localhost."""
    return open_browser()


def account_menu(page: Page):
    return page.locator(".account-menu summary")


def prove_by_email(page: Page, user, mailoutbox) -> None:
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    send_code(page, "We'll email a 6-digit code to j•••@example.com.")
    code_field(page).fill(last_code_sent_to(user.email, mailoutbox))
    page.get_by_role("button", name="Continue").click()


def subjects(mailoutbox, user) -> list[str]:
    return [m.subject for m in mailoutbox if user.email in m.to]


def kinds(user) -> list[str]:
    return list(SecurityEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def test_add_a_passkey_sign_in_with_it_on_another_browser_step_up_with_it_and_remove_it(
    page: Page, open_browser, look, shopper, password, mailoutbox, viewport_name
):
    # 1. Add a passkey on Login & security, behind step-up.
    laptop = VirtualAuthenticator(page)
    sign_in(page, shopper, password, mailoutbox)
    page.goto("/account/security/")
    page.get_by_role("link", name="Add a passkey").click()
    expect(page.get_by_role("heading", name="Passkeys", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    look("none-yet")
    page.get_by_role("link", name="Add a passkey").click()
    prove_by_email(page, shopper, mailoutbox)
    expect(page.get_by_role("heading", name="Passkeys", exact=True)).to_be_visible()
    page.get_by_label("Name (optional)").fill("Work laptop")
    look("add")
    page.get_by_role("button", name="Create a passkey").click()
    expect(page.get_by_role("status")).to_contain_text("Passkey added: Work laptop. You can sign in with it now.")
    item = page.locator(".method--passkey")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Work laptop")
    expect(item).to_contain_text("Added ")
    expect(item).to_contain_text("not used yet")
    look("added")
    passkey = Passkey.objects.get(user=shopper)
    assert passkey.name == "Work laptop" and passkey.last_used_at is None
    assert SecurityEvent.Kind.PASSKEY_ADDED in kinds(shopper)
    assert "A passkey was added to your account" in subjects(mailoutbox, shopper)
    assert len(laptop.credentials()) == 1

    page.get_by_label("New name for Work laptop").fill("Jo's laptop")
    page.get_by_role("button", name="Rename Work laptop").click()
    expect(page.get_by_role("status")).to_contain_text("Passkey renamed.")
    expect(page.locator(".method--passkey strong")).to_have_text("Jo's laptop")

    account_menu(page).click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(account_menu(page)).to_contain_text("Account")

    # 2. Another browser holding the same passkey signs in with it alone: no password, no code.
    phone = open_browser()
    synced = VirtualAuthenticator(phone)
    new_signins = subjects(mailoutbox, shopper).count("New sign-in to your account")
    phone.goto("/account/signin/")
    expect(phone.get_by_text(UNSUPPORTED)).to_be_hidden()
    look("sign-in", target=phone)  # waits for the page's autofill request, made while this browser held no passkey
    for credential in laptop.credentials():  # the virtual authenticator would answer the autofill one at once
        synced.add(credential)
    phone.get_by_role("button", name="Sign in with a passkey").click()
    expect(account_menu(phone)).to_contain_text("Hello, Jo")
    assert subjects(mailoutbox, shopper).count("New sign-in to your account") == new_signins + 1
    assert kinds(shopper)[-1] == SecurityEvent.Kind.SIGNIN_NEW_DEVICE
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    look("signed-in", target=phone)

    # 3. Step-up with the passkey instead of a code.
    phone.goto("/account/security/email/")
    expect(phone.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    look("step-up", target=phone)
    phone.get_by_role("button", name="Use a passkey instead").click()
    expect(phone.get_by_label("New email address")).to_be_visible()
    assert last_step_up_method(shopper) == "passkey"

    # 4. Remove it: a step-up of its own (grants are per action), and the last passkey needs the box ticked.
    phone.goto("/account/security/passkeys/")
    expect(phone.locator(".method--passkey")).to_contain_text("last used")
    look("used", target=phone)
    phone.get_by_role("link", name="Remove Jo's laptop").click()
    expect(phone.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    phone.get_by_role("button", name="Use a passkey instead").click()
    expect(phone.get_by_role("heading", name="Remove Jo's laptop?")).to_be_visible()
    expect(phone.get_by_text("This is your last passkey.")).to_be_visible()
    look("remove", target=phone)
    phone.get_by_role("button", name="Remove", exact=True).click()
    expect(phone.get_by_text("Tick the box to confirm")).to_be_visible()
    assert Passkey.objects.filter(user=shopper).count() == 1
    phone.get_by_label("I understand I'll sign in with my password and codes instead.").check()
    phone.get_by_role("button", name="Remove", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("Passkey removed.")
    expect(phone.locator(".method--passkey")).to_have_count(0)
    expect(phone.get_by_text("You have no passkeys yet.")).to_be_visible()
    look("removed", target=phone)
    assert not Passkey.objects.filter(user=shopper).exists()
    assert kinds(shopper)[-1] == SecurityEvent.Kind.PASSKEY_REMOVED
    assert "A passkey was removed from your account" in subjects(mailoutbox, shopper)


def last_step_up_method(user) -> str:
    event = SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.STEP_UP).order_by("pk").last()
    return event.detail.get("method", "") if event else ""


def test_a_browser_without_passkeys_says_so_and_the_password_still_works(
    open_browser, look, shopper, password, mailoutbox
):
    page = open_browser(init_script="delete window.PublicKeyCredential")
    page.goto("/account/signin/")
    expect(page.get_by_text(UNSUPPORTED)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_have_count(0)
    look("sign-in", target=page)
    sign_in(page, shopper, password, mailoutbox)


@pytest.fixture
def shopper_passkey(shopper):
    """A passkey of the shopper's made outside the browser: its private key, as the virtual authenticator takes it,
    and the row the server keeps (the public key as COSE)."""
    import cbor2

    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
    credential_id = b"deadbolt-test-passkey-0001"
    Passkey.objects.create(
        user=shopper, name="Jo's phone", confirmed=True, credential_id=credential_id, public_key=cose, sign_count=0
    )
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        "credentialId": base64.b64encode(credential_id).decode(),
        "isResidentCredential": True,
        "rpId": "localhost",
        "privateKey": base64.b64encode(pkcs8).decode(),
        "userHandle": base64.b64encode(_user_handle(shopper)).decode(),
        "signCount": 0,
    }


def test_a_passkey_instead_of_the_2sv_code(page: Page, look, shopper, password, authenticator, shopper_passkey):
    phone = VirtualAuthenticator(page)
    page.goto("/account/signin/")
    page.get_by_label("Email address").fill(shopper.email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    look("code-step")
    phone.add(shopper_passkey)  # only now: on the sign-in page the autofill request would have used it
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(account_menu(page)).to_contain_text("Hello, Jo")
    assert Passkey.objects.get(user=shopper).last_used_at is not None
    assert kinds(shopper)[-1] == SecurityEvent.Kind.SIGNIN_NEW_DEVICE


@phone_window_only
def test_the_email_field_offers_the_passkey(page: Page, shopper, shopper_passkey):
    """Conditional mediation: the sign-in page asks for a passkey as it loads, for the email field's autofill. A
    person picks it there; the virtual authenticator, holding one, answers at once."""
    VirtualAuthenticator(page).add(shopper_passkey)
    page.goto("/account/signin/")
    expect(account_menu(page)).to_contain_text("Hello, Jo")
    expect(page).to_have_url(re.compile(r"/$"))
    assert Passkey.objects.get(user=shopper).last_used_at is not None
