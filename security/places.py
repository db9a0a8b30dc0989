"""Where an address is, roughly: the city and country a person will recognise in their activity and alerts.

With GEOIP_PATH set (production), Django's GeoIP2 reads MaxMind's databases there (City, or Country only).
Without it (the embedded default), iptocc gives the country from the registries' data shipped in its wheel.
A place is looked up once, when an event is written, and kept in the event's detail:
{"city": "London", "country": "GB"} or {"country": "FR"}; nothing for loopback and private addresses, which are
shown as "this network".
"""

import functools
import ipaddress
import logging

import iptocc
from django.conf import settings
from django.contrib.gis.geoip2 import GeoIP2, GeoIP2Exception
from django.utils import translation
from django.utils.translation import gettext as _
from geoip2.errors import GeoIP2Error
from phonenumbers.geodata.locale import LOCALE_DATA

logger = logging.getLogger(__name__)


@functools.cache
def _geoip(path: str) -> GeoIP2 | None:
    try:
        return GeoIP2(path)
    except GeoIP2Exception:
        logger.exception("GEOIP_PATH holds no MaxMind database we can read: %s", path)
        return None


def _from_geoip(geoip: GeoIP2, ip: str) -> dict:
    try:
        found = geoip.city(ip) if geoip.is_city else geoip.country(ip)
    except (GeoIP2Error, GeoIP2Exception, ValueError):  # not in the database
        return {}
    place = {"city": found.get("city") or "", "country": found.get("country_code") or ""}
    return {key: value for key, value in place.items() if value}


def place_for_ip(ip: str | None) -> dict:
    """The approximate place of `ip` ({} when unknown). Never raises: a sign-in is never refused for this."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return {}
    if address.is_loopback:
        return {}
    path = getattr(settings, "GEOIP_PATH", None)
    if path:
        geoip = _geoip(str(path))
        return _from_geoip(geoip, str(address)) if geoip is not None else {}
    return {"country": country} if (country := iptocc.country_code(str(address))) else {}


def is_this_network(ip: str | None) -> bool:
    """Loopback and private addresses: the shop's own network, or the person's, never a place."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return address.is_loopback or (address.is_private and not address.is_global)


def country_name(code: str) -> str:
    """The country's name in the active language (phonenumbers' names), else its ISO code."""
    names = LOCALE_DATA.get(code.upper(), {})
    language = (translation.get_language() or "en").split("-")[0].lower()
    name = names.get(language) or names.get("en") or ""
    while name.startswith("*"):  # "*en": the same name as that language's
        name = names.get(name[1:], "")
    return name or code.upper()


def place_label(place: dict | None, ip: str | None = None) -> str:
    """ "London, United Kingdom", "France", "this network" (for a loopback or private `ip`), or "" when unknown."""
    if not place:
        return _("this network") if is_this_network(ip) else ""
    country = country_name(place["country"]) if place.get("country") else ""
    return ", ".join(part for part in (place.get("city", ""), country) if part)
