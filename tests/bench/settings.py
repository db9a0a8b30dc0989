"""Production settings for benchmarks (Argon2, sessions in the database), over plain HTTP."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from config.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False  # the benchmark's client speaks plain HTTP on loopback
MESSAGING_BACKEND = "messaging.backends.locmem.LocmemBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ROOT_URLCONF = "tests.bench.urls"  # the site plus /bench/bare/, the floor of a request
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
