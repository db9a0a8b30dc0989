"""Noticing sign-ins that stopped at the code step: the right password, then nothing."""

from django.db import transaction
from django.utils import timezone

from security.alerts import signin_abandoned
from security.models import Challenge

SIGNIN_PURPOSES = ("signin", "new_device")


def signins_abandoned_sweep() -> int:
    """Run by Celery beat: sign-in challenges left active past their expiry are abandoned; their owners are
    warned (at most once an hour each). Returns how many were found."""
    now = timezone.now()
    with transaction.atomic():
        stale = list(
            Challenge.objects.select_for_update(skip_locked=True)
            .filter(purpose__in=SIGNIN_PURPOSES, state=Challenge.State.ACTIVE, expires_at__lte=now)
            .select_related("user")[:500]
        )
        Challenge.objects.filter(pk__in=[c.pk for c in stale]).update(state=Challenge.State.ABANDONED)
    for user in {challenge.user for challenge in stale}:
        signin_abandoned(user=user, request=None)
    return len(stale)
