from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from config.crypto import decrypt_text

# django-otp calls verify_token() and generate_challenge() on our devices (OTPAdminSite, the admin's sign-in). They
# run through the one code path (security.otp_adapter), which imports these models: SecurityConfig.ready() hands
# it in once every model is loaded, at start-up before any request.
otp_code_path = None


class AuthenticatorDevice(Device):
    """An authenticator app (TOTP, RFC 6238: SHA-1, 30 s, 6 digits). The secret is stored encrypted."""

    encrypted_secret = models.TextField(editable=False)
    last_step = models.BigIntegerField(default=-1, help_text=_("The last time step accepted; never accepted again."))
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("authenticator app")

    def secret(self) -> str:
        """The base32 secret (as typed into an app)."""
        return decrypt_text(self.encrypted_secret)

    def verify_token(self, token) -> bool:
        """django-otp's entry point (OTPAdminSite): through the same challenge path as every other code."""
        return otp_code_path.device_token_verify(device=self, token=str(token))


class PhoneDevice(Device):
    """A phone that receives codes by SMS or voice call."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        VOICE = "voice", _("Voice call")

    number = models.CharField(max_length=16)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phone")

    def generate_challenge(self):
        return otp_code_path.device_challenge_send(device=self)

    def verify_token(self, token) -> bool:
        return otp_code_path.device_token_verify(device=self, token=str(token))


class BackupCodeDevice(Device):
    """A user's set of one-time backup codes. Regenerating replaces the set."""

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("backup codes")

    def codes_left(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token) -> bool:
        return otp_code_path.device_token_verify(device=self, token=str(token))


class Passkey(Device):
    """A WebAuthn credential (a passkey): the phone's or laptop's screen lock proves it's the person. A django-otp
    device, so a passkey sign-in counts as 2SV (`django_otp.login`); it never takes a typed token."""

    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    aaguid = models.CharField(max_length=36, blank=True)
    backed_up = models.BooleanField(default=False, help_text=_("Synced to the person's other devices"))
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")

    def verify_token(self, token) -> bool:
        return False  # a passkey is proved by its ceremony, never by a typed code


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"backup code {self.pk} ({'used' if self.used_at else 'unused'})"


class Method(models.TextChoices):
    AUTHENTICATOR = "authenticator", _("Authenticator app")
    SMS = "sms", _("Text message")
    VOICE = "voice", _("Voice call")
    EMAIL = "email", _("Email")
    BACKUP_CODE = "backup_code", _("Backup code")


SIDE_CHANNELS = {Method.SMS, Method.VOICE, Method.EMAIL}


class Challenge(models.Model):
    """One request for a code: one user, one purpose, one method. Only its newest code works."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        PASSED = "passed", _("Passed")
        DEAD = "dead", _("Too many wrong tries")
        SUPERSEDED = "superseded", _("Replaced by a newer challenge")
        ABANDONED = "abandoned", _("Left unanswered until it expired")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenges")
    purpose = models.CharField(max_length=64)
    # The pending flow (one browser's sign-in, one reset request) it belongs to: flows never supersede each other.
    flow = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices)
    device_id = models.CharField(max_length=64, blank=True, help_text=_("django-otp persistent id"))
    destination = models.CharField(max_length=254, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    previous_code_hashes = models.JSONField(default=list, blank=True)
    sends = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    passed_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey("messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "state"], name="challenge_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} by {self.method} for user {self.user_id} ({self.state})"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def resend_wait(self, now=None) -> int:
        """Seconds until a new code may be sent; 0 when it may be sent now."""
        if self.last_sent_at is None:
            return 0
        ready = self.last_sent_at + timezone.timedelta(seconds=settings.SECURITY_CODE_RESEND_WAIT_SECONDS)
        return max(0, int((ready - (now or timezone.now())).total_seconds() + 0.999))

    def sends_left(self) -> int:
        return max(0, settings.SECURITY_CODE_SENDS_PER_CHALLENGE - self.sends)


class FailureStreak(models.Model):
    """Wrong codes in a row for one account, across all its challenges (never in the session)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.failures_in_a_row} wrong codes in a row for user {self.user_id}"


