"""Simplified Chinese dates and numbers: Django names them zh_Hans, which its lookup never reaches from zh_CN."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
