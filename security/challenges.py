"""Challenges: one request for a code, bound to one user, one purpose and one method.

`challenge_issue` makes one (and sends its code over a side channel); `challenge_verify` checks a code against
it. Every method (SMS, voice, email, authenticator app, backup code) is verified through `challenge_verify`, so
the purpose binding, the per-challenge tries and the per-account back-off are the same for all of them.
"""

import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device

from config.ratelimit import limit_hit, limit_peek
from messaging.guards import Budget
from messaging.models import Channel, FailureReason
from messaging.outbox import message_queue
from security.alerts import security_record
from security.codes import (
    code_hash,
    normalize_numeric,
    numeric_code,
    same_hash,
    totp_key,
    totp_match,
)
from security.events import client_ip, event_record
from security.methods import device_from_values
from security.models import (
    SIDE_CHANNELS,
    AuthenticatorDevice,
    BackupCode,
    BackupCodeDevice,
    Challenge,
    FailureStreak,
    Method,
    SecurityEvent,
)
from security.streaks import account_refusal, backoff_seconds  # noqa: F401 -- backoff_seconds: re-exported for tests
from security.verdicts import CodeOutcome, CodeVerdict
from security.vocabulary import Purpose, is_stranger_purpose

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sending:
    """What became of a code send: sent (queued), refused with a reason for the person, or not yet allowed."""

    challenge: Challenge
    sent: bool
    message: str = ""
    retry_after: int = 0


# ---------------------------------------------------------------------------------------------- issuing


def challenge_issue(
    *,
    user,
    purpose: str,
    method: str,
    device: Device | None = None,
    destination: str = "",
    request: HttpRequest | None = None,
    flow: str = "",
    budget: Budget | None = None,
    new_flow: bool = False,
) -> Sending:
    """Start a challenge, superseding the live one of the same flow and purpose, and send its code when the
    method is a side channel (SMS, voice, email). `destination` is for proving a new number or address.

    `flow` names the pending flow it belongs to (one browser's sign-in, one reset request): two flows never
    cancel each other's codes, so two browsers signing in at once each keep their own. `new_flow`: the flow was
    named in this request, so it has no challenge to supersede."""
    now = timezone.now()
    if method in {Method.SMS, Method.VOICE} and not destination:
        destination = device.number
    if method == Method.EMAIL and not destination:
        destination = user.email
    superseding = not (new_flow and flow)
    # A lone INSERT (a new flow's app or backup-code challenge) is atomic by itself: no BEGIN and COMMIT round trips.
    with transaction.atomic() if superseding or method in SIDE_CHANNELS else nullcontext():
        if superseding:
            Challenge.objects.filter(user=user, purpose=purpose, flow=flow, state=Challenge.State.ACTIVE).update(
                state=Challenge.State.SUPERSEDED
            )
        challenge = Challenge.objects.create(
            user=user,
            purpose=purpose,
            flow=flow,
            method=method,
            device_id=device.persistent_id if device else "",
            destination=destination if method in SIDE_CHANNELS else "",
            created_at=now,
            expires_at=now + timedelta(seconds=settings.SECURITY_CODE_LIFETIME_SECONDS),
        )
        if method not in SIDE_CHANNELS:
            return Sending(challenge=challenge, sent=False)
        return _send_code(challenge, request=request, now=now, budget=budget)


def challenge_resend(*, challenge: Challenge, method: str | None = None, request: HttpRequest | None = None) -> Sending:
    """A new code for the same challenge (optionally "call me instead"); the previous code stops working."""
    now = timezone.now()
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if challenge.state != Challenge.State.ACTIVE or challenge.method not in SIDE_CHANNELS:
            return Sending(challenge=challenge, sent=False, message=_("This code request has ended. Start again."))
        if wait := challenge.resend_wait(now):
            return Sending(
                challenge=challenge,
                sent=False,
                retry_after=wait,
                message=ngettext(
                    "You can ask for a new code in %(seconds)d second.",
                    "You can ask for a new code in %(seconds)d seconds.",
                    wait,
                )
                % {"seconds": wait},
            )
        if not challenge.sends_left():
            return Sending(
                challenge=challenge,
                sent=False,
                message=_("We've sent as many codes as we can for this request. Choose another method."),
            )
        if method in {Method.SMS, Method.VOICE} and challenge.method in {Method.SMS, Method.VOICE}:
            challenge.method = method
        challenge.expires_at = now + timedelta(seconds=settings.SECURITY_CODE_LIFETIME_SECONDS)
        return _send_code(challenge, request=request, now=now)


