"""An attacker's look at the sign-in's hand-written SQL (issue 20): the one-statement lock of a challenge and its
account's streak, and the app's conditional time-step spend. Each attack runs on PostgreSQL's written-out
statements and on the ORM path the embedded SQLite takes (the same functions with the vendor check answered
"sqlite"), and must be refused the same way on both."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from config import ratelimit
from config.ratelimit import backoff_peek
from security import challenges
from security.challenges import CodeOutcome, challenge_issue, challenge_verify
from security.models import AuthenticatorDevice, Challenge, FailureStreak, Method
from security.throttles import PASSWORD, password_attempt, password_succeeded
from tests.helpers import app_code_raced_passes_once, authenticator_for

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["written_out", "orm"])
def sql_path(request, monkeypatch):
    """Both ways the lock and the spend are written: PostgreSQL's statements, and the ORM's (SQLite's) path."""
    if request.param == "orm":
        monkeypatch.setattr(challenges, "connection", SimpleNamespace(vendor="sqlite"))
    return request.param


@pytest.fixture
def streaks(shopper, outsider):
    # An account that has verified before has its streak row: the written-out lock needs it to find a row at all.
    return [FailureStreak.objects.create(user=user) for user in (shopper, outsider)]


@pytest.fixture
def attackers_app(outsider):
    return authenticator_for(outsider)


def app_challenge(user, device, purpose="signin", flow="browser"):
    return challenge_issue(user=user, purpose=purpose, method=Method.AUTHENTICATOR, device=device, flow=flow).challenge


def test_a_challenge_naming_another_account_s_app_is_not_passed_by_that_app(
    sql_path, streaks, shopper, authenticator, attackers_app
):
    # Were a challenge ever to name a device not its user's, the attacker's own app must still not open it.
    challenge = app_challenge(shopper, attackers_app)

    verdict = challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="signin", code=attackers_app.app.now())

    assert verdict.outcome == CodeOutcome.WRONG
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.ACTIVE and challenge.failures == 1
    assert AuthenticatorDevice.objects.get(pk=attackers_app.pk).last_step == attackers_app.last_step  # not spent
    assert FailureStreak.objects.get(user=shopper).failures_in_a_row == 1


def test_another_account_s_challenge_cannot_be_verified_or_spent_from_the_attacker_s_account(
    sql_path, streaks, shopper, outsider, authenticator, attackers_app
):
    victims = app_challenge(shopper, authenticator)

    for code in (attackers_app.app.now(), authenticator.app.now(), "000000"):
        verdict = challenge_verify(challenge_id=victims.pk, user=outsider, purpose="signin", code=code)
        assert verdict.outcome == CodeOutcome.ENDED

    victims.refresh_from_db()
    assert victims.state == Challenge.State.ACTIVE and victims.failures == 0  # the owner's tries are untouched
    assert AuthenticatorDevice.objects.get(pk=authenticator.pk).last_step == authenticator.last_step
    # And the owner's own code still works afterwards.
    assert (
        challenge_verify(challenge_id=victims.pk, user=shopper, purpose="signin", code=authenticator.app.now()).outcome
        == CodeOutcome.PASSED
    )


def test_a_challenge_is_only_verified_for_its_own_purpose(sql_path, streaks, shopper, authenticator):
    challenge = app_challenge(shopper, authenticator, purpose="step_up:change_email")

    for purpose in ("signin", "step_up:change_password", "password_reset_2sv"):
        verdict = challenge_verify(
            challenge_id=challenge.pk, user=shopper, purpose=purpose, code=authenticator.app.now()
        )
        assert verdict.outcome == CodeOutcome.ENDED

    assert AuthenticatorDevice.objects.get(pk=authenticator.pk).last_step == authenticator.last_step


