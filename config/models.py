from django.db import models


class LimitCount(models.Model):
    """A limit's count while the cache is down (config/ratelimit.py): one window of one subject, or one back-off."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.FloatField(default=0.0, help_text="Back-off limits: when the last attempt was counted (epoch s)")
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
