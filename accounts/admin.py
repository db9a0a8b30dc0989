from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.changes import contact_changes_by_admin_record
from accounts.models import User
from security.admin import USER_SECURITY_INLINES, recent_security_events
from security.methods import two_step_disable, two_step_summary


class TwoStepResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (kept in the security log)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        help_text=_("For example: identity checked by phone against the order history, ticket #1234."),
    )


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
    readonly_fields = ("date_joined", "last_login", "password_changed_at", "two_step", "recent_security_events")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("name", "phone", "preferred_language")}),
        (_("Roles"), {"fields": ("is_active", "is_courier", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("date_joined", "last_login", "password_changed_at")}),
        (_("Security"), {"fields": ("two_step", "recent_security_events")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")},
        ),
    )
    filter_horizontal = ("groups",)
    inlines = USER_SECURITY_INLINES

    def save_model(self, request, obj, form, change):
        """Save, then tell the old email or number when an admin changed the user's contact details."""
        before = User.objects.filter(pk=obj.pk).values("email", "phone").first() if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            contact_changes_by_admin_record(
                user=obj,
                old_email=before["email"],
                old_phone=before["phone"],
                by_admin=request.user.email,
                request=request,
            )

    @admin.display(description=_("Recent security events"))
    def recent_security_events(self, user: User) -> str:
        return recent_security_events(user)

    @admin.display(description=_("Two-step verification"))
    def two_step(self, user: User) -> str:
        if not user.pk or not two_step_summary(user).enabled:
            return _("Off")
        url = reverse("admin:accounts_user_reset_two_step", args=[user.pk])
        return format_html('{} · <a href="{}">{}</a>', _("On"), url, _("Reset it (the user is locked out)"))

    def get_urls(self):
        return [
            path(
                "<int:user_id>/reset-two-step/",
                self.admin_site.admin_view(self.reset_two_step_view),
                name="accounts_user_reset_two_step",
            ),
            *super().get_urls(),
        ]

    def reset_two_step_view(self, request, user_id: int):
        """Turn off a locked-out user's 2SV, with a reason for the log; the user is told by email."""
        user = get_object_or_404(User, pk=user_id)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = TwoStepResetForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            two_step_disable(
                user=user, request=request, by_admin=request.user.email, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Two-step verification is reset for %(email)s.") % {"email": user.email})
            return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset two-step verification"),
            "subject": user,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/user/reset_two_step.html", context)
