"""Applications, their access keys, the codes they send and what happened to them (the Pinpoint OTP API)."""

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32, as AWS access key ids read


def new_application_id() -> str:
    return uuid.uuid4().hex  # 32 lower-case hex characters, the shape of a Pinpoint ApplicationId


def new_key_id() -> str:
    return "DBK" + "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(17))  # 20 characters, like AKIA…


class OtpApplication(models.Model):
    """One program that sends and verifies codes through the API (a mobile app, the service desk, a partner)."""

    application_id = models.CharField(
        _("application id"), max_length=32, unique=True, default=new_application_id, editable=False
    )
    name = models.CharField(_("name"), max_length=100)
    domain = models.CharField(
        _("domain"), max_length=253, blank=True, help_text=_('For the "@domain #code" line browsers read in an SMS')
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("OTP application")
        verbose_name_plural = _("OTP applications")
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.application_id})"


class AccessKey(models.Model):
    """An access key pair for SigV4. The secret is encrypted (SigV4 needs it back), never shown after creation."""

    application = models.ForeignKey(OtpApplication, on_delete=models.CASCADE, related_name="access_keys")
    key_id = models.CharField(_("access key id"), max_length=20, unique=True, default=new_key_id, editable=False)
    secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("access key")
        verbose_name_plural = _("access keys")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.key_id

    def is_active(self) -> bool:
        return self.revoked_at is None


class OtpState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PASSED = "passed", _("Passed")
    DEAD = "dead", _("Dead (too many wrong tries)")
    SUPERSEDED = "superseded", _("Superseded by a newer code")


class OtpCode(models.Model):
    """One code sent for (application, destination, reference). Only its keyed hash is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # known before saving: in the hash
    application = models.ForeignKey(OtpApplication, on_delete=models.CASCADE, related_name="codes")
    access_key = models.ForeignKey(AccessKey, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=8)
    destination = models.CharField(_("destination"), max_length=254)
    reference_id = models.CharField(_("reference id"), max_length=48)
    code_hash = models.CharField(max_length=64, editable=False)
    code_length = models.PositiveSmallIntegerField(_("code length"))
    language = models.CharField(_("language"), max_length=8)
    brand_name = models.CharField(_("brand name"), max_length=20)
    origination_identity = models.CharField(_("origination identity"), max_length=64, blank=True)
    entity_id = models.CharField(_("entity id (DLT)"), max_length=64, blank=True)
    template_id = models.CharField(_("template id (DLT)"), max_length=64, blank=True)
    message = models.ForeignKey("messaging.Message", null=True, on_delete=models.SET_NULL, related_name="+")
    allowed_attempts = models.PositiveSmallIntegerField(_("allowed attempts"))
    failures = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=OtpState.choices, default=OtpState.ACTIVE)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("OTP code")
        verbose_name_plural = _("OTP codes")
        ordering = ("-created_at",)
        constraints = [
            # A newer send supersedes the older code: at most one live code per application, destination, reference.
            models.UniqueConstraint(
                fields=["application", "destination", "reference_id"],
                condition=models.Q(state="active"),
                name="otp_code_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"OTP {self.pk} ({self.state})"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class OtpEventKind(models.TextChoices):
    SEND = "send", _("Send")
    VERIFY = "verify", _("Verify")


class OtpOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    REFUSED_DESTINATION = "refused_destination", _("Refused: destination")
    REFUSED_CAP = "refused_cap", _("Refused: send cap")
    VALID = "valid", _("Valid")
    WRONG = "wrong", _("Wrong code")
    DIED = "died", _("Wrong code: no tries left")
    EXPIRED = "expired", _("Expired")
    NO_CODE = "no_code", _("No live code")


class OtpEvent(models.Model):
    """Append-only: one row per send and verify call that reached an application. Never the code."""

    application = models.ForeignKey(OtpApplication, on_delete=models.CASCADE, related_name="events")
    access_key = models.ForeignKey(AccessKey, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=OtpEventKind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=OtpOutcome.choices)
    destination_masked = models.CharField(_("destination"), max_length=254)
    reference_id = models.CharField(_("reference id"), max_length=48)
    request_id = models.CharField(_("request id"), max_length=36)
    ip = models.GenericIPAddressField(_("from"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("OTP event")
        verbose_name_plural = _("OTP events")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.kind} {self.outcome}"
