"""Deadbolt settings. Everything that differs between machines comes from the environment (README)."""

import secrets
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_redis_url, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DEADBOLT_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SHOP_NAME = env_str("SHOP_NAME", "Deadbolt")
SHOP_CURRENCY_SYMBOL = env_str("SHOP_CURRENCY_SYMBOL", "£")


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        if not DEBUG and (len(key) < 50 or len(set(key)) < 5):
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DEBUG is off.")
    # The embedded default keeps one generated key, so demo sessions survive a restart.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address of the site: links in messages, the origin-bound code line, Twilio's signed callbacks.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}")
SITE_DOMAIN = urlsplit(SITE_URL).hostname

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_otp",
    "config",
    "config.health",
    "accounts",
    "security",
    "messaging",
    "orders",
    "delivery",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.SigninAdmissionMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.shop",
                "orders.context_processors.basket",
            ],
            "builtins": ["django.templatetags.i18n", "django.templatetags.static", "config.ui_tags"],
        },
    },
]

# Data: PostgreSQL when DATABASE_URL is set, otherwise the embedded SQLite file.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis holds the cache (throttles, rate limits: shared by every web process) and the Celery broker.
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "deadbolt",
            # A Redis outage must cost a request milliseconds, not hang it.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts and passwords.
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "/"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "deadbolt-demo")

# Sessions: long for shopping (two weeks); sensitive actions ask for a fresh code instead.
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Always in the database: a Redis outage must not sign everyone out (Redis holds nothing a person needs).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Language and time. Strings are marked for translation; English is the only catalogue so far.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# HTTPS and headers. Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Email. The embedded default writes each message as a file under var/outbox/.
OUTBOX_DIR = VAR_DIR / "outbox"
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "messaging.backends.email.OutboxFileEmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SHOP_NAME} <no-reply@deadbolt.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Twilio: all three or none. Without them, SMS and voice go to the console and var/outbox/.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
_twilio = [TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER]
if any(_twilio) and not all(_twilio):
    raise ImproperlyConfigured("Set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER, or none.")
if TWILIO_ACCOUNT_SID and not (TWILIO_ACCOUNT_SID.startswith("AC") and len(TWILIO_ACCOUNT_SID) == 34):
    raise ImproperlyConfigured("TWILIO_ACCOUNT_SID must be the 34-character SID that starts with AC.")
if TWILIO_FROM_NUMBER and not (TWILIO_FROM_NUMBER.startswith("+") and TWILIO_FROM_NUMBER[1:].isdigit()):
    raise ImproperlyConfigured("TWILIO_FROM_NUMBER must be an E.164 number such as +15005550006.")
TWILIO_API_BASE_URL = env_url("TWILIO_API_BASE_URL", "")  # only to point the client at a stand-in in tests
TWILIO_TIMEOUT_SECONDS = env_int("TWILIO_TIMEOUT_SECONDS", 5, minimum=1)

# Messages: SMS and voice go through MESSAGING_BACKEND (Twilio when configured; files and the console on the
# embedded default; without either in production, nothing is sent and `check --deploy` says so).
MESSAGING_BACKEND = env_str(
    "MESSAGING_BACKEND",
    "messaging.backends.twilio.TwilioBackend"
    if TWILIO_ACCOUNT_SID
    else "messaging.backends.file.FileBackend"
    if DEBUG
    else "messaging.backends.base.UnconfiguredBackend",
)
# Country calling codes that SMS and voice may reach; everything else is refused before it costs anything.
MESSAGING_ALLOWED_COUNTRY_CODES = env_list(
    "MESSAGING_ALLOWED_COUNTRY_CODES",
    ["1", "33", "34", "39", "44", "49", "52", "55", "81", "82", "86", "886"],
)
MESSAGING_RETRY_BASE_SECONDS = 2
MESSAGING_RETRY_MAX_SECONDS = 300
MESSAGING_MAX_ATTEMPTS = 8
MESSAGING_SWEEP_GRACE_SECONDS = 30  # a queued message this overdue lost its task (or the broker was down)
MESSAGING_SWEEP_BATCH = 500
MESSAGING_SENDING_STALE_SECONDS = 120  # "sending" this long: the worker died mid-send; mark it unknown

