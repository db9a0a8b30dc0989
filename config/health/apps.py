from django.apps import AppConfig


class HealthConfig(AppConfig):
    """/health/ and the worker heartbeat it reads: an app of its own so it has its own table and migrations."""

    name = "config.health"
    label = "health"
    verbose_name = "Health"
    default_auto_field = "django.db.models.BigAutoField"
