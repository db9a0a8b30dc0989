"""Days and times as people write them in the active language (Django's locale formats, never a fixed pattern)."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def day_label(day: date) -> str:
    """A day with its weekday: "Monday, 7 December" in en-GB, "Montag, 7. Dezember" in de-DE."""
    # Translators order the two parts: the weekday's name and the locale's own day-and-month.
    return _("%(weekday)s, %(day)s") % {"weekday": date_format(day, "l"), "day": date_format(day, "MONTH_DAY_FORMAT")}
