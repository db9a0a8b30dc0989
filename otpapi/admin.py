"""Applications and their keys, codes and events as admins see them: never a secret, never a code."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from otpapi.codes import mask
from otpapi.keys import access_key_create, access_key_revoke, access_key_rotate
from otpapi.models import AccessKey, OtpApplication, OtpCode, OtpEvent


def _show_new_secrets(request, *, title: str, created: list[tuple[AccessKey, str]]):
    """The one page that shows a new secret: rendered straight away, never stored in a message or the session."""
    response = TemplateResponse(
        request, "otpapi/admin_new_keys.html", {"title": title, "created": created, **admin.site.each_context(request)}
    )
    response["Cache-Control"] = "no-store"
    return response


class AccessKeyInline(admin.TabularInline):
    model = AccessKey
    fields = ("key_id", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a key is made by the "new access key" action, which shows its secret once


@admin.register(OtpApplication)
class OtpApplicationAdmin(admin.ModelAdmin):
    list_display = ("name", "application_id", "domain", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "application_id", "domain")
    readonly_fields = ("application_id", "created_at")
    fields = ("name", "application_id", "domain", "active", "created_at")
    inlines = [AccessKeyInline]
    actions = ["new_access_key"]

    @admin.action(description=_("Make a new access key for the selected applications"), permissions=["change"])
    def new_access_key(self, request, queryset):
        created = [access_key_create(application=application) for application in queryset]
        return _show_new_secrets(request, title=_("New access keys"), created=created)


@admin.register(AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    """Keys listed, rotated and revoked; the secret is never a field here."""

    list_display = ("key_id", "application", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("key_id", "application__name", "application__application_id")
    fields = ("key_id", "application", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["rotate", "revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # view only; rotate and revoke are the changes admins make

    @admin.action(description=_("Rotate: a new key for the same application, the selected ones revoked"))
    def rotate(self, request, queryset):
        keys = [key for key in queryset.select_related("application") if key.is_active()]
        if not keys:
            self.message_user(request, _("Only active keys can be rotated."), messages.WARNING)
            return None
        created = [access_key_rotate(key=key) for key in keys]
        return _show_new_secrets(request, title=_("Rotated access keys"), created=created)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            access_key_revoke(key=key)
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(OtpCode)
class OtpCodeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "application", "channel", "masked_destination", "reference_id", "state", "failures")
    list_filter = ("state", "channel", "application")
    search_fields = ("reference_id", "application__name")
    exclude = ("code_hash", "destination")
    readonly_fields = [
        field.name for field in OtpCode._meta.fields if field.name not in {"code_hash", "destination"}
    ] + ["masked_destination"]

    @admin.display(description=_("destination"))
    def masked_destination(self, code: OtpCode) -> str:
        return mask(code.destination)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OtpEvent)
class OtpEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "application", "kind", "outcome", "destination_masked", "reference_id", "ip")
    list_filter = ("kind", "outcome", "application")
    search_fields = ("reference_id", "request_id", "application__name")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OtpEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # append-only
