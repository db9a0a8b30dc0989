"""Read settings from the environment, failing loudly on a value that cannot be right."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below its minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_redis_url(name: str) -> str:
    """A redis:// or rediss:// URL, or "" when unset."""
    raw = env_str(name)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must look like redis://host:6379/0, not {raw!r}.")
    try:
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number: {raw!r}.") from None
    return raw


def env_database(name: str, default: str) -> dict:
    """DATABASE_URL parsed by dj-database-url; PostgreSQL and SQLite are the engines we run on."""
    import dj_database_url

    raw = env_str(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # dj-database-url raises several types for a bad URL
        raise ImproperlyConfigured(f"{name} could not be read: {error}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(f"{name} must be a postgres:// or sqlite:// URL, not {raw!r}.")
    if engine == "django.db.backends.postgresql" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database: {raw!r}.")
    if engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
    return config


def env_url(name: str, default: str) -> str:
    """An http(s) URL, without a trailing slash."""
    raw = env_str(name) or default
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// URL, not {raw!r}.")
    return raw.rstrip("/")
