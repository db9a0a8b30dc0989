"""Login & security → Passkeys: list, add (behind step-up), rename, remove (behind step-up); and step-up by passkey.

The ceremonies are two JSON endpoints each (options, then the browser's answer); everything else is plain forms.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from security.events import event_record
from security.models import SecurityEvent
from security.passkeys import (
    PasskeyRefused,
    passkey_authenticate,
    passkey_authentication_options,
    passkey_register,
    passkey_registration_options,
    passkey_remove,
    passkey_rename,
    passkeys_for,
)
from security.redirects import safe_next_path
from security.step_up import grant_give, grant_is_fresh, step_up_required, step_up_url
from security.vocabulary import StepUpAction

PAGE = "security:passkeys"


def answer_of(request: HttpRequest) -> dict:
    """The JSON the page's script posts: {"credential": {...}, "name": "..."}; {} when it is not JSON."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@login_required
@never_cache
def passkeys(request: HttpRequest) -> HttpResponse:
    context = {
        "passkeys": passkeys_for(request.user),
        "can_add": grant_is_fresh(request, StepUpAction.PASSKEYS),
        "step_up_url": step_up_url(StepUpAction.PASSKEYS.value, reverse(PAGE)),
    }
    return render(request, "security/passkeys.html", context)


@login_required
@step_up_required(StepUpAction.PASSKEYS)
@require_POST
def passkey_add_options(request: HttpRequest) -> JsonResponse:
    return JsonResponse(passkey_registration_options(request=request, user=request.user))


@login_required
@step_up_required(StepUpAction.PASSKEYS)
@require_POST
def passkey_add(request: HttpRequest) -> JsonResponse:
    body = answer_of(request)
    try:
        passkey = passkey_register(
            request=request, user=request.user, credential=body.get("credential") or {}, name=str(body.get("name", ""))
        )
    except PasskeyRefused as refusal:
        return JsonResponse({"error": refusal.message}, status=400)
    messages.success(request, _("Passkey added: %(name)s. You can sign in with it now.") % {"name": passkey.name})
    return JsonResponse({"redirect": reverse(PAGE)})


@login_required
@require_POST
def passkey_rename_view(request: HttpRequest, passkey_id: int) -> HttpResponse:
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Give the passkey a name."))
    elif passkey_rename(user=request.user, passkey_id=passkey_id, name=name):
        messages.success(request, _("Passkey renamed."))
    else:
        raise Http404
    return redirect(PAGE)


@login_required
@step_up_required(StepUpAction.PASSKEYS)
@never_cache
@require_http_methods(["GET", "POST"])
def passkey_remove_view(request: HttpRequest, passkey_id: int) -> HttpResponse:
    mine = passkeys_for(request.user)
    passkey = next((p for p in mine if p.pk == passkey_id), None)
    if passkey is None:
        raise Http404
    last = len(mine) == 1
    if request.method == "POST":
        if last and request.POST.get("understood") != "on":
            messages.error(request, _("Tick the box to confirm you'll sign in with your password and codes instead."))
        else:
            passkey_remove(user=request.user, passkey_id=passkey_id, request=request)
            messages.success(request, _("Passkey removed."))
            return redirect(PAGE)
    return render(request, "security/passkey_remove.html", {"passkey": passkey, "last": last})


@login_required
@require_POST
def step_up_passkey_options(request: HttpRequest) -> JsonResponse:
    return JsonResponse(passkey_authentication_options(request=request, user=request.user))


@login_required
@require_POST
def step_up_passkey(request: HttpRequest) -> JsonResponse:
    """Step-up by passkey: the same grant a code gives, for the action on the page."""
    try:
        action = StepUpAction(request.GET.get("action", ""))
    except ValueError:
        raise Http404 from None
    try:
        passkey_authenticate(request=request, credential=answer_of(request).get("credential") or {}, user=request.user)
    except PasskeyRefused as refusal:
        return JsonResponse({"error": refusal.message}, status=400)
    grant_give(request, action)
    event_record(user=request.user, kind=SecurityEvent.Kind.STEP_UP, request=request, action=action, method="passkey")
    return JsonResponse({"redirect": safe_next_path(request, default=reverse("accounts:security"))})
