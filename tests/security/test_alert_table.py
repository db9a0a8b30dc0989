"""Every kind of security event is paired with its alert (or with none) in one table, and every alert exists."""

from pathlib import Path

from django.conf import settings

from security.alerts import ALERT_FOR_KIND
from security.models import SecurityEvent

EVENTS = Path(settings.BASE_DIR) / "templates" / "messages" / "security_alert" / "events"


def test_every_event_kind_says_which_alert_it_sends():
    assert set(ALERT_FOR_KIND) == set(SecurityEvent.Kind.values)


def test_every_alert_named_has_its_words():
    for kind, alert in ALERT_FOR_KIND.items():
        if alert:
            assert (EVENTS / f"{alert}.txt").is_file(), f"{kind} names {alert}, which has no template"
