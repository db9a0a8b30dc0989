"""Django admin behind the same throttled, recorded password step as the shop, and a second factor.

`security.apps.DeadboltAdminConfig.default_site` makes `admin.site` this site (Django's documented way), instead
of swapping the class of the default site at import time.

The password and the code are two pages. django-otp's form asks for both on one page and, once the password is
right, renders it back into the HTML; here a right password starts a pending flow ("admin_signin") holding the
user's id and their session hash (which changes with the password), and the code page asks for the code alone.
"""

from django import forms
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.http import HttpResponseRedirect, QueryDict
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from security.events import client_ip, event_record
from security.flows import flow_end, flow_get, flow_start
from security.methods import two_step_summary
from security.models import SecurityEvent
from security.throttles import password_attempt, password_succeeded

FLOW = "admin_signin"


def admin_signin_pending_user(request):
    """The staff user whose password this session proved for the admin, while that proof lasts and still holds."""
    state = flow_get(request, FLOW)
    if state is None:
        return None
    user = get_user_model().objects.filter(pk=state.get("user_id"), is_active=True, is_staff=True).first()
    if user is None or not constant_time_compare(state.get("auth_hash", ""), user.get_session_auth_hash()):
        flow_end(request, FLOW)  # the password changed (or the account did) since it was typed
        return None
    if state.get("backend"):
        user.backend = state["backend"]  # login() needs to know which backend checked the password
    return user


class AdminSignInForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form, with the shop's password waits, events and 2SV requirement; after a right
    password the code step needs no password (and never shows one)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["otp_token"].widget = forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6,8}",  # 6 for an app or a sent code, 8 for a backup code
                "maxlength": "8",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        )
        self.fields["otp_token"].label = _("Code")
        self.fields["otp_device"].label = _("Method")
        typed_password = bool(self.data.get("password")) if self.is_bound else False
        pending = None if typed_password or request is None else admin_signin_pending_user(request)
        self.code_step = pending is not None
        if pending is not None:
            self.user_cache = pending
            self.fields["username"].required = False
            self.fields["password"].required = False
            self._update_form(pending)

    def _update_form(self, user):
        # django-otp also sets the password widget's render_value here, which would echo the password.
        self.fields["otp_device"].widget.choices = self.device_choices(user)
        primary = next((d.persistent_id for d in devices_for_user(user) if getattr(d, "is_primary", False)), "")
        self.fields["otp_device"].initial = primary
        if hasattr(self, "cleaned_data") and not self.data.get("otp_device"):
            self.data = self.data.copy()  # for the page only: what was posted has been read already
            self.data["otp_device"] = primary

    def clean(self):
        if self.code_step:
            return self._clean_code_step()
        flow_end(self.request, FLOW)  # a password typed again starts over
        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip = client_ip(self.request)
        if wait := password_attempt(email=email, ip=ip):
            raise forms.ValidationError(
                ngettext(
                    "Too many attempts. Wait %(seconds)d second, then try again.",
                    "Too many attempts. Wait %(seconds)d seconds, then try again.",
                    wait,
                )
                % {"seconds": wait},
                code="throttled",
            )
        try:
            self.cleaned_data = super(OTPAdminAuthenticationForm, self).clean()  # the password, and is_staff
        except forms.ValidationError:
            if self.user_cache is None and (user := get_user_model().objects.filter(email=email).first()):
                event_record(user=user, kind=SecurityEvent.Kind.PASSWORD_FAILED, request=self.request, where="admin")
            raise
        password_succeeded(email=email, ip=ip)
        user = self.get_user()
        if not two_step_summary(user).enabled:
            raise forms.ValidationError(
                _("Turn on two-step verification on Login & security before you use the admin."), code="no_2sv"
            )
        flow_start(
            self.request,
            FLOW,
            step="code",
            user_id=user.pk,
            auth_hash=user.get_session_auth_hash(),
            backend=getattr(user, "backend", ""),
        )
        self.code_step = True
        self.clean_otp(user)
        flow_end(self.request, FLOW)
        return self.cleaned_data

    def _clean_code_step(self):
        user = self.get_user()
        if not two_step_summary(user).enabled:
            flow_end(self.request, FLOW)
            raise forms.ValidationError(
                _("Turn on two-step verification on Login & security before you use the admin."), code="no_2sv"
            )
        self.clean_otp(user)
        flow_end(self.request, FLOW)
        return self.cleaned_data


class DeadboltAdminSite(OTPAdminSite):
    login_form = AdminSignInForm
    login_template = "admin/login.html"

    def login(self, request, extra_context=None):
        if request.method == "GET" and "again" in request.GET:
            # "Use another account" on the code page: forget the proved password, back to the password page.
            flow_end(request, FLOW)
            query = QueryDict(mutable=True)
            if next_path := request.GET.get(REDIRECT_FIELD_NAME):
                query[REDIRECT_FIELD_NAME] = next_path
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        response = super().login(request, extra_context)
        if request.method == "POST" and not request.POST.get("otp_token") and flow_get(request, FLOW) is not None:
            # A right password alone: show the code page fresh, not django-otp's "Please enter your OTP token."
            return HttpResponseRedirect(request.get_full_path())
        return response
