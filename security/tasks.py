from celery import shared_task

from security.password_reset import send_password_reset_code  # noqa: F401 -- defined there, found by Celery here
from security.signin_watch import signins_abandoned_sweep


@shared_task(ignore_result=True)
def sweep_abandoned_signins() -> None:
    signins_abandoned_sweep()
