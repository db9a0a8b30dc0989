"""The Celery app: broker from REDIS_URL, eager when it is unset (settings), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("deadbolt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
