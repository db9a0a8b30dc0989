"""Pending flows: every multi-step flow keeps its state in the session under one key ("flow:<name>"), with its
step and an expiry, and nothing else. Ids and small values only; cleared the moment it succeeds or dies.

    state = flow_start(request, "contact_change", step="code", value=...)
    state = flow_get(request, "contact_change")   # None when there is none, or it has expired (and is cleared)
    flow_save(request, "contact_change", state)   # after changing it in place
    flow_end(request, "contact_change")
"""

import time

from django.conf import settings
from django.http import HttpRequest

PREFIX = "flow:"


def flow_key(name: str) -> str:
    return PREFIX + name


def flow_start(request: HttpRequest, name: str, *, step: str, lifetime: int | None = None, **data) -> dict:
    """A new flow (replacing any of the same name), dying `lifetime` seconds from now (a half-done sign-in's by
    default)."""
    seconds = lifetime or settings.SECURITY_SIGNIN_PENDING_SECONDS
    state = {"step": step, "expires": time.time() + seconds, **data}
    request.session[flow_key(name)] = state
    return state


def flow_get(request: HttpRequest, name: str) -> dict | None:
    state = request.session.get(flow_key(name))
    if not state:
        return None
    if time.time() > state.get("expires", 0):
        request.session.pop(flow_key(name), None)
        return None
    return state


def flow_save(request: HttpRequest, name: str, state: dict) -> None:
    request.session[flow_key(name)] = state


def flow_end(request: HttpRequest, name: str) -> None:
    request.session.pop(flow_key(name), None)
