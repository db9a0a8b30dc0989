"""Attacks on codes: each must fail with its own plain answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from security.challenges import CodeOutcome, challenge_issue, challenge_resend, challenge_verify
from security.models import Challenge, FailureStreak, Method, SecurityEvent
from tests.helpers import wrong_code

pytestmark = pytest.mark.django_db


def issue_email(user, purpose="step_up:change_email"):
    return challenge_issue(user=user, purpose=purpose, method=Method.EMAIL).challenge


def verify(challenge, code, *, user=None, purpose=None):
    return challenge_verify(
        challenge_id=challenge.pk, user=user or challenge.user, purpose=purpose or challenge.purpose, code=code
    )


def test_the_right_code_passes_once(shopper, code_sent_to):
    challenge = issue_email(shopper)
    code = code_sent_to(shopper.email)

    assert verify(challenge, code).outcome == CodeOutcome.PASSED
    reuse = verify(challenge, code)
    assert reuse.outcome == CodeOutcome.USED
    assert reuse.message == "That code has already been used. Send a new one."


def test_a_code_proves_nothing_for_another_purpose(shopper, code_sent_to):
    challenge = issue_email(shopper, purpose="step_up:change_email")
    code = code_sent_to(shopper.email)
    other = issue_email(shopper, purpose="step_up:change_password")

    assert verify(other, code).outcome == CodeOutcome.WRONG  # the change_email code, typed for change_password
    assert verify(challenge, code, purpose="step_up:change_password").outcome == CodeOutcome.ENDED


def test_a_code_proves_nothing_for_another_user(shopper, outsider, code_sent_to):
    mine = issue_email(shopper)
    my_code = code_sent_to(shopper.email)
    theirs = issue_email(outsider)

    assert verify(theirs, my_code).outcome == CodeOutcome.WRONG
    assert verify(mine, my_code, user=outsider).outcome == CodeOutcome.ENDED  # another user's challenge id
    assert Challenge.objects.get(pk=mine.pk).state == Challenge.State.ACTIVE


def test_only_the_newest_code_works(shopper, code_sent_to):
    challenge = issue_email(shopper)
    first = code_sent_to(shopper.email)
    Challenge.objects.filter(pk=challenge.pk).update(last_sent_at=timezone.now() - timedelta(seconds=31))
    assert challenge_resend(challenge=challenge).sent
    second = code_sent_to(shopper.email)

    old = verify(challenge, first)
    assert old.outcome == CodeOutcome.SUPERSEDED
    assert old.message == "That code was replaced by a newer one. Use the code from the latest message."
    assert verify(challenge, second).outcome == CodeOutcome.PASSED


def test_a_new_challenge_for_the_same_purpose_supersedes_the_old_one(shopper, code_sent_to):
    old = issue_email(shopper)
    old_code = code_sent_to(shopper.email)
    issue_email(shopper)

    assert verify(old, old_code).outcome == CodeOutcome.SUPERSEDED


def test_an_expired_code_fails_and_says_send_a_new_one(shopper, code_sent_to):
    challenge = issue_email(shopper)
    code = code_sent_to(shopper.email)
    Challenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    verdict = verify(challenge, code)
    assert (verdict.outcome, verdict.message) == (CodeOutcome.EXPIRED, "That code has expired. Send a new one.")


def test_wrong_codes_say_how_many_tries_are_left(shopper, code_sent_to):
    challenge = issue_email(shopper)
    code = code_sent_to(shopper.email)
    wrong = wrong_code(code)

    assert verify(challenge, wrong).message == "That code isn't right. You have 4 tries left."
    assert verify(challenge, wrong).message == "That code isn't right. You have 3 tries left."


def test_the_sixth_try_is_refused_even_with_the_right_code(shopper, code_sent_to):
    challenge = issue_email(shopper)
    code = code_sent_to(shopper.email)
    wrong = wrong_code(code)
    FailureStreak.objects.create(user=shopper)  # no waits for this test: only the per-challenge limit
    outcomes = []
    for _ in range(5):
        FailureStreak.objects.filter(user=shopper).update(failures_in_a_row=0)
        outcomes.append(verify(challenge, wrong).outcome)

    assert outcomes == [CodeOutcome.WRONG] * 4 + [CodeOutcome.TOO_MANY]
    sixth = verify(challenge, code)
    assert sixth.outcome == CodeOutcome.TOO_MANY
    assert sixth.message == "Too many wrong tries for this code. Send a new one, or choose another method."


def test_wrong_codes_in_a_row_across_challenges_back_off_exponentially(shopper, code_sent_to, settings):
    wrong = "000000"
    for purpose in ("a", "b", "c"):
        challenge = issue_email(shopper, purpose=purpose)
        if code_sent_to(shopper.email) != wrong:
            assert verify(challenge, wrong).outcome == CodeOutcome.WRONG

    challenge = issue_email(shopper, purpose="d")
    code = code_sent_to(shopper.email)
    waiting = verify(challenge, code)  # even the right code waits
    assert waiting.outcome == CodeOutcome.BACKOFF
    assert waiting.retry_after == 1
    assert "Wait 1 second, then try again." in waiting.message

    FailureStreak.objects.filter(user=shopper).update(last_failure_at=timezone.now() - timedelta(seconds=2))
    assert verify(challenge, code).outcome == CodeOutcome.PASSED  # and success resets the streak
    assert FailureStreak.objects.get(user=shopper).failures_in_a_row == 0


@pytest.mark.parametrize(("failures", "wait"), [(3, 1), (4, 2), (5, 4), (10, 128), (40, 3600)])
def test_the_back_off_doubles_up_to_an_hour(failures, wait):
    from security.challenges import backoff_seconds

    assert backoff_seconds(failures) == wait


def test_the_101st_code_on_an_account_is_refused_even_when_right(shopper, code_sent_to):
    FailureStreak.objects.create(user=shopper, failures_in_a_row=99, last_failure_at=timezone.now() - timedelta(days=1))
    challenge = issue_email(shopper)
    code = code_sent_to(shopper.email)

    assert verify(challenge, "000000" if code != "000000" else "111111").outcome == CodeOutcome.WRONG  # the 100th
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.ACCOUNT_CODE_LOCK).exists()
    FailureStreak.objects.filter(user=shopper).update(last_failure_at=timezone.now() - timedelta(days=1))
    locked = verify(challenge, code)
    assert locked.outcome == CodeOutcome.LOCKED
    assert "reset your password by email" in locked.message  # the owner's way in is named


def test_what_people_type_is_forgiven_where_it_is_safe(shopper, code_sent_to):
    challenge = issue_email(shopper)
    code = code_sent_to(shopper.email)
    typed = f" {code[:3]}-{code[3:]} ".replace("0", "O").replace("1", "l")

    assert verify(challenge, typed).outcome == CodeOutcome.PASSED


def test_letters_that_are_not_digits_are_refused_without_costing_a_try(shopper):
    challenge = issue_email(shopper)

    verdict = verify(challenge, "abcdef")
    assert (verdict.outcome, verdict.message) == (CodeOutcome.MALFORMED, "Enter the code using numbers only.")
    assert Challenge.objects.get(pk=challenge.pk).failures == 0


def test_resends_wait_30_seconds_and_stop_after_five(shopper):
    challenge = issue_email(shopper)

    too_soon = challenge_resend(challenge=challenge)
    assert not too_soon.sent and 29 <= too_soon.retry_after <= 30
    assert "You can ask for a new code in" in too_soon.message
    for _ in range(4):
        Challenge.objects.filter(pk=challenge.pk).update(last_sent_at=timezone.now() - timedelta(seconds=31))
        assert challenge_resend(challenge=challenge).sent
    Challenge.objects.filter(pk=challenge.pk).update(last_sent_at=timezone.now() - timedelta(seconds=31))
    sixth = challenge_resend(challenge=challenge)
    assert not sixth.sent
    assert sixth.message == "We've sent as many codes as we can for this request. Choose another method."


def test_a_refused_send_leaves_no_working_code_and_says_why(shopper):
    challenge = challenge_issue(
        user=shopper, purpose="verify_phone", method=Method.SMS, destination="+19005550100"
    ).challenge

    verdict = verify(challenge, "123456")
    assert verdict.outcome == CodeOutcome.ENDED
    assert "premium-rate" in verdict.message
    assert SecurityEvent.objects.filter(user=shopper, kind=SecurityEvent.Kind.CODE_SEND_REFUSED).exists()


def test_authenticator_codes_go_through_the_same_path_and_a_step_is_never_accepted_twice(shopper, authenticator):
    challenge = challenge_issue(
        user=shopper, purpose="signin", method=Method.AUTHENTICATOR, device=authenticator
    ).challenge
    code = authenticator.app.now()

    assert verify(challenge, code).outcome == CodeOutcome.PASSED
    again = challenge_issue(user=shopper, purpose="signin", method=Method.AUTHENTICATOR, device=authenticator).challenge
    replay = verify(again, code)
    assert replay.outcome == CodeOutcome.USED
    assert replay.message == "That code has already been used. Wait for the next code in your app."


def test_authenticator_codes_are_bound_to_their_purpose_too(shopper, authenticator):
    challenge = challenge_issue(
        user=shopper, purpose="step_up:two_step", method=Method.AUTHENTICATOR, device=authenticator
    ).challenge

    assert verify(challenge, authenticator.app.now(), purpose="signin").outcome == CodeOutcome.ENDED


def test_another_users_authenticator_codes_are_wrong_here(shopper, outsider, authenticator):
    from security.codes import totp_secret
    from security.methods import authenticator_add

    theirs = authenticator_add(user=outsider, secret=totp_secret(), primary=True, confirmed=True, request=None)
    import pyotp

    challenge = challenge_issue(
        user=shopper, purpose="signin", method=Method.AUTHENTICATOR, device=authenticator
    ).challenge
    assert verify(challenge, pyotp.TOTP(theirs.secret()).now()).outcome == CodeOutcome.WRONG


def test_backup_codes_work_once_each(shopper, backup_codes):
    from security.models import BackupCodeDevice

    device = BackupCodeDevice.objects.get(user=shopper)
    first = challenge_issue(user=shopper, purpose="signin", method=Method.BACKUP_CODE, device=device).challenge
    assert verify(first, f"{backup_codes[0][:4]} {backup_codes[0][4:]}").outcome == CodeOutcome.PASSED

    second = challenge_issue(user=shopper, purpose="signin", method=Method.BACKUP_CODE, device=device).challenge
    used = verify(second, backup_codes[0])
    assert used.outcome == CodeOutcome.USED
    assert verify(second, backup_codes[1]).outcome == CodeOutcome.PASSED
    assert device.codes_left() == 8


def test_regenerating_backup_codes_kills_the_old_set(shopper, backup_codes):
    from security.methods import backup_codes_create
    from security.models import BackupCodeDevice

    new_codes = backup_codes_create(user=shopper, confirmed=True, request=None)
    device = BackupCodeDevice.objects.get(user=shopper)
    challenge = challenge_issue(user=shopper, purpose="signin", method=Method.BACKUP_CODE, device=device).challenge

    assert verify(challenge, backup_codes[0]).outcome == CodeOutcome.WRONG
    assert verify(challenge, new_codes[0]).outcome == CodeOutcome.PASSED
    assert len(new_codes) == 10 and len(set(new_codes)) == 10


def test_codes_are_stored_only_as_keyed_hashes(shopper, code_sent_to, backup_codes):
    from django.db import connection

    issue_email(shopper)
    code = code_sent_to(shopper.email)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_hash, previous_code_hashes FROM security_challenge")
        challenge_rows = str(cursor.fetchall())
        cursor.execute("SELECT code_hash FROM security_backupcode")
        backup_rows = str(cursor.fetchall())
    assert code not in challenge_rows
    assert not any(backup in backup_rows for backup in backup_codes)
