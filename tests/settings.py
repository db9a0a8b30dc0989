"""Settings for the test suite: production settings (DEBUG off) with a test key and fast hashing.

PostgreSQL when DATABASE_URL is set, SQLite otherwise; Redis cache and broker when REDIS_URL is set.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-9f8e7d6c5b4a3928171605f4e3d2c1b0a9f8e7d6c5b4a39281716")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # the test client and live server speak plain HTTP
os.environ.setdefault("DEADBOLT_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from config.settings import *  # noqa: F403
from config.settings import CACHES, DATABASES, STATIC_ROOT, VAR_DIR

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder otherwise

# PostgreSQL through Django's backend with a faster flush between transactional tests (tests/postgresql/base.py),
# and commits that do not wait for the disk: a test database need not survive a crash of the server, and a commit
# in a browser or live-server test costs 0.3 ms instead of 5. Still PostgreSQL's own locking and visibility.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "tests.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"

# Argon2 is the production hasher (asserted in tests/config); the suite hashes with a fast, counting one.
PASSWORD_HASHERS = ["tests.hashers.CountingMD5PasswordHasher"]

# No manifest: the suite does not run collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# One test run's keys never meet another's in a shared Redis.
CACHES["default"]["KEY_PREFIX"] = f"deadbolt-test-{os.getpid()}"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker subprocess started by tests/messaging/test_worker.py names the Twilio backend in its environment.
MESSAGING_BACKEND = os.environ.get("MESSAGING_BACKEND", "messaging.backends.locmem.LocmemBackend")
MESSAGING_RETRY_BASE_SECONDS = 0.2  # retries within a test's patience
SITE_URL = "https://shop.example.com"
SITE_DOMAIN = "shop.example.com"
ARTIFACTS_DIR = VAR_DIR / "artifacts"
WEBAUTHN_RP_ID = "localhost"  # browser tests override the origin with their live server's port
WEBAUTHN_ORIGINS = ["http://localhost:8000"]
