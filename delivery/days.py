"""Delivery days: a code made on a delivery day lives until midnight at the depot (DELIVERY_TIME_ZONE)."""

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def delivery_zone() -> ZoneInfo:
    return _zone(settings.DELIVERY_TIME_ZONE)


def delivery_today() -> date:
    return timezone.localdate(timezone.now(), delivery_zone())


def delivery_day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=delivery_zone())
