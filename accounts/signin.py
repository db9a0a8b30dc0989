"""Signing in: the password step decides whether a code step follows; `signin_complete` is the only login().

The pending sign-in lives in the session under one key, holds ids and a time, and dies after
SECURITY_SIGNIN_PENDING_SECONDS. Nothing is signed in until the last step succeeds.
"""

import enum

import django_otp
from django.contrib.auth import login
from django.contrib.auth.models import update_last_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import User
from security.alerts import security_record
from security.events import event_record
from security.flows import flow_end, flow_get, flow_key, flow_save, flow_start
from security.models import SecurityEvent
from security.recovery import recovery_ready_and_two_step_on
from security.trusted_devices import (
    browser_is_recognised,
    browser_recognise,
    device_name,
    trusted_device_check,
    trusted_device_create,
    trusted_device_session_follow,
)

SIGNIN_FLOW = "signin"
PENDING_KEY = flow_key(SIGNIN_FLOW)
BACKEND = "django.contrib.auth.backends.ModelBackend"


class SigninStep(enum.StrEnum):
    """Which code step follows the password (the pending sign-in's step)."""

    SECOND_FACTOR = "two_step"  # 2SV on, and the browser is not trusted
    NEW_DEVICE = "new_device"  # 2SV off, and the browser is not recognised
    RECOVERY = "recovery"  # the recovery wait is over: an email code, then 2SV is reset
    SIGNUP = "signup"  # the account's email is not proved yet


def code_step_needed(*, request: HttpRequest, user: User) -> str | None:
    """The code step that must follow the password on this browser; None to sign in now. An account whose email
    was never proved proves it first."""
    if user.email_verified_at is None:
        return SigninStep.SIGNUP
    recovery_ready, two_step_on = recovery_ready_and_two_step_on(user)
    if recovery_ready:
        return SigninStep.RECOVERY  # the wait is over: an email code, then 2SV is reset
    if two_step_on:
        return None if trusted_device_check(request=request, user=user) else SigninStep.SECOND_FACTOR
    return None if browser_is_recognised(request=request, user=user) else SigninStep.NEW_DEVICE


def pending_start(*, request: HttpRequest, user: User, reason: str, next_path: str, by_password: bool = True) -> None:
    """`by_password` False: the first factor was an emailed code (sign in with a code), not the password; account
    recovery, which needs the password proved, is then not offered."""
    flow_start(
        request, SIGNIN_FLOW, step=reason, user_id=user.pk, reason=reason, next=next_path, by_password=by_password
    )


def pending_get(request: HttpRequest) -> dict | None:
    """The live pending sign-in, or None (and cleared) when there is none or it has died."""
    return flow_get(request, SIGNIN_FLOW)


def pending_save(request: HttpRequest, pending: dict) -> None:
    flow_save(request, SIGNIN_FLOW, pending)


def pending_end(request: HttpRequest) -> None:
    flow_end(request, SIGNIN_FLOW)


def pending_user(pending: dict) -> User | None:
    try:  # get, not first(): no ORDER BY to build for a primary key
        return User.objects.get(pk=pending["user_id"], is_active=True)
    except User.DoesNotExist:
        return None


def signup_email_proved(*, request: HttpRequest, response: HttpResponse, user: User) -> None:
    """The new account's code passed: its email is proved, and it is signed in on the browser that made it."""
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
    user.email_verified_at = timezone.now()
    event_record(user=user, kind=SecurityEvent.Kind.SIGNUP_EMAIL_PROVED, request=request)
    browser_recognise(request=request, response=response, user=user)  # this browser made the account: no alert
    signin_complete(request=request, response=response, user=user, announce=False)


def signin_complete(
    *,
    request: HttpRequest,
    response: HttpResponse,
    user: User,
    device=None,
    trust: bool = False,
    announce: bool = True,
) -> None:
    """Sign in: a new session key, the method recorded for django-otp, the browser recognised (and trusted when
    asked), an event, and an email when this browser is new to the account (unless `announce` is off: the
    browser that just made the account)."""
    new_browser = announce and not browser_is_recognised(request=request, user=user)
    pending_end(request)
    name = device_name(request)
    with transaction.atomic():  # one commit for the session, the browser, the event and its alert
        request.last_login_with_event = True  # written with the event below: see last_login_update
        login(request, user, backend=BACKEND)  # cycles the session key: no fixation
        user.last_login = timezone.now()
        trusted_device_session_follow(request=request, user=user)
        if device is not None:
            django_otp.login(request, device)
        browser_recognise(request=request, response=response, user=user)
        if trust:
            trusted_device_create(request=request, response=response, user=user)
        kind = SecurityEvent.Kind.SIGNIN_NEW_DEVICE if new_browser else SecurityEvent.Kind.SIGNIN
        method = type(device).__name__.removesuffix("Device").lower() if device is not None else "email_or_phone"
        security_record(
            user=user,
            kind=kind,
            request=request,
            detail={"device": name, "method": method, "trusted": trust},
            device=name,
            last_login=user.last_login,
            # A second factor just passed is a confirmed method, so 2SV is on: no need to ask the database.
            **({"two_step_on": True} if device is not None else {}),
        )


def last_login_update(sender, user, request=None, **kwargs) -> None:
    """Receives user_logged_in in place of Django's update_last_login (the admin's sign-in still uses it);
    `signin_complete` writes last_login in the same statement as the sign-in's event instead."""
    if not getattr(request, "last_login_with_event", False):
        update_last_login(sender, user, **kwargs)
