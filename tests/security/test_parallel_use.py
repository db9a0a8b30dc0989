"""Two requests verifying the same right code at the same moment: exactly one succeeds (row locks).

To make "the same moment" certain rather than lucky, the test holds a lock on the challenge row while the
attempts start, then lets go: code without its own locks would read the challenge in every thread, block on
its write, and then pass in all of them.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from security.challenges import Outcome, challenge_issue, challenge_verify
from security.models import BackupCode, BackupCodeDevice, Challenge, FailureStreak, Method
from tests.helpers import last_code_sent_to

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _account_has_verified_before(shopper):
    # A first-ever verification inserts this row, and concurrent inserts serialise on its key by accident;
    # an account that has verified before has it already, and only real locks keep attempts apart.
    FailureStreak.objects.create(user=shopper)


def race(attempts: int, verify, *, hold) -> list[Outcome]:
    """Start `attempts` threads (each on its own connection) while `hold()` rows are locked, then release."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
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


def test_one_code_typed_four_times_at_once_passes_once(shopper, mailoutbox):
    challenge = challenge_issue(user=shopper, purpose="step_up:change_email", method=Method.EMAIL).challenge
    code = last_code_sent_to(shopper.email, mailoutbox)

    outcomes = race(
        4,
        lambda: challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="step_up:change_email", code=code),
        hold=lambda: Challenge.objects.select_for_update().get(pk=challenge.pk),
    )

    assert sorted(outcomes) == sorted([Outcome.PASSED, Outcome.USED, Outcome.USED, Outcome.USED])


def test_one_backup_code_used_in_two_places_at_once_passes_once(shopper, authenticator, backup_codes):
    device = BackupCodeDevice.objects.get(user=shopper)
    challenges = iter(
        [
            challenge_issue(user=shopper, purpose=f"signin-{n}", method=Method.BACKUP_CODE, device=device).challenge
            for n in range(2)
        ]
    )

    def use_it():
        challenge = next(challenges)
        return challenge_verify(
            challenge_id=challenge.pk, user=shopper, purpose=challenge.purpose, code=backup_codes[0]
        )

    outcomes = race(2, use_it, hold=lambda: list(BackupCode.objects.select_for_update().filter(device=device)))

    assert sorted(outcomes) == sorted([Outcome.PASSED, Outcome.USED])
