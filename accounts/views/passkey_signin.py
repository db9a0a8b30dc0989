"""Signing in with a passkey: alone (no password, no code, even on a new browser), or as the code step's second
factor after the password. Either way it counts as 2SV and is announced like any sign-in."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.signin import SigninStep, pending_get, pending_user, signin_complete
from security.passkey_views import answer_of
from security.passkeys import PasskeyRefused, passkey_authenticate, passkey_authentication_options
from security.redirects import safe_next_path

# A pending sign-in these steps can finish with a passkey: not a sign-up's or a recovery's email proof.
PASSKEY_STEPS = {SigninStep.SECOND_FACTOR, SigninStep.NEW_DEVICE}


@never_cache
@require_POST
def signin_passkey_options(request: HttpRequest) -> JsonResponse:
    """A discoverable sign-in: the browser offers the passkeys it holds for this site."""
    return JsonResponse(passkey_authentication_options(request=request))


@never_cache
@require_POST
def signin_passkey(request: HttpRequest) -> JsonResponse:
    body = answer_of(request)
    try:
        passkey = passkey_authenticate(request=request, credential=body.get("credential") or {})
    except PasskeyRefused as refusal:
        return JsonResponse({"error": refusal.message}, status=400)
    response = JsonResponse({"redirect": safe_next_path(request)})
    signin_complete(request=request, response=response, user=passkey.user, device=passkey)
    return response


def _pending_passkey_user(request: HttpRequest):
    pending = pending_get(request)
    user = pending_user(pending) if pending else None
    return (pending, user) if user is not None and pending["reason"] in PASSKEY_STEPS else (None, None)


@never_cache
@require_POST
def signin_code_passkey_options(request: HttpRequest) -> JsonResponse:
    _pending, user = _pending_passkey_user(request)
    if user is None:
        return JsonResponse({"error": "no pending sign-in"}, status=400)
    return JsonResponse(passkey_authentication_options(request=request, user=user))


@never_cache
@require_POST
def signin_code_passkey(request: HttpRequest) -> JsonResponse:
    """The code step, answered with one of this account's passkeys instead of a code."""
    pending, user = _pending_passkey_user(request)
    if user is None:
        return JsonResponse({"error": "no pending sign-in"}, status=400)
    body = answer_of(request)
    try:
        passkey = passkey_authenticate(request=request, credential=body.get("credential") or {}, user=user)
    except PasskeyRefused as refusal:
        return JsonResponse({"error": refusal.message}, status=400)
    response = JsonResponse({"redirect": pending["next"]})
    signin_complete(request=request, response=response, user=user, device=passkey, trust=body.get("trust") is True)
    return response
