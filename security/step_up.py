"""Step-up ("prove it's you"): a fresh code, in this session, for one sensitive action, for a few minutes."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

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

    A POST without a grant is sent to prove it and then back to the page it came from (its form, re-shown);
    the POST itself is never replayed.
    """
    action = StepUpAction(action)  # an unknown word fails at import, not at the door

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if grant_is_fresh(request, action):
                return view(request, *args, **kwargs)
            next_path = request.get_full_path() if request.method == "GET" else reverse("accounts:security")
            return redirect(step_up_url(action.value, next_path))

        wrapper.step_up_action = action
        return wrapper

    return decorator
