"""Links in messages go to SITE_URL, whatever host and port serve the site; `make run` names its own port."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from messaging.models import Channel
from messaging.rendering import PARTS, render
from security.alerts import ALERT_FOR_KIND

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = ROOT / "templates" / "messages"
SITE = "http://shop.test:8123"
URL = re.compile(r"\b(?:https?://|www\.)[^\s\"'<>)]+", re.IGNORECASE)
ELSEWHERE = ("127.0.0.1", "localhost", ":8000", "example.com")


def kinds() -> list[str]:
    return sorted(p.name for p in MESSAGES.iterdir() if p.is_dir())


def channels_of(kind: str) -> list[str]:
    return [c for c, parts in PARTS.items() if all((MESSAGES / kind / part).is_file() for part in parts)]


def contexts_of(kind: str) -> list[dict]:
    """Every branch a kind's templates take: each event, by the person or by support, with 2SV on or off."""
    base = {
        "name": "Jo",
        "when": "2026-12-01 10:00 UTC",
        "code": "123456",
        "minutes": 10,
        "purpose": "signin",
        "brand_name": "Deadbolt",
        "not_me_path": "/account/not-me/TOKEN/",
        "cancel_path": "/account/recovery/cancel/TOKEN/",
        "order_path": "/orders/42/",
        "delivery_day": "Tuesday 1 December",
        "reason": "Nobody was home",
        "new_contact": "•••• 4321",
        "device": "Firefox on Windows",
        "ip": "81.2.69.160",
        "place": "United Kingdom",
    }
    events_dir = MESSAGES / kind / "events"
    events = sorted(p.stem for p in events_dir.glob("*.txt")) if events_dir.is_dir() else [""]
    if kind == "security_alert":
        assert set(filter(None, ALERT_FOR_KIND.values())) <= set(events)
    return [
        {**base, "event": event, "by_admin": by_admin, "two_step_on": two_step_on, "can_unlock": two_step_on}
        for event in events
        for by_admin in (False, True)
        for two_step_on in (False, True)
    ]


def rendered(kind: str) -> list[tuple[str, str, str]]:
    out = []
    for channel in channels_of(kind):
        for context in contexts_of(kind):
            message = render(kind=kind, channel=channel, language="en-GB", context=context)
            for part in (message.subject, message.text, message.html):
                out.append((channel, context["event"], part))
    return out


@pytest.mark.parametrize("kind", kinds())
@override_settings(SITE_URL=SITE, SITE_DOMAIN="shop.test")
def test_every_link_in_every_message_goes_to_site_url(kind):
    for channel, event, text in rendered(kind):
        for link in URL.findall(text):
            assert link == SITE or link.startswith(SITE + "/"), (kind, channel, event, link)
        for host in ELSEWHERE:
            assert host not in text, (kind, channel, event, host)


@override_settings(SITE_URL=SITE, SITE_DOMAIN="shop.test")
def test_the_messages_that_carry_links_carry_them_to_site_url():
    for kind in ("security_alert", "code", "delivery_code", "delivery_update"):
        emails = [text for channel, _event, text in rendered(kind) if channel == Channel.EMAIL and text]
        bodies = [text for text in emails if "Jo" in text or "123456" in text or "/orders/42/" in text]
        assert bodies and any(SITE in text for text in bodies), kind
    alerts = [t for c, _e, t in rendered("security_alert") if c == Channel.EMAIL and "wasn't me" in t.lower()]
    assert alerts and all(f"{SITE}/account/not-me/TOKEN/" in t for t in alerts)
    assert all(f"{SITE}/contact/" in t for t in alerts)


def test_the_embedded_default_links_to_the_address_make_run_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_", "WEBAUTHN_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true", DEADBOLT_VAR_DIR=str(tmp_path))
    code = "from django.conf import settings; print(settings.SITE_URL)"

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip().splitlines()[-1] == "http://localhost:8000", result.stderr


def test_make_run_on_another_port_puts_that_port_in_message_links(tmp_path):
    """`make run PORT=8123` with a stand-in for Python: the server it would start renders an alert's links."""
    alert = (
        "from messaging.rendering import render; "
        "m = render(kind='security_alert', channel='email', language='en-GB', context={'event': 'new_signin', "
        "'name': 'Jo', 'when': 'now', 'not_me_path': '/account/not-me/T/'}); print(m.text)"
    )
    stand_in = tmp_path / "python"
    stand_in.write_text(
        f'#!/bin/sh\nif [ "$2" = runserver ]; then exec "{sys.executable}" manage.py shell -c "$ALERT"; fi\nexit 0\n'
    )
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_", "WEBAUTHN_", "DEBUG"))}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS", "MAKEFLAGS", "MFLAGS"):
        env.pop(name, None)
    env.update(ALERT=alert, DEADBOLT_VAR_DIR=str(tmp_path))

    result = subprocess.run(
        ["make", "--no-print-directory", "run", "PORT=8123", f"PY={stand_in}", "-o", ".venv/.installed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    links = URL.findall(result.stdout.split("Open http://localhost:8123/")[-1])
    assert links and all(link.startswith("http://localhost:8123/") for link in links), result.stdout
    assert settings.SITE_URL not in result.stdout  # not the test settings' address either