def test_one_app_code_spent_on_one_purpose_is_refused_on_every_other_and_on_every_other_challenge(
    sql_path, streaks, shopper, authenticator
):
    code = authenticator.app.now()
    first = app_challenge(shopper, authenticator, purpose="signin", flow="one")
    assert challenge_verify(challenge_id=first.pk, user=shopper, purpose="signin", code=code).outcome == (
        CodeOutcome.PASSED
    )
    spent = AuthenticatorDevice.objects.get(pk=authenticator.pk).last_step

    for purpose, flow in [("signin", "two"), ("step_up:change_email", ""), ("password_reset_2sv", "reset")]:
        again = app_challenge(shopper, authenticator, purpose=purpose, flow=flow)
        verdict = challenge_verify(challenge_id=again.pk, user=shopper, purpose=purpose, code=code)
        assert verdict.outcome == CodeOutcome.USED, purpose
        again.refresh_from_db()
        assert again.state == Challenge.State.ACTIVE

    assert AuthenticatorDevice.objects.get(pk=authenticator.pk).last_step == spent
    assert Challenge.objects.filter(user=shopper, state=Challenge.State.PASSED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_app_code_typed_at_once_into_a_sign_in_and_a_reset_passes_once(sql_path, streaks, shopper, authenticator):
    # One challenge takes the account's streak lock (the sign-in), the other none (a reset, a stranger's purpose):
    # only the spend itself can keep them apart.
    app_code_raced_passes_once(
        shopper,
        authenticator,
        [
            app_challenge(shopper, authenticator, purpose="signin"),
            app_challenge(shopper, authenticator, purpose="password_reset_2sv", flow="reset"),
        ],
    )


def test_wrong_codes_count_toward_the_streak_and_a_locked_account_refuses_even_the_right_code(
    sql_path, streaks, shopper, authenticator
):
    lock = settings.SECURITY_ACCOUNT_LOCK_AFTER_FAILURES
    long_ago = timezone.now() - timezone.timedelta(days=1)  # no wait owed: only the ceiling is left
    FailureStreak.objects.filter(user=shopper).update(failures_in_a_row=lock - 2, last_failure_at=long_ago)
    challenge = app_challenge(shopper, authenticator)
    wrong = f"{(int(authenticator.app.now()) + 1) % 1_000_000:06d}"

    assert challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="signin", code=wrong).outcome == (
        CodeOutcome.WRONG
    )
    assert FailureStreak.objects.get(user=shopper).failures_in_a_row == lock - 1
    FailureStreak.objects.filter(user=shopper).update(last_failure_at=long_ago)
    challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="signin", code=wrong)
    assert FailureStreak.objects.get(user=shopper).failures_in_a_row == lock

    verdict = challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="signin", code=authenticator.app.now())

    assert verdict.outcome == CodeOutcome.LOCKED
    challenge.refresh_from_db()
    assert challenge.state == Challenge.State.ACTIVE and challenge.passed_at is None
    assert AuthenticatorDevice.objects.get(pk=authenticator.pk).last_step == authenticator.last_step  # not spent


def test_an_expired_or_dead_challenge_passes_no_code(sql_path, streaks, shopper, mailoutbox, code_sent_to):
    challenge = challenge_issue(user=shopper, purpose="signin", method=Method.EMAIL, flow="browser").challenge
    code = code_sent_to(shopper.email)
    Challenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))

    assert challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="signin", code=code).outcome == (
        CodeOutcome.EXPIRED
    )

    Challenge.objects.filter(pk=challenge.pk).update(
        expires_at=timezone.now() + timezone.timedelta(minutes=5), state=Challenge.State.DEAD
    )
    assert challenge_verify(challenge_id=challenge.pk, user=shopper, purpose="signin", code=code).outcome == (
        CodeOutcome.TOO_MANY
    )
    assert not Challenge.objects.filter(pk=challenge.pk, state=Challenge.State.PASSED).exists()


