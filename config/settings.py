"""Deadbolt settings. Everything that differs between machines comes from the environment (README)."""

import secrets
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_redis_url, env_str, env_url
from config.languages import DJANGO_CHINESE_LOCALE_DIR, django_languages

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
# make run exports SITE_URL for its port; the default is the address it serves when PORT is unset.
SITE_URL = env_url("SITE_URL", "http://localhost:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}")
SITE_DOMAIN = urlsplit(SITE_URL).hostname
# Shown on /contact/; the phone default is in Ofcom's range kept for drama, so it rings nobody.
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "help@deadbolt.example")
SUPPORT_PHONE = env_str("SUPPORT_PHONE", "+44 20 7946 0000")

INSTALLED_APPS = [
    "security.apps.DeadboltAdminConfig",  # Django admin, as security.admin_site.DeadboltAdminSite
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
    "otpapi",
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
    "accounts.language.LanguageMiddleware",  # after authentication: a signed-in account's language wins
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
                "accounts.language.language_context",
                "orders.context_processors.basket",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "config.ui_tags",
                "orders.ui_tags",
                "delivery.ui_tags",
                "security.ui_tags",
            ],
        },
    },
]
FORM_RENDERER = "config.forms.FormRenderer"  # Django's, with <input> written without a template round-trip

# Data: PostgreSQL when DATABASE_URL is set, otherwise the embedded SQLite file.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis holds the cache (throttles, rate limits: shared by every web process); the Celery broker lives in another
# database of it (CELERY_BROKER_URL below), so the cache's eviction and clear() never drop a queued task.
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
# Django's rules, with messages in the site's voice (accounts/validators.py).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "accounts.validators.NumericPasswordValidator"},
]
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "deadbolt-demo")

# Sessions: long for shopping (two weeks); sensitive actions ask for a fresh code instead.
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Always in the database: a Redis outage must not sign everyone out (Redis holds nothing a person needs).
SESSION_ENGINE = "config.sessions"  # Django's database store, with fewer round trips
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Language and time: the 13 Pinpoint locales (config/languages.py). The source strings are American English, so
# en-us is what a browser that asks for none of the 13 gets. A person's choice lives in the language cookie.
LANGUAGE_CODE = "en-us"
LANGUAGES = django_languages()
# Ours first (it wins), then Django's Chinese catalogues under our zh_CN/zh_TW names (built by compilemessages).
LOCALE_PATHS = [BASE_DIR / "locale", DJANGO_CHINESE_LOCALE_DIR]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
FORMAT_MODULE_PATH = ["config.formats"]  # Chinese dates and numbers (Django names them zh_Hans, zh_Hant)
# The country a phone number is read in when the shopper has chosen none and nothing better is known (the
# picker guesses from their last choice, their numbers, the request's country and their language first).
PHONENUMBER_DEFAULT_REGION = env_str("PHONENUMBER_DEFAULT_REGION", "GB")
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Uploaded files (proof-of-delivery photos) go through the storage API: local files under var/media by default,
# any django-storages backend in production (MEDIA_STORAGE_BACKEND, options in its own settings). Never served
# by URL: a view checks who is asking and streams the file.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": env_str("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
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
# Connect and read timeout of one API call. A read timeout leaves the send "unknown" (it may have gone out, so it is
# never resent): long enough for Twilio's slow answers (5 s and more in an incident), docs/DECISIONS.md.
TWILIO_TIMEOUT_SECONDS = env_int("TWILIO_TIMEOUT_SECONDS", 15, minimum=1)

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
# Kinds sent through the "codes" queue, whose workers no bulk message can hold up; every other kind is "bulk".
MESSAGING_CODE_KINDS = ["code", "delivery_code", "pinpoint_otp"]
# A database error in a worker (PostgreSQL restarting): the task is retried in about 0.5, 1, 2 ... s, at most this.
MESSAGING_DATABASE_RETRY_MAX_SECONDS = 5
# Once the provider has answered, the worker keeps trying to record the answer for this long before giving up.
MESSAGING_DATABASE_PATIENCE_SECONDS = 300
MESSAGING_RECONCILE_AFTER_SECONDS = 60  # "unknown" this long with a provider id: the sweeper asks the provider
MESSAGING_RECONCILE_BATCH = 20  # provider look-ups per sweep
# Sends in flight at once per worker process (they wait on the network, not the CPU), and at most how many due
# messages of its queue a drain claims and sends together: the Procfile's 8 codes threads fill 8 x 16 places
# (docs/DECISIONS.md, issue 20).
MESSAGING_SEND_CONCURRENCY = env_int("MESSAGING_SEND_CONCURRENCY", 128, minimum=1)
MESSAGING_SEND_BATCH = env_int("MESSAGING_SEND_BATCH", 16, minimum=1)
# A commit rings its queue's bell to wake a worker; a bell whose task was lost (a broker restart) lets the next
# commit ring again after this long (the sweeper republishes what waited).
MESSAGING_BELL_SECONDS = 10

