"""Password reset: a code to the email on file, a second factor for 2SV accounts, then a new password.

Every step answers the same way, with the same work on the web side, whether or not the email has an account:
the request is a row and a task carrying its id (the worker sends the code when there is an account), the caps
are counted on the typed address either way, and wrong codes are counted on the request row either way. Each
request has its own code (its own flow), so a second browser's request never changes the first one's answers.
Wrong codes here never count against the owner's sign-in: only per request and per network.
"""

from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.ratelimit import limit_hit, limit_peek, limits_hit
from messaging.guards import Budget
from security.challenges import (
    STRANGER_FAILURES,
    cap_wait_text,
    challenge_binding,
    challenge_issue,
    challenge_mark_passed,
)
from security.codes import code_hash, normalize_numeric, same_hash
from security.events import client_ip
from security.methods import two_step_is_on
from security.models import Challenge, Method, PasswordResetRequest
from security.vocabulary import Purpose


class ResetRefused(Exception):
    """The request was not taken: too many for this address or network. The message says what to do."""


@dataclass(frozen=True)
class ResetCheck:
    passed: bool
    message: str = ""
    ended: bool = False  # the request is used up: start again


def password_reset_request(
    *, email: str, request: HttpRequest, purpose: str = Purpose.PASSWORD_RESET, by_text: bool = False
) -> PasswordResetRequest:
    """Record a request and hand it to a worker. Raises ResetRefused when this address or network has asked
    too often; the caps are counted on the typed address whether or not it has an account. Also serves "email
    me a sign-in code" (`purpose`), which is the same thing a stranger can ask for with only an email."""
    ip = client_ip(request)
    if not limit_hit("password_reset_per_email", email).allowed or (
        ip and not limit_hit("password_reset_per_ip", ip).allowed
    ):
        raise ResetRefused(_("Too many requests for this email or network. Please try again in an hour."))
    caps = limits_hit(("stranger_code_per_destination", email))
    if not caps.allowed:
        raise ResetRefused(cap_wait_text(caps.retry_after))
    user = get_user_model().objects.filter(email=email, is_active=True, email_verified_at__isnull=False).first()
    reset = PasswordResetRequest.objects.create(user=user, ip=ip, purpose=purpose, by_text=by_text)
    transaction.on_commit(lambda: send_password_reset_code.delay(reset.pk))
    return reset


def password_reset_code_send(*, reset_id: int) -> None:
    """In a worker: send the code when the request names an account; do nothing otherwise."""
    reset = PasswordResetRequest.objects.select_related("user").filter(pk=reset_id).first()
    if reset is None or reset.user is None or reset.challenge_id:
        return
    # "Text me a code" only without 2SV: with 2SV the phone is (often) the second factor, and one phone must never
    # stand for both. The phone has its own cap (the stranger budget).
    if reset.by_text and reset.user.phone and not two_step_is_on(reset.user):
        method, destination, budget = Method.SMS, reset.user.phone, Budget.STRANGER
    else:
        method, destination, budget = Method.EMAIL, "", Budget.CHECKED
    sending = challenge_issue(
        user=reset.user,
        purpose=reset.purpose,
        method=method,
        destination=destination,
        flow=reset.flow,
        budget=budget,
    )
    PasswordResetRequest.objects.filter(pk=reset.pk).update(challenge=sending.challenge)


# Defined beside what it runs (security.tasks re-exports it for Celery); its name is the one the queues route.
@shared_task(name="security.tasks.send_password_reset_code", ignore_result=True)
def send_password_reset_code(reset_id: int) -> None:
    password_reset_code_send(reset_id=reset_id)


def password_reset_code_check(*, reset_id: int, code: str, request: HttpRequest) -> ResetCheck:
    """Check the emailed code of one request. The answers depend only on the request's own count and age."""
    now = timezone.now()
    ip = client_ip(request)
    with transaction.atomic():
        # One locked read for both cases; the challenge (absent without an account) comes along in the same query.
        reset = (
            PasswordResetRequest.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=reset_id)
        )
        if ip and not limit_peek(STRANGER_FAILURES, ip).allowed:
            return ResetCheck(
                False, _("Too many wrong codes were entered from your network. Wait an hour, then try again.")
            )
        if reset.failures >= settings.SECURITY_CODE_TRIES_PER_CHALLENGE:
            return ResetCheck(False, _("Too many wrong tries for this code. Send a new one."), ended=True)
        if now >= reset.created_at + timedelta(seconds=settings.SECURITY_CODE_LIFETIME_SECONDS):
            return ResetCheck(False, _("That code has expired. Send a new one."), ended=True)
        typed = normalize_numeric(code)
        if not typed.isdigit():
            return ResetCheck(False, _("Enter the code using numbers only."))
        # The same work whether or not there is an account: one keyed hash, one constant-time compare, and a wrong
        # code is counted on the request row and per network. Only a right code (which changes the page anyway)
        # touches the challenge.
        challenge = reset.challenge
        binding = challenge_binding(challenge) if challenge is not None else f"reset-decoy:{reset.pk}"
        live = challenge is not None and challenge.state == Challenge.State.ACTIVE  # a passed code works once
        if same_hash(code_hash(typed, bound_to=binding), challenge.code_hash if live else ""):
            challenge_mark_passed(challenge=challenge, request=request)
            return ResetCheck(True)
        if ip:
            limit_hit(STRANGER_FAILURES, ip)
        reset.failures += 1
        reset.save(update_fields=["failures"])
    tries_left = settings.SECURITY_CODE_TRIES_PER_CHALLENGE - reset.failures
    if tries_left <= 0:
        return ResetCheck(False, _("Too many wrong tries for this code. Send a new one."), ended=True)
    return ResetCheck(
        False,
        ngettext(
            "That code isn't right. You have %(tries)d try left.",
            "That code isn't right. You have %(tries)d tries left.",
            tries_left,
        )
        % {"tries": tries_left},
    )