@pytest.mark.parametrize(
    "purpose", ["signin' OR '1'='1", "signin'; DELETE FROM security_challenge; --", "signin\\", "%s"]
)
def test_a_purpose_or_code_written_as_sql_is_only_ever_a_value(sql_path, streaks, shopper, authenticator, purpose):
    challenge = app_challenge(shopper, authenticator)

    verdict = challenge_verify(challenge_id=challenge.pk, user=shopper, purpose=purpose, code="1' OR '1'='1")

    assert verdict.outcome == CodeOutcome.ENDED
    assert Challenge.objects.filter(pk=challenge.pk, state=Challenge.State.ACTIVE).exists()


@pytest.fixture(params=["cache", "database"])
def limit_store(request, monkeypatch):
    """The limits' two homes: the shared cache, and the database they fall back to while the cache is down."""
    if request.param == "database":

        def down(*args, **kwargs):
            raise ConnectionError("cache is down")

        monkeypatch.setattr(ratelimit, "_cache_store", down)
        monkeypatch.setattr(ratelimit._failover, "paused_until", 0.0)
    return request.param


def test_a_spray_across_accounts_stays_throttled_however_often_the_attacker_signs_in_to_their_own(
    settings, limit_store
):
    # A right password refunds the network's attempt: the attacker's own sign-ins between guesses at other
    # people's accounts must give back only their own attempts, never the guesses'.
    after = settings.BACKOFF_LIMITS[PASSWORD]["after"]
    ip = "203.0.113.9"
    guesses = 0
    for n in range(after + 5):
        if password_attempt(email=f"victim{n}@example.com", ip=ip):
            break
        guesses += 1
        if password_attempt(email="attacker@example.com", ip=ip):
            break
        password_succeeded(email="attacker@example.com", ip=ip)

    assert guesses <= after  # the network waits after `after` guesses, own sign-ins or not
    assert not backoff_peek(PASSWORD, f"ip:{ip}").allowed
    assert backoff_peek(PASSWORD, "email:attacker@example.com").allowed  # the attacker's own email owes nothing


def test_a_forgotten_count_starts_again_from_nothing_and_a_refund_never_goes_below_it(settings, limit_store):
    after = settings.BACKOFF_LIMITS[PASSWORD]["after"]
    email, ip = "jo.shopper@example.com", "203.0.113.10"
    for _ in range(after):
        assert password_attempt(email=email, ip=ip) == 0
    password_succeeded(email=email, ip=ip)  # forgets the email, refunds the network one
    password_succeeded(email=email, ip=ip)  # a replayed success (two tabs): no more than it counted
    password_succeeded(email=email, ip=ip)

    assert backoff_peek(PASSWORD, f"email:{email}").allowed
    for _ in range(after):  # the email starts again from nothing
        assert password_attempt(email=email, ip="198.51.100.1") == 0
    assert password_attempt(email=email, ip="198.51.100.1") > 0  # and is counted again, as before


def test_the_written_out_methods_list_holds_only_this_account_s_confirmed_methods(
    shopper, outsider, authenticator, phone, backup_codes, attackers_app
):
    from security.methods import backup_codes_create, phone_add, two_step_summary
    from security.models import BackupCode

    phone_add(user=outsider, number="+447911999888", channel="sms", primary=False, confirmed=True, request=None)
    backup_codes_create(user=outsider, confirmed=True, request=None)
    phone_add(user=shopper, number="+447911000111", channel="voice", primary=False, confirmed=False, request=None)
    BackupCode.objects.filter(pk__in=BackupCode.objects.filter(device__user=shopper).values("pk")[:3]).update(
        used_at=timezone.now()
    )

    summary = two_step_summary(shopper)

    assert summary.enabled and summary.primary.pk == authenticator.pk
    assert [type(d).__name__ for d in summary.backups] == ["PhoneDevice"]
    assert [d.number for d in summary.backups] == [phone.number]  # neither the outsider's nor an unproved one
    assert {d.user_id for d in [summary.primary, *summary.backups, summary.backup_codes]} == {shopper.pk}
    assert summary.backup_codes_left == settings.SECURITY_BACKUP_CODE_COUNT - 3