# Passkeys (WebAuthn). The relying party id is the site's host name, and WebAuthn refuses IP addresses: the
# embedded default serves passkeys on http://localhost:<port> (make run names its port in WEBAUTHN_ORIGINS).
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", "localhost" if DEBUG else SITE_DOMAIN)
WEBAUTHN_RP_NAME = SHOP_NAME
WEBAUTHN_ORIGINS = env_list("WEBAUTHN_ORIGINS", ["http://localhost:8000"] if DEBUG else [SITE_URL.rstrip("/")])

# Codes and two-step verification (docs/DESIGN.md, "Numbers").
SECURITY_CODE_DIGITS = 6
SECURITY_CODE_LIFETIME_SECONDS = 10 * 60
SECURITY_CODE_TRIES_PER_CHALLENGE = 5
SECURITY_CODE_SENDS_PER_CHALLENGE = 5
SECURITY_CODE_RESEND_WAIT_SECONDS = 30
SECURITY_BACKOFF_AFTER_FAILURES = 3  # wrong codes in a row, across challenges, before waits begin
SECURITY_BACKOFF_MAX_SECONDS = 3600
# Wrong codes in a row from sessions that proved the password (NIST SP 800-63B: at most 100). At the ceiling
# codes stop working on new browsers; a trusted browser, or a password reset (email plus 2SV), still gets in.
SECURITY_ACCOUNT_LOCK_AFTER_FAILURES = 100
SECURITY_BACKUP_CODE_COUNT = 10
SECURITY_BACKUP_CODES_DOWNLOAD_SECONDS = 60  # the page that shows new codes offers their file once, this long
SECURITY_STEP_UP_SECONDS = 10 * 60
SECURITY_SIGNIN_PENDING_SECONDS = 10 * 60  # a half-done sign-in (or reset, or code step) dies after this
SECURITY_SETUP_PENDING_SECONDS = 30 * 60  # a half-done 2SV enrolment dies after this
SECURITY_TRUSTED_DEVICE_DAYS = 30
SECURITY_RECOVERY_WAIT_SECONDS = 24 * 3600  # between asking to recover and 2SV being reset
SECURITY_RECOGNISED_DEVICE_DAYS = 365  # server-side: "Sign out everywhere" and a new password forget them
SECURITY_NOT_ME_SECONDS = 24 * 3600  # a "This wasn't me" link works once, within this time
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# How many proxies of ours stand in front of the web processes, each appending to X-Forwarded-For. 0 (the
# default): trust no header and use the connection's address. 1: one load balancer; its entry is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

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
DELIVERY_RESCHEDULE_DAYS = 7  # how many delivery days ahead (from tomorrow) a shopper may choose
DELIVERY_WINDOW_DEFAULT = ("08:00", "20:00")  # the window shoppers are told when the admin set none
DELIVERY_PROOF_MAX_BYTES = 10 * 1024 * 1024  # a proof-of-delivery photo from a phone camera; larger uploads are refused

# Named limits: (window in seconds, most events in it). Checked and counted atomically (config/ratelimit.py).
RATE_LIMITS = {
    # Codes (SMS, voice and email) to one phone or address, in two budgets that cannot use each other up. Asked for
    # by a signed-in or password-proved session: 5 in 10 minutes (Twilio Verify's figure), 20 a day.
    "code_per_destination": [(10 * 60, 5), (24 * 3600, 20)],
    # What a stranger can trigger with only an email (password reset, sign-up, "This wasn't me"): 2 more, so a
    # flood of them never uses up the owner's sign-in codes, nor sign-ins by someone with the password a reset.
    "stranger_code_per_destination": [(10 * 60, 2), (24 * 3600, 6)],
    "code_per_account": [(3600, 15)],  # codes asked for by one account's signed-in or password-proved sessions
    "code_per_ip": [(3600, 20), (24 * 3600, 60)],
    "delivery_message_per_destination": [(3600, 10), (24 * 3600, 30)],  # delivery codes have their own budget
    "password_maybe_known_alert": [(3600, 1)],
    "password_reset_per_email": [(3600, 5), (24 * 3600, 10)],
    "password_reset_per_ip": [(3600, 20)],
    "reset_code_failures_per_ip": [(3600, 30)],  # wrong reset and "This wasn't me" codes from one network
    "new_destination_codes_per_account": [(3600, 8), (24 * 3600, 20)],  # codes to new numbers and addresses
    "delivery_code_renew": [(3600, 3), (24 * 3600, 5)],  # new delivery codes a shopper asks for, per shipment
    "handoff_wrong_code_per_courier": [(3600, 10), (24 * 3600, 25)],  # across all of a courier's shipments
    # The OTP API (otpapi), per access key: sends also draw on the per-destination stranger caps above.
    "otp_api_send_per_key": [(60, 300), (3600, 5000)],
    "otp_api_verify_per_key": [(60, 3000)],
}
# Exponential back-off: after `after` attempts in a row, waits of 1 s, 2 s, 4 s ... at most `max_seconds`;
# forgotten `forget_after` seconds after the last one. Keyed by the email as typed and by the network.
BACKOFF_LIMITS = {
    "password": {"after": 5, "max_seconds": 15 * 60, "forget_after": 24 * 3600},
}


