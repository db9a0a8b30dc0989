from django.db import models


class Heartbeat(models.Model):
    """The last beat of one kind of background process (the Celery worker on the maintenance queue)."""

    name = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
