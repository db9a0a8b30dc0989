from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The composition root: management commands that span apps (demo data) live here."""

    name = "config"
    verbose_name = "Deadbolt"
