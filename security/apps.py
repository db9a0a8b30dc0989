from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security")

    def ready(self) -> None:
        # Models are loaded only now, so the code path that imports them is handed to the devices here.
        from security import models, otp_adapter

        models.otp_code_path = otp_adapter


class DeadboltAdminConfig(admin_apps.AdminConfig):
    """Django admin, with security.admin_site.DeadboltAdminSite as `admin.site` (named in INSTALLED_APPS)."""

    default = False
    default_site = "security.admin_site.DeadboltAdminSite"
