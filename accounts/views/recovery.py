"""Recovery and "This wasn't me": cancelling a recovery, and securing an account from an alert's link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import NewPasswordForm
from accounts.models import User
from accounts.sessions import account_secure_after_intrusion
from security.alerts import not_me_claim
from security.code_step import code_step_run
from security.flows import flow_end, flow_get, flow_save, flow_start
from security.methods import two_step_summary
from security.passwords import password_set
from security.recovery import (
    recovery_cancel,
    recovery_from_cancel_token,
    recovery_open,
    recovery_request,
)
from security.verification import email_option
from security.vocabulary import Purpose

NOT_ME_FLOW = "not_me"


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """The alert's "cancel" link: a button, so a mail scanner following links cancels nothing."""
    recovery = recovery_from_cancel_token(token)
    if recovery is None:
        raise Http404
    if request.method == "POST":
        recovery_cancel(recovery=recovery, request=request)
        messages.success(request, _("The recovery is cancelled. Your two-step verification stays on."))
        return redirect("accounts:security" if request.user.is_authenticated else "accounts:signin")
    return render(request, "accounts/recovery_cancel.html", {"recovery": recovery})


@login_required
@require_POST
def recovery_cancel_signed_in(request: HttpRequest) -> HttpResponse:
    recovery = recovery_open(request.user)
    if recovery is not None:
        recovery_cancel(recovery=recovery, request=request)
        messages.success(request, _("The recovery is cancelled. Your two-step verification stays on."))
    return redirect("accounts:security")


@sensitive_post_parameters("new_password")
@never_cache
@require_http_methods(["GET", "POST"])
def not_me(request: HttpRequest, token: str) -> HttpResponse:
    """ "This wasn't me" from an alert: a code to the address the alert went to; then every session ends and
    trusted devices are revoked; a 2SV account proves a second factor (or starts the recovery wait); then a new
    password. The link works once, for a day. Nobody is signed in at the end."""
    state = flow_get(request, NOT_ME_FLOW)
    if not state or state.get("token") != token:
        claim = not_me_claim(token)
        user = User.objects.filter(pk=claim[0], is_active=True, session_version=claim[2]).first() if claim else None
        if user is None:
            return render(request, "accounts/not_me.html", {"expired": True}, status=404)
        state = flow_start(request, NOT_ME_FLOW, step="email", token=token, user_id=user.pk, to=claim[1], code={})
    user = User.objects.filter(pk=state["user_id"], is_active=True).first()
    if user is None:
        flow_end(request, NOT_ME_FLOW)
        return render(request, "accounts/not_me.html", {"expired": True}, status=404)
    if state["step"] == "password":
        form = NewPasswordForm(user, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            password_set(user=user, new_password=form.cleaned_data["new_password"], request=request, reason="not_me")
            flow_end(request, NOT_ME_FLOW)
            messages.success(
                request, _("Your password is changed and every session is signed out. Sign in with your new password.")
            )
            return redirect("accounts:signin")
        return render(request, "accounts/not_me.html", {"password_form": form})
    if state["step"] == "second" and request.method == "POST" and request.POST.get("do") == "recover":
        recovery = recovery_request(user=user, request=request)
        flow_end(request, NOT_ME_FLOW)
        return render(request, "accounts/recovery_requested.html", {"recovery": recovery})
    if state["step"] == "second":
        step = code_step_run(
            request=request, user=user, purpose=Purpose.REPORT_INTRUSION_2SV, state=state["code"], send_on_arrival=True
        )
    else:
        step = code_step_run(
            request=request,
            user=user,
            purpose=Purpose.REPORT_INTRUSION,
            state=state["code"],
            options=[email_option(user, send_to=state["to"])],
        )
    flow_save(request, NOT_ME_FLOW, state)
    if step.redirect_to_self:
        return redirect(request.get_full_path())
    if step.passed and state["step"] == "email":
        # The link is spent (sessions move on), and the proved address is the account's again.
        account_secure_after_intrusion(user=user, request=request, proved_email=state["to"])
        state.update(step="second" if two_step_summary(user).enabled else "password", code={})
        flow_save(request, NOT_ME_FLOW, state)
        return redirect(request.get_full_path())
    if step.passed:
        state["step"] = "password"
        flow_save(request, NOT_ME_FLOW, state)
        return redirect(request.get_full_path())
    return render(request, "accounts/not_me.html", {"stage": state["step"], **step.context})
