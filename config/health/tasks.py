from celery import shared_task

from config.health.checks import heartbeat_record


@shared_task(name="config.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Run by beat on the maintenance queue: a worker that takes it writes the time /health/ reads."""
    heartbeat_record()