def _send_code(challenge: Challenge, *, request: HttpRequest | None, now, budget: Budget | None = None) -> Sending:
    code = numeric_code(settings.SECURITY_CODE_DIGITS)
    if challenge.code_hash:
        challenge.previous_code_hashes = [challenge.code_hash, *challenge.previous_code_hashes][:5]
    challenge.code_hash = code_hash(code, bound_to=challenge_binding(challenge))
    challenge.sends += 1
    challenge.last_sent_at = now
    message = message_queue(
        channel={Method.SMS: Channel.SMS, Method.VOICE: Channel.VOICE, Method.EMAIL: Channel.EMAIL}[challenge.method],
        destination=challenge.destination,
        kind="code",
        language=challenge.user.preferred_language,
        context={"code": code, "purpose": challenge.purpose},
        user=challenge.user,
        request_ip=client_ip(request),
        expires_in=settings.SECURITY_CODE_LIFETIME_SECONDS,
        budget=budget or (Budget.STRANGER if is_stranger_purpose(challenge.purpose) else Budget.CODE),
    )
    challenge.message = message
    if message.was_refused:
        challenge.code_hash = ""  # nothing was sent, so no code can work
    challenge.save()
    kind = SecurityEvent.Kind.CODE_SEND_REFUSED if message.was_refused else SecurityEvent.Kind.CODE_SENT
    event_record(
        user=challenge.user,
        kind=kind,
        request=request,
        purpose=challenge.purpose,
        method=challenge.method,
        **({"reason": message.failure_reason} if message.was_refused else {}),
    )
    return Sending(challenge=challenge, sent=not message.was_refused, message=refusal_text(message))


def refusal_text(message) -> str:
    """What a person is told when their code was not sent: one clear next step, never "we've sent a code"."""
    if not message.was_refused:
        return ""
    if message.failure_reason in {FailureReason.RATE_LIMITED_DESTINATION, FailureReason.RATE_LIMITED_IP}:
        return cap_wait_text(getattr(message, "retry_after", 0))
    return message.failure_text


