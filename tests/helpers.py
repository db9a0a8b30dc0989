"""Helpers for reading what a person would receive."""

import re
import threading
import time

import pytest

from messaging.backends import locmem


def run_pending_on_commit() -> None:
    """Run what a commit would run (the outbox's publish), inside a test's never-committed transaction."""
    from django.db import connection

    while connection.run_on_commit:
        _savepoints, callback, _robust = connection.run_on_commit.pop(0)
        callback()


def last_code_sent_to(destination: str, mailoutbox=None) -> str:
    """The 6-digit code in the newest SMS, call or email to `destination` (what the person would read)."""
    run_pending_on_commit()
    texts = [m.text for m in locmem.outbox if m.to == destination]
    texts += [m.body for m in (mailoutbox or []) if destination in m.to]
    assert texts, f"nothing was sent to {destination}"
    return re.search(r"\b(\d{6})\b", texts[-1].replace(", ", "")).group(1)


def delivery_code_sent_to(destination: str, mailoutbox=None) -> str:
    """The delivery code in the newest delivery-code SMS or email to `destination`."""
    run_pending_on_commit()
    texts = [m.text for m in locmem.outbox if m.to == destination and "delivery code for" in m.text]
    texts += [m.body for m in (mailoutbox or []) if destination in m.to and "delivery code" in m.subject]
    assert texts, f"no delivery code was sent to {destination}"
    return re.search(r"(?:is |^ {4})(\d{6})\b", texts[-1], re.MULTILINE).group(1)


def postgresql_only() -> None:
    """Skip on the embedded SQLite: threads writing at once and row locks are PostgreSQL's (its in-memory test
    database locks whole tables). Under CI the session has already refused anything but PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (threads writing at once, row locks); CI runs it on PostgreSQL")


def race(attempts: int, verify, *, hold) -> list:
    """Start `attempts` threads (each on its own connection) while `hold()` rows are locked, then release."""
    from django.db import connections, transaction

    postgresql_only()
    locked, release, outcomes, errors = threading.Event(), threading.Event(), [], []

    def holder():
        try:
            with transaction.atomic():
                hold()
                locked.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    def attempt():
        try:
            outcomes.append(verify().outcome)
        except Exception as error:  # a crash is not an acceptable answer either
            errors.append(error)
        finally:
            connections.close_all()

    holding = threading.Thread(target=holder)
    holding.start()
    assert locked.wait(timeout=10)
    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # every attempt is now either blocked on a lock or waiting to write
    release.set()
    for thread in [holding, *threads]:
        thread.join(timeout=30)
    assert not errors, errors
    return outcomes


def app_code_raced_passes_once(user, authenticator, challenges: list) -> None:
    """One authenticator code typed into two challenges at the same moment (the app's row held until both wait):
    exactly one passes, the other is told the code was used."""
    from security.challenges import CodeOutcome, challenge_verify
    from security.models import AuthenticatorDevice, Challenge

    waiting, code = iter(challenges), authenticator.app.now()

    def use_it():
        challenge = next(waiting)
        return challenge_verify(challenge_id=challenge.pk, user=user, purpose=challenge.purpose, code=code)

    outcomes = race(2, use_it, hold=lambda: AuthenticatorDevice.objects.select_for_update().get(pk=authenticator.pk))

    assert sorted(outcomes) == sorted([CodeOutcome.PASSED, CodeOutcome.USED])
    assert Challenge.objects.filter(user=user, state=Challenge.State.PASSED).count() == 1


def step_up_grant(client, action: str, seconds_left: int = 600) -> None:
    """Give the client's session a step-up grant for `action`, as a passed code would (negative: already stale)."""
    from security.step_up import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = {action: time.time() + seconds_left}
    session.save()


def wrong_code(code: str, offset: int = 1) -> str:
    """A 6-digit code that is not `code`."""
    return f"{(int(code) + offset) % 1_000_000:06d}"


def code_page_open(client, url: str):
    """Open a code page as a person would: when it offers "Send code" (nothing is sent on a page view), press it."""
    page = client.get(url)
    if 'name="do" value="send"' in page.content.decode():
        client.post(url, {"do": "send"})
        page = client.get(url)
    run_pending_on_commit()
    return page


def authenticator_for(user):
    """A confirmed primary authenticator app for `user`, played by pyotp (an independent TOTP implementation):
    `device.app.now()` is the code the phone would show."""
    import pyotp

    from security.codes import totp_secret
    from security.methods import authenticator_add

    secret = totp_secret()
    device = authenticator_add(user=user, secret=secret, primary=True, confirmed=True, request=None)
    device.app = pyotp.TOTP(secret)
    return device
