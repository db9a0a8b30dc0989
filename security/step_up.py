"""Step-up ("prove it's you"): a fresh code, in this session, for one sensitive action, for a few minutes."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from security.flows import flow_get, flow_start
from security.vocabulary import StepUpAction

SESSION_KEY = "step_up_grants"


def grant_give(request: HttpRequest, action: str) -> None:
    grants = request.session.get(SESSION_KEY, {})
    grants[action] = time.time() + settings.SECURITY_STEP_UP_SECONDS
    request.session[SESSION_KEY] = grants


def grant_is_fresh(request: HttpRequest, action: str) -> bool:
    return request.session.get(SESSION_KEY, {}).get(action, 0) > time.time()


def grants_clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def step_up_url(action: str, next_path: str) -> str:
    return reverse("security:step_up") + "?" + urlencode({"action": action, "next": next_path})


def step_up_required(action: StepUpAction):
    """Send a signed-in person without a fresh grant for `action` to prove it's them, then back here.

    A POST without a grant (the button the person pressed: "Remove", "Get new codes") is kept in the session;
    after the code, a page asks them to confirm it, and their press sends it again with a fresh CSRF token. It is
    never replayed on its own.
    """
    action = StepUpAction(action)  # an unknown word fails at import, not at the door

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if grant_is_fresh(request, action):
                return view(request, *args, **kwargs)
            if request.method == "GET":
                return redirect(step_up_url(action.value, request.get_full_path()))
            if "intent" not in request.POST:  # only buttons that say what they do are kept (never typed secrets)
                return redirect(step_up_url(action.value, reverse("accounts:security")))
            pending_action_keep(request, action)
            return redirect(step_up_url(action.value, reverse("security:step_up_continue")))

        wrapper.step_up_action = action
        return wrapper

    return decorator


PENDING_ACTION = "step_up_action"


def pending_action_keep(request: HttpRequest, action: StepUpAction) -> None:
    """The POST the person made without a grant: its path, its fields (no files, no token) and what it does.
    Only forms with an `intent` (buttons: Remove, Get new codes, Sign out everywhere) are kept; a form with typed
    secrets (a password, a card number) has none, so nothing typed is ever stored or shown again."""
    fields = {key: request.POST.get(key, "")[:500] for key in list(request.POST)[:20] if key != "csrfmiddlewaretoken"}
    flow_start(
        request,
        PENDING_ACTION,
        step="confirm",
        lifetime=settings.SECURITY_STEP_UP_SECONDS,
        action=action.value,
        path=request.path,
        fields=fields,
    )


def pending_action_get(request: HttpRequest) -> dict | None:
    """The kept POST, once its action has a fresh grant; None otherwise."""
    pending = flow_get(request, PENDING_ACTION)
    if pending is None or not grant_is_fresh(request, pending["action"]):
        return None
    return pending
