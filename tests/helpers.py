"""Helpers for reading what a person would receive."""

import re

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
