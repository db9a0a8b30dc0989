from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    VOICE = "voice", _("Voice call")
    EMAIL = "email", _("Email")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown")  # the provider may or may not have sent it; never resent blindly


# How far along a message is: provider callbacks only ever move it forward.
STATUS_RANK = {
    Status.QUEUED: 0,
    Status.SENDING: 1,
    Status.UNKNOWN: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.FAILED: 3,
}


class FailureReason(models.TextChoices):
    REFUSED_COUNTRY = "refused_country", _("Country not allowed")
    REFUSED_NUMBER_TYPE = "refused_number_type", _("Number cannot receive codes")
    LANDLINE = "landline", _("Landline cannot receive texts")
    RATE_LIMITED_DESTINATION = "rate_limited_destination", _("Too many messages to this destination")
    RATE_LIMITED_IP = "rate_limited_ip", _("Too many messages from this network")
    INVALID_NUMBER = "invalid_number", _("Invalid number")
    UNSUBSCRIBED = "unsubscribed", _("Recipient unsubscribed")
    BLOCKED_COUNTRY = "blocked_country", _("Provider blocks this country")
    EXPIRED = "expired", _("Expired before it could be sent")
    UNDELIVERED = "undelivered", _("Not delivered")
    PROVIDER_ERROR = "provider_error", _("Provider refused it")


# What the person is told, and what to do instead.
FAILURE_TEXT = {
    FailureReason.REFUSED_COUNTRY: _(
        "We can't send codes to numbers in that country. Use your authenticator app or email instead."
    ),
    FailureReason.REFUSED_NUMBER_TYPE: _(
        "That number can't receive codes (it may be a premium-rate or shared-cost number). Use a mobile number."
    ),
    FailureReason.LANDLINE: _("That number looks like a landline, which can't get texts. Choose a voice call instead."),
    FailureReason.RATE_LIMITED_DESTINATION: _(
        "We've sent several codes recently. Wait a few minutes, or choose another way to get a code."
    ),
    FailureReason.RATE_LIMITED_IP: _(
        "Too many codes were asked for from your network. Wait a while, or choose another way to get a code."
    ),
    FailureReason.INVALID_NUMBER: _("That number isn't valid. Check it, or choose another way to get a code."),
    FailureReason.UNSUBSCRIBED: _(
        "This number has blocked our texts. Reply START to one of our texts to allow them, or choose another way."
    ),
    FailureReason.BLOCKED_COUNTRY: _("We can't text numbers in that country. Choose another way to get a code."),
    FailureReason.EXPIRED: _("We couldn't send the code in time. Ask for a new one."),
    FailureReason.UNDELIVERED: _("The message couldn't be delivered. Ask for a new one, or choose another way."),
    FailureReason.PROVIDER_ERROR: _("We couldn't send the message. Try again, or choose another way to get a code."),
}


class Message(models.Model):
    """One outgoing SMS, voice call or email, written in the caller's transaction and sent by a worker."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    destination = models.CharField(_("to"), max_length=254, help_text=_("E.164 number or email address"))
    kind = models.CharField(_("kind"), max_length=64, help_text=_("What it is for: its template folder"))
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.CharField(_("failure"), max_length=32, choices=FailureReason.choices, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=64, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # What the worker needs to render it (a code, a name), encrypted; wiped once sent or expired.
    payload = models.TextField(blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_ip = models.GenericIPAddressField(_("requested from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    expires_at = models.DateTimeField(_("worthless after"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["destination", "-created_at"], name="message_destination_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.kind}, {self.status})"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    @property
    def was_refused(self) -> bool:
        """Refused before any attempt: the caller should tell the person and offer another method."""
        return self.status == Status.FAILED and self.attempts == 0

    @property
    def failure_text(self) -> str:
        return str(FAILURE_TEXT.get(self.failure_reason, "")) if self.failure_reason else ""

    def can_be_retried(self, now=None) -> bool:
        """Only what surely never reached the person: failed without the provider accepting it (refused by us,
        or turned down by the provider), content kept and still worth sending. Never "unknown", never a message
        with a provider id: either may have been delivered."""
        return self.status == Status.FAILED and not self.provider_id and bool(self.payload) and not self.is_expired(now)
