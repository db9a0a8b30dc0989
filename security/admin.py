from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from security.display import mask_phone
from security.models import AuthenticatorDevice, BackupCodeDevice, Passkey, PhoneDevice, SecurityEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AuthenticatorInline(ReadOnlyInline):
    model = AuthenticatorDevice
    fields = readonly_fields = ("name", "is_primary", "confirmed", "created_at")  # never the secret
    verbose_name_plural = _("Authenticator apps")


class PhoneInline(ReadOnlyInline):
    model = PhoneDevice
    fields = readonly_fields = ("masked_number", "channel", "is_primary", "confirmed", "created_at")
    verbose_name_plural = _("Phones")

    @admin.display(description=_("number"))
    def masked_number(self, device: PhoneDevice) -> str:
        return mask_phone(device.number)


class BackupCodesInline(ReadOnlyInline):
    model = BackupCodeDevice
    fields = readonly_fields = ("codes_left", "confirmed", "created_at")  # never the codes
    verbose_name_plural = _("Backup codes")

    @admin.display(description=_("codes left"))
    def codes_left(self, device: BackupCodeDevice) -> int:
        return device.codes_left()


class PasskeyInline(ReadOnlyInline):
    model = Passkey
    fields = readonly_fields = ("name", "aaguid", "backed_up", "sign_count", "created_at", "last_used_at")
    verbose_name_plural = _("Passkeys")


USER_SECURITY_INLINES = [AuthenticatorInline, PhoneInline, BackupCodesInline, PasskeyInline]


@admin.display(description=_("Recent security events"))
def recent_security_events(user) -> str:
    """The last 20 events, with a link to the whole log for this user (an inline would load them all)."""
    from django.urls import reverse
    from django.utils.html import format_html, format_html_join

    events = SecurityEvent.objects.filter(user=user)[:20]
    rows = format_html_join(
        "",
        "<li>{} · {}{}</li>",
        ((e.created_at.strftime("%Y-%m-%d %H:%M"), e.get_kind_display(), f" · {e.ip}" if e.ip else "") for e in events),
    )
    url = reverse("admin:security_securityevent_changelist") + f"?user__id__exact={user.pk}"
    return format_html('<ul class="plain">{}</ul><a href="{}">{}</a>', rows, url, _("The whole log for this user"))


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security log: append-only, so admins read it and never change it."""

    list_display = ("created_at", "user", "kind", "ip")
    list_filter = ("kind", "created_at")
    search_fields = ("user__email", "ip")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    fields = readonly_fields = ("created_at", "user", "kind", "ip", "user_agent", "detail")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
