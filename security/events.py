"""Recording what happened to an account."""

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import sql
from django.http import HttpRequest

from security.models import SecurityEvent
from security.places import place_for_ip


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Each of our TRUSTED_PROXY_COUNT proxies appends the address it saw to
    X-Forwarded-For, so the client is that many entries from the right; anything further left was written by the
    client and is never trusted. With no trusted proxy (the default) the header is ignored."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def event_record(
    *, user, kind: str, request: HttpRequest | None = None, last_login: datetime | None = None, **detail
) -> SecurityEvent:
    """One row of the account's history; where the request came from is looked up now, once, and kept in it.
    `last_login`: a sign-in's, written to the user's row in the same statement."""
    ip = client_ip(request)
    if place := place_for_ip(ip):
        detail = {**detail, "place": place}
    event = SecurityEvent(
        user=user,
        kind=kind,
        ip=ip,
        user_agent=(request.headers.get("User-Agent", "") if request else "")[:300],
        detail=detail,
    )
    if last_login is None:
        event.save(force_insert=True)
    else:
        _insert_with_last_login(event, last_login)
    return event


def _insert_with_last_login(event: SecurityEvent, last_login: datetime) -> None:
    """The event's INSERT and the user's last_login UPDATE, as one statement on PostgreSQL (a CTE)."""
    user_model = type(event.user)
    seen = user_model.objects.filter(pk=event.user_id)
    if connection.vendor != "postgresql":
        seen.update(last_login=last_login)
        event.save(force_insert=True)
        return
    update = seen.query.chain(sql.UpdateQuery)
    update.add_update_values({"last_login": last_login})
    update_sql, update_params = update.get_compiler(connection=connection).as_sql()
    insert = sql.InsertQuery(SecurityEvent)
    insert.insert_values([f for f in SecurityEvent._meta.local_concrete_fields if not f.primary_key], [event])
    compiler = insert.get_compiler(connection=connection)
    compiler.returning_fields = [SecurityEvent._meta.pk]
    [(insert_sql, insert_params)] = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute("WITH seen AS (" + update_sql + ") " + insert_sql, [*update_params, *insert_params])
        event.pk = cursor.fetchone()[0]
    event._state.adding = False


def recent_events(user, *, limit: int) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(user=user)[:limit])


# Events an intruder could cause: each gets a "This wasn't me" link on the activity page.
COULD_BE_AN_INTRUDER = {
    "signin_new_device",
    "password_changed",
    "email_changed",
    "phone_changed",
    "method_added",
    "method_removed",
    "primary_changed",
    "two_step_off",
    "device_trusted",
    "card_added",
    "address_changed",
    "recovery_requested",
    "backup_code_used",
}
