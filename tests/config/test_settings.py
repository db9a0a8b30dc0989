"""Settings come from the environment, fail loudly on a bad value, and are production-safe with DEBUG off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

import config.settings as production_settings
from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "prod-like-key-0a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TWILIO_"))}
    base.pop("DEBUG", None)
    base.pop("ALLOWED_HOSTS", None)
    base.pop("SECURE_SSL_REDIRECT", None)
    base.pop("DATABASE_URL", None)
    base.pop("REDIS_URL", None)
    base.pop("CELERY_BROKER_URL", None)
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://deadbolt@127.0.0.1:5432/deadbolt",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-token",
    "TWILIO_FROM_NUMBER": "+15005550006",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DEADBOLT_VAR_DIR=str(tmp_path), **PRODUCTION_ENV
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_codes_could_not_reach_anyone(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("TWILIO_")}

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEADBOLT_VAR_DIR=str(tmp_path), **env)

    assert result.returncode != 0
    assert "messaging.W001" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is required when DEBUG is off"),
        ({"DJANGO_SECRET_KEY": "short"}, "at least 50 random characters"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is required"),
        ({"DATABASE_URL": "mysql://x@localhost/db"}, "must be a postgres:// or sqlite:// URL"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL must look like redis://"),
        ({"REDIS_URL": "redis://localhost:port/0"}, "port that is not a number"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS='a year' is not a whole number"),
        ({"TWILIO_ACCOUNT_SID": "AC" + "0" * 32}, "Set all of TWILIO_ACCOUNT_SID"),
        (
            {"TWILIO_ACCOUNT_SID": "XX1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM_NUMBER": "+15005550006"},
            "34-character SID",
        ),
        (
            {
                "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
                "TWILIO_AUTH_TOKEN": "t",
                "TWILIO_FROM_NUMBER": "5550006",
            },
            "E.164",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(tmp_path, env, message):
    full = {
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "shop.example.com",
        "DEADBOLT_VAR_DIR": str(tmp_path),
    }
    full.update(env)

    result = run_manage("check", **full)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_the_embedded_default_needs_nothing_but_debug(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; from config.celery import app;"
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], app.conf.task_always_eager,"
        " s.EMAIL_BACKEND, s.SESSION_COOKIE_SECURE)",
        DEBUG="true",
        DEADBOLT_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
        "messaging.backends.email.OutboxFileEmailBackend",
        "False",
    ]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # the generated key is private


def test_passwords_are_hashed_with_argon2_in_production():
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_suite_runs_on_the_database_and_cache_the_environment_names():
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert engine == "tests.postgresql"  # Django's backend with a faster flush (tests/postgresql/base.py)
        assert connection.vendor == "postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
        # The broker is another Redis database than the cache's (CELERY_BROKER_URL, or REDIS_URL's plus one).
        assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL != os.environ["REDIS_URL"]
        assert production_settings.CELERY_TASK_ALWAYS_EAGER is False
        cache.set("probe", "shared", 5)
        assert cache.get("probe") == "shared"  # a real round trip to Redis


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client):
    response = client.get("/", secure=True)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_behind_the_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    plain = client.get("/account/signin/", headers={"x-forwarded-proto": "http"})
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://testserver/account/signin/"

    proxied = client.get("/account/signin/", headers={"x-forwarded-proto": "https"})
    assert proxied.status_code == 200


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_http_only(client, shopper, password):
    client.get("/account/signin/", secure=True)
    response = client.post("/account/signin/", {"email": shopper.email, "password": password}, secure=True)

    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


def test_migrations_match_the_models(tmp_path):
    result = run_manage("makemigrations", "--check", "--dry-run", DEBUG="true", DEADBOLT_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
