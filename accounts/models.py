from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.validators import validate_e164


def normalize_email(email: str) -> str:
    """Emails are case-insensitive here: one spelling is kept, lower case, without surrounding spaces."""
    return (email or "").strip().lower()


class Language(models.TextChoices):
    """The languages a shopper's messages can be sent in (those Amazon Pinpoint's OTP messages offer)."""

    DE_DE = "de-DE", "Deutsch (Deutschland)"
    EN_GB = "en-GB", "English (United Kingdom)"
    EN_US = "en-US", "English (United States)"
    ES_419 = "es-419", "Español (Latinoamérica)"
    ES_ES = "es-ES", "Español (España)"
    FR_CA = "fr-CA", "Français (Canada)"
    FR_FR = "fr-FR", "Français (France)"
    IT_IT = "it-IT", "Italiano (Italia)"
    JA_JP = "ja-JP", "日本語"
    KO_KR = "ko-KR", "한국어"
    PT_BR = "pt-BR", "Português (Brasil)"
    ZH_CN = "zh-CN", "中文（简体）"
    ZH_TW = "zh-TW", "中文（繁體）"

    @classmethod
    def best_match(cls, accept_language: str) -> "Language":
        """The closest supported language to a browser's Accept-Language header; English (US) otherwise."""
        by_lower = {choice.value.lower(): cls(choice.value) for choice in cls}
        for tag, _quality in parse_accept_lang_header(accept_language or ""):
            tag = tag.lower()
            if tag in by_lower:
                return by_lower[tag]
            primary = tag.split("-")[0]
            for value, language in by_lower.items():
                if value.split("-")[0] == primary:
                    return language
        return cls.EN_US


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email=normalize_email(email))

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("Users need an email address.")
        # Accounts made by a person (an admin, the demo, a test) have a known email; sign-up proves it first.
        fields.setdefault("email_verified_at", timezone.now())
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.password_changed_at = timezone.now() if password else None
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A shopper, courier or admin. The email address is the login."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(
        _("mobile number"),
        max_length=16,
        blank=True,
        validators=[validate_e164],
        help_text=_("In international form (E.164), for example +447700900123."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.EN_US
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("Can sign in to the admin site."))
    is_courier = models.BooleanField(_("courier"), default=False, help_text=_("Can hand over deliveries."))
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("password last changed"), null=True, blank=True)
    # Set when the address is proved by a code; until then it receives nothing but that code.
    email_verified_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    # Part of the session auth hash: raising it ends every session ("Sign out everywhere").
    session_version = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_session_auth_hash(self) -> str:
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "deadbolt.accounts.session", f"{self.password}:{self.session_version}", algorithm="sha256"
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.email.split("@")[0]


class Address(models.Model):
    """A delivery address. One per user may be the default (checkout uses it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    full_name = models.CharField(_("full name"), max_length=150)
    line1 = models.CharField(_("address line 1"), max_length=150)
    line2 = models.CharField(_("address line 2"), max_length=150, blank=True)
    city = models.CharField(_("town or city"), max_length=80)
    postcode = models.CharField(_("postcode"), max_length=16)
    country = models.CharField(_("country"), max_length=2, default="GB", help_text=_("Two-letter code, e.g. GB"))
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-is_default", "-created_at")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_default=True), name="one_default_address")
        ]

    def __str__(self) -> str:
        return f"{self.line1}, {self.city}"


class PaymentCard(models.Model):
    """A card's display record only: never its number (checked with Luhn, then dropped) nor its security code."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="payment_cards")
    brand = models.CharField(_("brand"), max_length=20)
    last4 = models.CharField(_("last four digits"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"))
    exp_year = models.PositiveSmallIntegerField(_("expiry year"))
    name_on_card = models.CharField(_("name on card"), max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"