def cap_wait_text(retry_after: int) -> str:
    """The one message for a send cap that bit: how long to wait, and the other way."""
    minutes = max(1, (retry_after + 59) // 60)
    return ngettext(
        "We've sent several codes recently. Wait %(minutes)d minute, or choose another way to get a code.",
        "We've sent several codes recently. Wait %(minutes)d minutes, or choose another way to get a code.",
        minutes,
    ) % {"minutes": minutes}


def challenge_binding(challenge: Challenge) -> str:
    # A code's hash is bound to its user, purpose and challenge: it cannot prove anything else.
    return f"{challenge.user_id}:{challenge.purpose}:{challenge.pk}"


# ------------------------------------------------------------------------------------------- verifying

# Purposes whose success writes its own, richer event (the sign-in, with its device and method).
QUIET_PURPOSES = {Purpose.SIGNIN, Purpose.NEW_DEVICE}


def challenge_verify(
    *, challenge_id: int, user, purpose: str, code: str, request: HttpRequest | None = None
) -> CodeVerdict:
    """Check a typed code against the user's challenge for this purpose. Exactly one of two simultaneous
    checks of the same right code passes (row locks).

    Who can make the counters climb decides which apply. After a proved password (or in a signed-in session)
    wrong codes count toward the account's streak, with its waits and its ceiling. Where a stranger can reach
    the code step with only an email (password reset, "This wasn't me", sign-up), they count per challenge and
    per network only: the owner's sign-in is never slowed or locked by them, and they stay a way back in."""
    now = timezone.now()
    stranger = is_stranger_purpose(purpose)
    ip = client_ip(request)
    with transaction.atomic():
        if stranger:
            streak = None
            if ip and not limit_peek(STRANGER_FAILURES, ip).allowed:
                return CodeVerdict(
                    CodeOutcome.BACKOFF,
                    _("Too many wrong codes were entered from your network. Wait an hour, then try again."),
                    retry_after=limit_peek(STRANGER_FAILURES, ip).retry_after,
                )
            challenge = _challenge_locked(challenge_id=challenge_id, user=user, purpose=purpose)
        else:
            challenge, streak = _challenge_and_streak_locked(challenge_id=challenge_id, user=user, purpose=purpose)
            if verdict := account_refusal(streak, now):
                return verdict
        if challenge is None:
            return CodeVerdict(CodeOutcome.ENDED, _("This code request has ended. Start again."))
        if verdict := _challenge_refusal(challenge, now):
            return verdict

        typed = normalize_numeric(code)
        if not typed.isdigit():
            return CodeVerdict(CodeOutcome.MALFORMED, _("Enter the code using numbers only."))
        outcome, device = _check(challenge, typed, now)
        if outcome == CodeOutcome.PASSED:
            challenge.state, challenge.passed_at = Challenge.State.PASSED, now
            if challenge.method != Method.AUTHENTICATOR:  # the app's pass was written with its time step
                challenge.save(update_fields=["state", "passed_at"])
            if streak is not None and streak.failures_in_a_row:
                streak.failures_in_a_row = 0
                streak.save(update_fields=["failures_in_a_row"])
            if purpose not in QUIET_PURPOSES:
                event_record(
                    user=user,
                    kind=SecurityEvent.Kind.CODE_PASSED,
                    request=request,
                    purpose=purpose,
                    method=challenge.method,
                )
            if challenge.method == Method.BACKUP_CODE:
                event_record(user=user, kind=SecurityEvent.Kind.BACKUP_CODE_USED, request=request)
            return CodeVerdict(CodeOutcome.PASSED, device=device)
        if outcome in {CodeOutcome.SUPERSEDED, CodeOutcome.USED}:
            # An old message or an already-used code: a mix-up, not a guess. Said plainly, not counted.
            return _refusal_for(outcome, challenge)
        return _count_failure(challenge, streak, now, request)


STRANGER_FAILURES = "reset_code_failures_per_ip"


def challenge_mark_passed(*, challenge: Challenge, request: HttpRequest | None) -> None:
    """A right code checked outside `challenge_verify` (a reset, whose wrong codes are counted on its request)."""
    Challenge.objects.filter(pk=challenge.pk, state=Challenge.State.ACTIVE).update(
        state=Challenge.State.PASSED, passed_at=timezone.now()
    )
    event_record(user=challenge.user, kind=SecurityEvent.Kind.CODE_PASSED, request=request, purpose=challenge.purpose)


def _challenge_refusal(challenge: Challenge, now) -> CodeVerdict | None:
    if challenge.state == Challenge.State.PASSED:
        return _refusal_for(CodeOutcome.USED, challenge)
    if challenge.state == Challenge.State.SUPERSEDED:
        return _refusal_for(CodeOutcome.SUPERSEDED, challenge)
    if challenge.state == Challenge.State.DEAD:
        return _refusal_for(CodeOutcome.TOO_MANY, challenge)
    if challenge.is_expired(now) and challenge.method in SIDE_CHANNELS:
        return _refusal_for(CodeOutcome.EXPIRED, challenge)
    if challenge.method in SIDE_CHANNELS and not challenge.code_hash:
        return CodeVerdict(
            CodeOutcome.ENDED, challenge.message.failure_text if challenge.message else _("No code was sent.")
        )
    return None


def _refusal_for(outcome: CodeOutcome, challenge: Challenge) -> CodeVerdict:
    side = challenge.method in SIDE_CHANNELS
    text = {
        CodeOutcome.EXPIRED: _("That code has expired. Send a new one."),
        CodeOutcome.SUPERSEDED: _("That code was replaced by a newer one. Use the code from the latest message.")
        if side
        else _("This code request was replaced by a newer one. Use the latest page."),
        CodeOutcome.USED: _("That code has already been used. Wait for the next code in your app.")
        if challenge.method == Method.AUTHENTICATOR
        else _("That code has already been used. Send a new one.")
        if side
        else _("That backup code has already been used. Each one works once: try another."),
        CodeOutcome.TOO_MANY: _("Too many wrong tries for this code. Send a new one, or choose another method."),
    }[outcome]
    return CodeVerdict(outcome, text)


def _check(challenge: Challenge, typed: str, now) -> tuple[CodeOutcome, Device | None]:
    if challenge.method in SIDE_CHANNELS:
        typed_hash = code_hash(typed, bound_to=challenge_binding(challenge))
        if same_hash(typed_hash, challenge.code_hash):
            return CodeOutcome.PASSED, Device.from_persistent_id(challenge.device_id) if challenge.device_id else None
        if any(same_hash(typed_hash, old) for old in challenge.previous_code_hashes):
            return CodeOutcome.SUPERSEDED, None
        return CodeOutcome.WRONG, None
    if challenge.method == Method.AUTHENTICATOR:
        device = challenge.app_device
        if device is None:
            return CodeOutcome.WRONG, None
        step = totp_match(key=totp_key(device.secret()), token=typed, at=now.timestamp())
        if step is None:
            return CodeOutcome.WRONG, None
        # A time step is never accepted twice: the spend is conditional on the stored step, so of two requests
        # with the same code only one can pass, whoever read the device first.
        if step <= device.last_step or not _app_step_spend(challenge=challenge, device=device, step=step, now=now):
            return CodeOutcome.USED, None
        device.last_step = step
        return CodeOutcome.PASSED, device
    device = _challenge_device(BackupCodeDevice, challenge)
    if device is None:
        return CodeOutcome.WRONG, None
    typed_hash = code_hash(typed, bound_to=f"backup:{device.pk}")
    for backup_code in BackupCode.objects.select_for_update().filter(device=device):
        if same_hash(typed_hash, backup_code.code_hash):
            if backup_code.used_at:
                return CodeOutcome.USED, None
            backup_code.used_at = now
            backup_code.save(update_fields=["used_at"])
            return CodeOutcome.PASSED, device
    return CodeOutcome.WRONG, None


def device_code_matches(*, user, persistent_id: str, typed: str) -> bool:
    """Whether `typed` is a live code of this user's authenticator or an unused backup code: a look, not a try
    (nothing is counted or spent; challenge_verify does that)."""
    _label, _sep, device_pk = persistent_id.rpartition("/")
    if not device_pk.isdigit():
        return False
    if "authenticatordevice" in persistent_id.lower():
        device = AuthenticatorDevice.objects.filter(pk=device_pk, user=user, confirmed=True).first()
        step = totp_match(key=totp_key(device.secret()), token=typed, at=time.time()) if device else None
        return step is not None and step > device.last_step
    device = BackupCodeDevice.objects.filter(pk=device_pk, user=user, confirmed=True).first()
    if device is None:
        return False
    typed_hash = code_hash(typed, bound_to=f"backup:{device.pk}")
    return any(
        same_hash(typed_hash, h) for h in device.codes.filter(used_at__isnull=True).values_list("code_hash", flat=True)
    )


def _challenge_locked(*, challenge_id: int, user, purpose: str) -> Challenge | None:
    challenge = Challenge.objects.select_for_update().filter(pk=challenge_id, user=user, purpose=purpose).first()
    if challenge is not None:
        challenge.user = user  # the same row: no second load for the failure's event
        challenge.app_device = _app_read(challenge)
    return challenge


def _challenge_and_streak_locked(*, challenge_id: int, user, purpose: str) -> tuple[Challenge | None, FailureStreak]:
    """The challenge and the account's streak, both locked, with the challenge's app read (not locked: its spend
    is conditional); on PostgreSQL in one statement. The streak row is made on the account's first code."""
    if connection.vendor == "postgresql":
        challenge = next(iter(Challenge.objects.raw(CHALLENGE_AND_STREAK_LOCK, [challenge_id, user.pk, purpose])), None)
        if challenge is not None:
            streak = FailureStreak(
                user_id=user.pk,
                failures_in_a_row=challenge.streak_failures_in_a_row,
                last_failure_at=challenge.streak_last_failure_at,
            )
            streak._state.adding = False
            challenge.user = user
            challenge.app_device = _app_from_columns(challenge)
            return challenge, streak
    streak, _created = FailureStreak.objects.select_for_update().get_or_create(user=user)
    return _challenge_locked(challenge_id=challenge_id, user=user, purpose=purpose), streak


# The challenge and the streak locked in one statement, and the app the challenge names read with them. No row
# when either is missing (a first code ever, or not this user's challenge for this purpose): the ORM path then.
CHALLENGE_AND_STREAK_LOCK = """
SELECT c.*, s.failures_in_a_row AS streak_failures_in_a_row, s.last_failure_at AS streak_last_failure_at,
       d.id AS app_id, d.name AS app_name, d.confirmed AS app_confirmed, d.encrypted_secret AS app_encrypted_secret,
       d.last_step AS app_last_step, d.is_primary AS app_is_primary, d.created_at AS app_created_at
FROM security_challenge c
JOIN security_failurestreak s ON s.user_id = c.user_id
LEFT JOIN security_authenticatordevice d
  ON c.method = 'authenticator' AND d.user_id = c.user_id AND c.device_id = 'security.authenticatordevice/' || d.id
WHERE c.id = %s AND c.user_id = %s AND c.purpose = %s
FOR UPDATE OF c, s
"""
APP_COLUMNS = ("id", "name", "confirmed", "encrypted_secret", "last_step", "is_primary", "created_at")


def _app_from_columns(challenge: Challenge) -> AuthenticatorDevice | None:
    if challenge.app_id is None:
        return None
    values = {"user_id": challenge.user_id, **{name: getattr(challenge, f"app_{name}") for name in APP_COLUMNS}}
    return device_from_values(AuthenticatorDevice, values, db=challenge._state.db)


def _app_read(challenge: Challenge) -> AuthenticatorDevice | None:
    """The app an authenticator challenge names, unlocked: its spend is conditional (_app_step_spend)."""
    if challenge.method != Method.AUTHENTICATOR:
        return None
    return _challenge_device(AuthenticatorDevice, challenge, lock=False)


def _app_step_spend(*, challenge: Challenge, device: AuthenticatorDevice, step: int, now) -> bool:
    """Record the app's time step as used and the challenge as passed; False (and nothing written) when a step as
    new was already used. On PostgreSQL one statement."""
    spend = AuthenticatorDevice.objects.filter(pk=device.pk, last_step__lt=step)
    passed = {"state": Challenge.State.PASSED, "passed_at": now}
    if connection.vendor != "postgresql":
        if not spend.update(last_step=step):
            return False
        Challenge.objects.filter(pk=challenge.pk).update(**passed)
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH spent AS ("
            " UPDATE security_authenticatordevice SET last_step = %s WHERE id = %s AND last_step < %s RETURNING id"
            ") UPDATE security_challenge SET state = %s, passed_at = %s WHERE id = %s AND EXISTS (SELECT FROM spent)",
            [step, device.pk, step, passed["state"].value, now, challenge.pk],
        )
        return cursor.rowcount == 1


def _challenge_device(model, challenge: Challenge, *, lock: bool = True):
    """The challenge's own device (its user's), locked for the check unless told otherwise."""
    _label, _sep, device_pk = challenge.device_id.rpartition("/")
    devices = model.objects.select_for_update() if lock else model.objects
    return devices.filter(pk=device_pk, user_id=challenge.user_id).first()


def _count_failure(challenge: Challenge, streak: FailureStreak | None, now, request) -> CodeVerdict:
    challenge.failures += 1
    if challenge.failures >= settings.SECURITY_CODE_TRIES_PER_CHALLENGE:
        challenge.state = Challenge.State.DEAD
    challenge.save(update_fields=["failures", "state"])
    if streak is None:
        if ip := client_ip(request):
            limit_hit(STRANGER_FAILURES, ip)
    else:
        streak.failures_in_a_row += 1
        streak.last_failure_at = now
        streak.save(update_fields=["failures_in_a_row", "last_failure_at"])
    event_record(
        user=challenge.user,
        kind=SecurityEvent.Kind.CODE_FAILED,
        request=request,
        purpose=challenge.purpose,
        method=challenge.method,
    )
    if streak is not None and streak.failures_in_a_row == settings.SECURITY_ACCOUNT_LOCK_AFTER_FAILURES:
        security_record(user=challenge.user, kind=SecurityEvent.Kind.ACCOUNT_CODE_LOCK, request=request)
    if challenge.state == Challenge.State.DEAD:
        return _refusal_for(CodeOutcome.TOO_MANY, challenge)
    tries_left = settings.SECURITY_CODE_TRIES_PER_CHALLENGE - challenge.failures
    return CodeVerdict(
        CodeOutcome.WRONG,
        ngettext(
            "That code isn't right. You have %(tries)d try left.",
            "That code isn't right. You have %(tries)d tries left.",
            tries_left,
        )
        % {"tries": tries_left},
        tries_left=tries_left,
    )
