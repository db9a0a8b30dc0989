"""Traditional Chinese dates and numbers: Django names them zh_Hant, which its lookup never reaches from zh_TW."""

from django.conf.locale.zh_Hant.formats import *  # noqa: F403