class SecurityEvent(models.Model):
    """What happened to an account. Append-only: rows are written once and never changed."""

    class Kind(models.TextChoices):
        SIGNIN = "signin", _("Signed in")
        CODE_SENT = "code_sent", _("Code sent")
        CODE_SEND_REFUSED = "code_send_refused", _("Code not sent")
        CODE_FAILED = "code_failed", _("Wrong code entered")
        CODE_PASSED = "code_passed", _("Code accepted")
        ACCOUNT_CODE_LOCK = "account_code_lock", _("Locked after too many wrong codes")
        STEP_UP = "step_up", _("Confirmed it's you")
        TWO_STEP_ON = "two_step_on", _("Two-step verification turned on")
        TWO_STEP_OFF = "two_step_off", _("Two-step verification turned off")
        METHOD_ADDED = "method_added", _("Verification method added")
        METHOD_REMOVED = "method_removed", _("Verification method removed")
        PRIMARY_CHANGED = "primary_changed", _("Primary method changed")
        BACKUP_CODES_CREATED = "backup_codes_created", _("New backup codes created")
        BACKUP_CODE_USED = "backup_code_used", _("Backup code used")
        SIGNIN_NEW_DEVICE = "signin_new_device", _("Signed in on a new device")
        SIGNIN_TRUSTED_DEVICE = "signin_trusted_device", _("Signed in on a trusted device")
        PASSWORD_FAILED = "password_failed", _("Wrong password entered")
        SIGNIN_CODE_ABANDONED = "signin_code_abandoned", _("Sign-in stopped at the code step")
        TRUSTED_COOKIE_FORGED = "trusted_cookie_forged", _("A forged trusted-device cookie was refused")
        DEVICE_TRUSTED = "device_trusted", _("Device trusted")
        DEVICES_REVOKED = "devices_revoked", _("Trusted devices removed")
        SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", _("Signed out everywhere")
        INTRUSION_REPORTED = "intrusion_reported", _('Reported "This wasn\'t me": all sessions ended')
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        EMAIL_CHANGED = "email_changed", _("Email address changed")
        ADDRESS_CHANGED = "address_changed", _("Addresses changed")
        CARD_ADDED = "card_added", _("Payment card added")
        CARD_REMOVED = "card_removed", _("Payment card removed")
        PHONE_CHANGED = "phone_changed", _("Mobile number changed")
        RECOVERY_REQUESTED = "recovery_requested", _("Account recovery requested")
        RECOVERY_CANCELLED = "recovery_cancelled", _("Account recovery cancelled")
        RECOVERY_COMPLETED = "recovery_completed", _("Account recovered: two-step verification reset")
        SIGNUP_EMAIL_PROVED = "signup_email_proved", _("Email address confirmed")
        COUNTERS_CLEARED = "counters_cleared", _("Code and password limits cleared")
        PASSKEY_ADDED = "passkey_added", _("Passkey added")
        PASSKEY_REMOVED = "passkey_removed", _("Passkey removed")
        PASSKEY_CLONE_SUSPECTED = "passkey_clone_suspected", _("A passkey that may have been copied was refused")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["user", "-created_at"], name="event_user_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Security events are append-only.")
        super().save(*args, **kwargs)


class TrustedDevice(models.Model):
    """A browser where the person chose "Don't require codes on this device". The cookie holds a random token;
    only its keyed hash is kept here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_devices")
    token_hash = models.CharField(max_length=64, db_index=True, help_text=_("keyed hash of the browser's token"))
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    last_ip = models.GenericIPAddressField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The session the device was trusted in: removing the device from another browser ends it.
    session_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ("-last_used_at",)

    def __str__(self) -> str:
        return f"{self.name} for user {self.user_id}"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class RecognisedBrowser(models.Model):
    """A browser an account has signed in on (its code step passed): without 2SV, it skips the new-browser code.
    Forgotten by "Sign out everywhere", a new password and "This wasn't me"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64)
    name = models.CharField(max_length=120)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    forgotten_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["token_hash", "user"], name="recognised_browser_idx")]

    def __str__(self) -> str:
        return f"{self.name} for user {self.user_id}"


class RecoveryRequest(models.Model):
    """ "I can't use any of these methods": 2SV is reset only after a waiting period in which every contact on
    file is told and anyone signed in (or the alert's link) can cancel it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_requests")
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"recovery for user {self.user_id} ({self.created_at:%Y-%m-%d})"

    def is_open(self) -> bool:
        return self.cancelled_at is None and self.completed_at is None

    def is_ready(self, now=None) -> bool:
        return self.is_open() and (now or timezone.now()) >= self.ready_at


class PasswordResetRequest(models.Model):
    """One request for a code by someone who gave only an email: "forgot my password", or "email me a sign-in
    code" (`purpose`). Written for every request, account or not, so the web side does the same work either way;
    a worker sends the code when there is an account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    challenge = models.ForeignKey(Challenge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Wrong codes typed for this request, account or not: the answers are counted here, the same way for both.
    failures = models.PositiveSmallIntegerField(default=0)
    purpose = models.CharField(max_length=32, default="password_reset")
    by_text = models.BooleanField(default=False, help_text=_("Text the code to the account's mobile number"))

    def __str__(self) -> str:
        return f"password reset {self.pk}"

    @property
    def flow(self) -> str:
        return f"reset-{self.pk}"
