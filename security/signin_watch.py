"""Noticing sign-ins that stopped at the code step: the right password, then nothing.

They are recorded, never alerted: an abandoned code step is far more often a closed tab or an overloaded server
than an intruder. Real wrong codes alert where they happen (security.alerts.signin_codes_failed)."""

from django.db import transaction
from django.utils import timezone

from security.events import event_record
from security.models import Challenge, SecurityEvent
from security.vocabulary import Purpose

SIGNIN_PURPOSES = (Purpose.SIGNIN, Purpose.NEW_DEVICE)


def signins_abandoned_sweep() -> int:
    """Run by Celery beat: sign-in challenges left active past their expiry are marked abandoned and recorded.
    Returns how many were found."""
    now = timezone.now()
    with transaction.atomic():
        stale = list(
            Challenge.objects.select_for_update(skip_locked=True)
            .filter(purpose__in=SIGNIN_PURPOSES, state=Challenge.State.ACTIVE, expires_at__lte=now)
            .select_related("user")[:500]
        )
        Challenge.objects.filter(pk__in=[c.pk for c in stale]).update(state=Challenge.State.ABANDONED)
    for user in {challenge.user for challenge in stale}:
        event_record(user=user, kind=SecurityEvent.Kind.SIGNIN_CODE_ABANDONED, wrong_codes=False)
    return len(stale)
