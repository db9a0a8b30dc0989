from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.health.views import health
from config.views import contact

# admin.site is security.admin_site.DeadboltAdminSite (INSTALLED_APPS): a second factor, the shop's password waits.
urlpatterns = [
    path("", include("orders.urls")),
    path("account/", include("accounts.urls")),
    path("account/", include("security.urls")),
    path("", include("messaging.urls")),
    path("", include("delivery.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("contact/", contact, name="contact"),
    path(f"{settings.PINPOINT_API_PREFIX.strip('/')}/".lstrip("/"), include("otpapi.urls")),  # Pinpoint OTP API
]

handler500 = "config.views.server_error"

admin.site.site_header = f"{settings.SHOP_NAME} administration"
admin.site.site_title = f"{settings.SHOP_NAME} admin"
