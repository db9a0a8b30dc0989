from celery import shared_task

from security.password_reset import password_reset_code_send
from security.signin_watch import signins_abandoned_sweep


@shared_task(ignore_result=True)
def sweep_abandoned_signins() -> None:
    signins_abandoned_sweep()


@shared_task(ignore_result=True)
def send_password_reset_code(reset_id: int) -> None:
    password_reset_code_send(reset_id=reset_id)
