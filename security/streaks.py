"""The account's wrong codes in a row (its streak): the waits it owes and its ceiling.

Counted only for codes after a proved password or in a signed-in session (security.challenges decides which).
"""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from security.models import FailureStreak
from security.verdicts import CodeOutcome, CodeVerdict


def failure_streak_clear(*, user) -> None:
    """The owner proved themselves another way (a password reset, an admin's check): the streak starts again."""
    FailureStreak.objects.filter(user=user).update(failures_in_a_row=0, last_failure_at=None)


def account_refusal(streak: FailureStreak, now) -> CodeVerdict | None:
    failures = streak.failures_in_a_row
    if failures >= settings.SECURITY_ACCOUNT_LOCK_AFTER_FAILURES:
        return CodeVerdict(
            CodeOutcome.LOCKED,
            _(
                "Too many wrong codes were entered for this account, so codes are paused on new browsers to keep "
                "it safe. Sign in on a browser you've told us to trust, or reset your password by email to "
                "unlock it."
            ),
        )
    return backoff_refusal(failures=failures, last_failure_at=streak.last_failure_at, now=now)


def backoff_refusal(*, failures: int, last_failure_at, now) -> CodeVerdict | None:
    """The wait owed after `failures` wrong codes in a row, as a refusal; None when none is owed now.

    Also used for answers about addresses with no account, so the two cannot be told apart."""
    if failures >= settings.SECURITY_BACKOFF_AFTER_FAILURES and last_failure_at:
        wait = backoff_seconds(failures)
        ready = last_failure_at + timedelta(seconds=wait)
        if now < ready:
            seconds = int((ready - now).total_seconds() + 0.999)
            return CodeVerdict(
                CodeOutcome.BACKOFF,
                ngettext(
                    "Too many wrong codes in a row. Wait %(seconds)d second, then try again.",
                    "Too many wrong codes in a row. Wait %(seconds)d seconds, then try again.",
                    seconds,
                )
                % {"seconds": seconds},
                retry_after=seconds,
            )
    return None


def backoff_seconds(failures_in_a_row: int) -> int:
    """1 s after the 3rd wrong code in a row, doubling each time, at most SECURITY_BACKOFF_MAX_SECONDS."""
    exponent = failures_in_a_row - settings.SECURITY_BACKOFF_AFTER_FAILURES
    return min(settings.SECURITY_BACKOFF_MAX_SECONDS, 2 ** min(exponent, 30))
