from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.forms import SignInForm, SignUpForm
from accounts.models import Language
from accounts.redirects import safe_next_path
from accounts.registration import EmailTaken, user_sign_up
from security.events import recent_events
from security.methods import two_step_summary

_BACKEND = "django.contrib.auth.backends.ModelBackend"


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_path = safe_next_path(request)
    if request.user.is_authenticated:
        return redirect(next_path)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                name=form.cleaned_data["name"],
                preferred_language=Language.best_match(request.headers.get("Accept-Language", "")),
            )
        except EmailTaken:
            form.add_error(
                "email",
                _("An account already uses this email address. Sign in instead, or use another address."),
            )
        else:
            login(request, user, backend=_BACKEND)
            messages.success(
                request,
                _("Welcome to %(shop)s, %(name)s. Your account is ready.")
                % {"shop": settings.SHOP_NAME, "name": user.get_short_name()},
            )
            return redirect(next_path)
    return render(request, "accounts/signup.html", {"form": form, "next": next_path})


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    next_path = safe_next_path(request)
    if request.user.is_authenticated:
        return redirect(next_path)
    form = SignInForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)  # rotates the session key: no session fixation
        return redirect(next_path)
    return render(request, "accounts/signin.html", {"form": form, "next": next_path})


@never_cache
@require_http_methods(["GET", "POST"])
def signout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        was_signed_in = request.user.is_authenticated
        logout(request)
        if was_signed_in:
            messages.info(request, _("You've signed out. See you soon."))
        return redirect("/")
    if not request.user.is_authenticated:
        return redirect("/")
    return render(request, "accounts/signout.html")


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "account": request.user,
            "two_step": two_step_summary(request.user),
            "events": recent_events(request.user, limit=10),
        },
    )
