import pyotp
import pytest

from messaging.backends import locmem
from security.codes import totp_secret
from security.methods import authenticator_add, backup_codes_create, phone_add


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


def run_pending_on_commit() -> None:
    """Run what a commit would run (the outbox's publish), inside a test's never-committed transaction."""
    from django.db import connection

    while connection.run_on_commit:
        _savepoints, callback, _robust = connection.run_on_commit.pop(0)
        callback()


def last_code_sent_to(destination: str, mailoutbox=None) -> str:
    """The 6-digit code in the newest SMS, call or email to `destination` (what the person would read)."""
    import re

    run_pending_on_commit()
    texts = [m.text for m in locmem.outbox if m.to == destination]
    texts += [m.body for m in (mailoutbox or []) if destination in m.to]
    assert texts, f"nothing was sent to {destination}"
    return re.search(r"\b(\d{6})\b", texts[-1].replace(", ", "")).group(1)


@pytest.fixture
def code_sent_to(mailoutbox):
    return lambda destination: last_code_sent_to(destination, mailoutbox)


@pytest.fixture
def authenticator(shopper):
    """The shopper's authenticator app, played by pyotp (an independent TOTP implementation)."""
    secret = totp_secret()
    device = authenticator_add(user=shopper, secret=secret, primary=True, confirmed=True, request=None)
    device.app = pyotp.TOTP(secret)
    return device


@pytest.fixture
def phone(shopper):
    return phone_add(user=shopper, number="+447911123456", channel="sms", primary=False, confirmed=True, request=None)


@pytest.fixture
def backup_codes(shopper, authenticator):
    return backup_codes_create(user=shopper, confirmed=True, request=None)