# Codes and two-step verification (docs/DESIGN.md, "Numbers").
SECURITY_CODE_DIGITS = 6
SECURITY_CODE_LIFETIME_SECONDS = 10 * 60
SECURITY_CODE_TRIES_PER_CHALLENGE = 5
SECURITY_CODE_SENDS_PER_CHALLENGE = 5
SECURITY_CODE_RESEND_WAIT_SECONDS = 30
SECURITY_BACKOFF_AFTER_FAILURES = 3  # wrong codes in a row, across challenges, before waits begin
SECURITY_BACKOFF_MAX_SECONDS = 3600
SECURITY_ACCOUNT_LOCK_AFTER_FAILURES = 100  # then only recovery unlocks codes
SECURITY_BACKUP_CODE_COUNT = 10
SECURITY_STEP_UP_SECONDS = 10 * 60
SECURITY_SIGNIN_PENDING_SECONDS = 10 * 60  # a half-done sign-in dies after this
SECURITY_TRUSTED_DEVICE_DAYS = 30
SECURITY_RECOVERY_WAIT_SECONDS = 24 * 3600  # between asking to recover and 2SV being reset
SECURITY_RECOGNISED_DEVICE_DAYS = 365
SECURITY_PASSWORD_BACKOFF_AFTER = 5  # wrong passwords (per account, per IP) before waits begin
SECURITY_PASSWORD_BACKOFF_MAX_SECONDS = 15 * 60  # a stranger can slow an owner down, never lock them out
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Trust X-Forwarded-For's last entry as the client address only behind our own proxy.
BEHIND_PROXY = env_bool("BEHIND_PROXY", not DEBUG)

# The delivery-code rule (orders/rules.py): an order needs a code at the door when any of these holds.
ORDERS_CODE_MIN_TOTAL = Decimal(env_str("ORDERS_CODE_MIN_TOTAL", "250.00"))
ORDERS_CODE_CATEGORIES = env_list("ORDERS_CODE_CATEGORIES", ["electronics", "jewellery"])  # category slugs
ORDERS_CODE_AREAS = env_list("ORDERS_CODE_AREAS", ["E1", "E2", "N17", "M8"])  # postcode districts (outward codes)
# Called with order= inside the transaction that places an order (delivery opens its shipment there).
ORDERS_PLACED_HOOKS = ["delivery.shipments.shipment_open"]
ORDERS_CART_MAX_QUANTITY = 10
DELIVERY_TIME_ZONE = env_str("DELIVERY_TIME_ZONE", TIME_ZONE)  # a delivery day ends at midnight here
DELIVERY_CODE_DIGITS = 6
DELIVERY_CODE_TRIES = 5  # wrong codes for one attempt before the code locks
DELIVERY_COURIER_PAGE_SIZE = 50

# Named limits: (window in seconds, most events in it). Counted in the shared cache (config/ratelimit.py).
RATE_LIMITS = {
    "message_per_destination": [(15 * 60, 5), (24 * 3600, 20)],
    "message_per_ip": [(3600, 20), (24 * 3600, 60)],
    "password_maybe_known_alert": [(3600, 1)],
    "password_reset_per_email": [(3600, 5), (24 * 3600, 10)],
    "password_reset_per_ip": [(3600, 20)],
    "contact_change_sends": [(3600, 8), (24 * 3600, 20)],  # codes to new addresses/numbers, per account
    "delivery_code_renew": [(3600, 3), (24 * 3600, 5)],  # new delivery codes a shopper asks for, per shipment
    "handoff_wrong_code_per_courier": [(3600, 10), (24 * 3600, 25)],  # across all of a courier's shipments
}

# Celery: Redis in production; eager (in the web process) on the embedded default.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
# A web request must not wait on a Redis outage: no publish retries (the outbox sweeper republishes whatever
# did not go), and short socket timeouts for a Redis that does not answer at all.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2, "max_retries": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # redelivered; the outbox row makes a second run a no-op
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "messaging.tasks.sweep_outbox", "schedule": 30.0},
    "sweep-abandoned-signins": {"task": "security.tasks.sweep_abandoned_signins", "schedule": 60.0},
    "worker-heartbeat": {
        "task": "config.tasks.worker_heartbeat",
        "schedule": 30.0,
        "options": {"queue": "maintenance", "expires": 30.0},
    },
}

# The web tier under failure and overload (config/middleware.py, config/health/, config/gunicorn.py).
WEB_DATABASE_RETRY_AFTER_SECONDS = 30  # Retry-After of the 503 page while PostgreSQL is unreachable
# Password checks (Argon2, ~100 ms of CPU) at once per web process, how many may wait for a turn and for how
# long; every other sign-in POST is answered 503 at once, before it queues past the person's patience.
SIGNIN_ADMISSION_CONCURRENCY = env_int("SIGNIN_ADMISSION_CONCURRENCY", 2, minimum=1)
SIGNIN_ADMISSION_QUEUE = env_int("SIGNIN_ADMISSION_QUEUE", 4)
SIGNIN_ADMISSION_WAIT_SECONDS = 1.0
SIGNIN_ADMISSION_RETRY_AFTER_SECONDS = 5
SIGNIN_ADMISSION_URL_NAMES = ["accounts:signin", "admin:login"]
HEALTH_CHECK_TIMEOUT_SECONDS = 1.0
HEALTH_WORKER_STALE_SECONDS = 90  # three missed heartbeats

# Error reports: Sentry when SENTRY_DSN is set, without local variables, request bodies or personal data.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
