"""Django admin behind the same throttled, recorded password step as the shop, and a second factor.

`security.apps.DeadboltAdminConfig.default_site` makes `admin.site` this site (Django's documented way), instead
of swapping the class of the default site at import time.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from security.events import client_ip, event_record
from security.methods import two_step_summary
from security.models import SecurityEvent
from security.throttles import password_attempt, password_succeeded


class AdminSignInForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form, with the shop's password waits, events and 2SV requirement."""

    def clean(self):
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
        self.clean_otp(user)
        return self.cleaned_data


class DeadboltAdminSite(OTPAdminSite):
    login_form = AdminSignInForm
