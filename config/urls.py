from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("orders.urls")),
    path("account/", include("accounts.urls")),
    path("", include("messaging.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = f"{settings.SHOP_NAME} administration"
admin.site.site_title = f"{settings.SHOP_NAME} admin"
