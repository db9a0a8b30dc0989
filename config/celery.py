"""The Celery app: broker from CELERY_BROKER_URL (REDIS_URL's database plus one), eager when neither is set (settings),
tasks autodiscovered; queues and routes are in settings (codes, bulk, maintenance)."""

import os

from celery import Celery, signals
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("deadbolt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes every database connection after every task unless told to reuse them: a new
# PostgreSQL connection per message cost more than the message (issue 20). Connections follow Django's own rule
# instead, as for a request: CONN_MAX_AGE and the health check, before each task, in each worker thread.
app.conf.CELERY_DB_REUSE_MAX = 100_000


@signals.task_prerun.connect
def _database_connections_refresh(*, task, **_kwargs) -> None:
    if not task.request.is_eager:  # an eager task runs inside the caller's request and its transaction
        close_old_connections()
