"""The Celery app: broker from CELERY_BROKER_URL (REDIS_URL's database plus one), eager when neither is set (settings),
tasks autodiscovered; queues and routes are in settings (codes, bulk, maintenance)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("deadbolt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
