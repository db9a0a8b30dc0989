"""Changing a password (signed in, behind step-up) and resetting a forgotten one."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import (
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetEmailForm,
)
from security.code_step import code_step_run
from security.display import mask_email
from security.events import client_ip
from security.flows import flow_end, flow_get, flow_save, flow_start
from security.forms import CodeForm
from security.methods import two_step_summary
from security.models import PasswordResetRequest
from security.password_reset import (
    ResetRefused,
    password_reset_code_check,
    password_reset_request,
)
from security.passwords import password_set
from security.step_up import step_up_required
from security.throttles import password_attempt, password_succeeded
from security.vocabulary import Purpose, StepUpAction

RESET_FLOW = "password_reset"


@sensitive_post_parameters("current_password", "new_password")
@login_required
@step_up_required(StepUpAction.CHANGE_PASSWORD)
@never_cache
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    email, ip = request.user.email, client_ip(request)
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if wait := password_attempt(email=email, ip=ip):
            form = PasswordChangeForm(request.user)
            messages.error(
                request, _("Too many attempts. Wait %(seconds)d seconds, then try again.") % {"seconds": wait}
            )
        elif form.is_valid():
            password_succeeded(email=email, ip=ip)
            keep = form.cleaned_data["keep_signed_in"]
            password_set(
                user=request.user,
                new_password=form.cleaned_data["new_password"],
                request=request,
                reason="change",
                keep_this_session=keep,
            )
            if not keep:
                logout(request)
                messages.success(request, _("Your password is changed. Sign in with your new password."))
                return redirect("accounts:signin")
            messages.success(request, _("Your password is changed. Every other session is signed out."))
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@sensitive_post_parameters("new_password")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgot the password: the same answers whether or not the email has an account, a code to the email, a
    second factor for 2SV accounts, then a new password. Nobody is signed in at the end."""
    state = flow_get(request, RESET_FLOW)
    if state and "restart" in request.GET:
        flow_end(request, RESET_FLOW)
        state = None
    if state is None:
        form = PasswordResetEmailForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            try:
                reset = password_reset_request(email=email, request=request)
            except ResetRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                flow_start(request, RESET_FLOW, step="code", reset_id=reset.pk, email=mask_email(email))
                return redirect("accounts:password_reset")
        return render(request, "accounts/password_reset.html", {"stage": "email", "form": form})

    if state["step"] == "code":
        form = CodeForm(request.POST if request.method == "POST" else None)
        ended = False
        if request.method == "POST" and form.is_valid():
            check = password_reset_code_check(
                reset_id=state["reset_id"], code=form.cleaned_data["code"], request=request
            )
            if check.passed:
                user = PasswordResetRequest.objects.select_related("user").get(pk=state["reset_id"]).user
                state["step"] = "second" if two_step_summary(user).enabled else "password"
                flow_save(request, RESET_FLOW, state)
                return redirect("accounts:password_reset")
            form.add_error("code", check.message)
            ended = check.ended
        context = {"stage": "code", "form": form, "email": state["email"], "ended": ended}
        return render(request, "accounts/password_reset.html", context)
    user = PasswordResetRequest.objects.select_related("user").get(pk=state["reset_id"]).user
    if state["step"] == "second":
        step = code_step_run(
            request=request,
            user=user,
            purpose=Purpose.PASSWORD_RESET_2SV,
            state=state.setdefault("code", {}),
            send_on_arrival=True,
        )
        flow_save(request, RESET_FLOW, state)
        if step.redirect_to_self:
            return redirect(request.get_full_path())
        if step.passed:
            state["step"] = "password"
            flow_save(request, RESET_FLOW, state)
            return redirect("accounts:password_reset")
        return render(request, "accounts/password_reset.html", {"stage": "second", **step.context})
    form = NewPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password_set(user=user, new_password=form.cleaned_data["new_password"], request=request, reason="reset")
        flow_end(request, RESET_FLOW)
        messages.success(request, _("Your password is changed and every session is signed out. Sign in with it now."))
        return redirect("accounts:signin")
    return render(request, "accounts/password_reset.html", {"stage": "password", "password_form": form})
