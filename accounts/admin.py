from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from security.admin import USER_SECURITY_INLINES, recent_security_events


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "name", "phone", "is_courier", "is_staff", "is_active", "date_joined")
    list_filter = ("is_active", "is_courier", "is_staff", "is_superuser", "preferred_language", "date_joined")
    search_fields = ("email", "name", "phone")
    ordering = ("-date_joined",)
    readonly_fields = ("date_joined", "last_login", "password_changed_at", "recent_security_events")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("name", "phone", "preferred_language")}),
        (_("Roles"), {"fields": ("is_active", "is_courier", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("date_joined", "last_login", "password_changed_at")}),
        (_("Security"), {"fields": ("recent_security_events",)}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")},
        ),
    )
    filter_horizontal = ("groups",)
    inlines = USER_SECURITY_INLINES

    @admin.display(description=_("Recent security events"))
    def recent_security_events(self, user: User) -> str:
        return recent_security_events(user)