def _next_redis_database(url: str) -> str:
    """redis://h:6379/0 -> redis://h:6379/1: the broker's default, on the cache's server."""
    if not url:
        return ""
    parts = urlsplit(url)
    number = parts.path.strip("/") or "0"
    if "db=" in parts.query or not number.isdigit() or int(number) >= 15:
        raise ImproperlyConfigured(f"REDIS_URL {url!r} leaves no next database for the broker; set CELERY_BROKER_URL.")
    return urlunsplit(parts._replace(path=f"/{int(number) + 1}"))


# Celery: Redis in production, in its own database (default: REDIS_URL's plus one); eager (in the web process) on
# the embedded default.
CELERY_BROKER_URL = env_redis_url("CELERY_BROKER_URL") or _next_redis_database(REDIS_URL) or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
# A web request must not wait on a Redis outage: no publish retries (the outbox sweeper republishes whatever
# did not go), and short socket timeouts for a Redis that does not answer at all.
# visibility_timeout: an unacknowledged task (a worker died, or a retry waiting for its countdown) goes back to the
# queue after this long; it must outlast the longest retry countdown, or waiting retries would be handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 2,
    "max_retries": 0,
    "visibility_timeout": 2 * MESSAGING_RETRY_MAX_SECONDS + 300,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # redelivered; the outbox row makes a second run a no-op
# Codes never wait behind bulk messages, nor either behind the sweepers: a worker process (Procfile) per queue.
# Messages are routed by kind when published (messaging.sending.message_publish, MESSAGING_CODE_KINDS).
CELERY_TASK_QUEUES = {"codes": {}, "bulk": {}, "maintenance": {}}
CELERY_TASK_DEFAULT_QUEUE = "bulk"
CELERY_TASK_ROUTES = {
    "messaging.tasks.sweep_outbox": {"queue": "maintenance"},
    "security.tasks.sweep_abandoned_signins": {"queue": "maintenance"},
    "security.tasks.send_password_reset_code": {"queue": "codes"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {"task": "messaging.tasks.sweep_outbox", "schedule": 30.0},
    "sweep-abandoned-signins": {"task": "security.tasks.sweep_abandoned_signins", "schedule": 60.0},
    "worker-heartbeat": {
        "task": "config.tasks.worker_heartbeat",
        "schedule": 30.0,
        "options": {"queue": "maintenance", "expires": 30.0},
    },
}

# The OTP API: Amazon Pinpoint's SendOTPMessage and VerifyOTPMessage (otpapi/), served under this path.
PINPOINT_API_PREFIX = ("/" + env_str("PINPOINT_API_PREFIX", "/pinpoint").strip("/")).rstrip("/")  # "" for the root
PINPOINT_API_MAX_BODY_BYTES = 16 * 1024  # a send's parameters are well under 1 KB
PINPOINT_API_DATE_WINDOW_SECONDS = 15 * 60  # AWS's: a signed request's X-Amz-Date within 15 minutes of ours

# The web tier under failure and overload (config/middleware.py, config/health/, config/gunicorn.py).
WEB_DATABASE_RETRY_AFTER_SECONDS = 30  # Retry-After of the 503 page while PostgreSQL is unreachable
# Password checks (Argon2, ~100 ms of CPU on every core) at once per web process, how many may wait for a turn
# and for how long; every other sign-in POST is answered 503 at once, before it queues past the person's patience.
# One at a time per process (a process per core) and one waiting kept every admitted sign-in under 2 s at twice
# the capacity in `make bench-overload`; more of either only made every sign-in slower.
SIGNIN_ADMISSION_CONCURRENCY = env_int("SIGNIN_ADMISSION_CONCURRENCY", 1, minimum=1)
SIGNIN_ADMISSION_QUEUE = env_int("SIGNIN_ADMISSION_QUEUE", 1)
SIGNIN_ADMISSION_WAIT_SECONDS = env_int("SIGNIN_ADMISSION_WAIT_MS", 500) / 1000
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
