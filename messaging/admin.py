from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from messaging.models import Message
from messaging.sending import messages_retry


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Messages as admins see them: never their content (a code), only where, what and how it went."""

    list_display = ("created_at", "channel", "destination", "kind", "status", "failure_reason", "attempts")
    list_filter = ("channel", "status", "kind", "failure_reason")
    search_fields = ("destination", "provider_id", "user__email")
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = (
        "channel",
        "destination",
        "kind",
        "language",
        "status",
        "failure_reason",
        "last_error",
        "attempts",
        "provider_id",
        "user",
        "request_ip",
        "created_at",
        "next_attempt_at",
        "expires_at",
        "sent_at",
        "delivered_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # view only; the retry action is the one change admins make

    @admin.action(description=_("Retry the selected failed messages"), permissions=["view"])
    def retry(self, request, queryset):
        count = messages_retry(message_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%d message queued again.", "%d messages queued again.", count) % count
            + (
                f" {skipped} could not be retried: only a message refused before sending, or turned down by the"
                " provider, can be. One that is unknown or that the provider accepted may already have reached the"
                " person, and one that expired or lost its content is no longer worth sending."
                if skipped
                else ""
            ),
            messages.SUCCESS if count else messages.WARNING,
        )
