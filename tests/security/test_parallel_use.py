"""Two requests verifying the same right code at the same moment: exactly one succeeds (row locks).

To make "the same moment" certain rather than lucky, the test holds a lock on the challenge row while the
attempts start, then lets go: code without its own locks would read the challenge in every thread, block on
its write, and then pass in all of them.
"""

import pytest

from security.challenges import CodeOutcome, challenge_issue, challenge_verify
from security.models import BackupCode, BackupCodeDevice, Challenge, FailureStreak, Method
from tests.helpers import app_code_raced_passes_once, last_code_sent_to, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _account_has_verified_before(shopper):
    # A first-ever verification inserts this row, and concurrent inserts serialise on its key by accident;
    # an account that has verified before has it already, and only real locks keep attempts apart.
    FailureStreak.objects.create(user=shopper)


def test_one_code_typed_four_times_at_once_passes_once(shopper, mailoutbox):
    challenge = challenge_issue(user=shopper, purpose="step_up:change_email", method=Method.EMAIL).challenge
    code = last_code_sent_to(shopper.email, mailoutbox)

    outcomes = race(
        4,
        lambda: challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="step_up:change_email", code=code),
        hold=lambda: Challenge.objects.select_for_update().get(pk=challenge.pk),
    )

    assert sorted(outcomes) == sorted([CodeOutcome.PASSED, CodeOutcome.USED, CodeOutcome.USED, CodeOutcome.USED])


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

    assert sorted(outcomes) == sorted([CodeOutcome.PASSED, CodeOutcome.USED])


def test_one_app_code_on_two_signin_pages_at_once_passes_once(shopper, authenticator):
    # Two browsers at the code step of their own sign-ins (two flows, two challenges), one app code typed in both.
    challenges = iter(
        [
            challenge_issue(
                user=shopper, purpose="signin", method=Method.AUTHENTICATOR, device=authenticator, flow=f"browser-{n}"
            ).challenge
            for n in range(2)
        ]
    )
    code = authenticator.app.now()

    outcomes = race(
        2,
        lambda: challenge_verify(challenge_id=next(challenges).pk, user=shopper, purpose="signin", code=code),
        hold=lambda: FailureStreak.objects.select_for_update().get(user=shopper),
    )

    assert sorted(outcomes) == sorted([CodeOutcome.PASSED, CodeOutcome.USED])
    assert Challenge.objects.filter(user=shopper, state=Challenge.State.PASSED).count() == 1


def test_one_app_code_where_no_streak_serialises_the_tries_passes_once(shopper, authenticator):
    # Stranger purposes take no account-wide lock; the app's time step alone must refuse the second use.
    app_code_raced_passes_once(
        shopper,
        authenticator,
        [
            challenge_issue(user=shopper, purpose=purpose, method=Method.AUTHENTICATOR, device=authenticator).challenge
            for purpose in ("password_reset_2sv", "report_intrusion_2sv")
        ],
    )
