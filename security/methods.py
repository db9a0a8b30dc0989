"""2SV methods: adding, removing and choosing them, backup codes, and turning 2SV on and off.

2SV is on when the user has a confirmed primary method. During enrolment the new methods stay unconfirmed
(invisible to sign-in and to django-otp) until the last step turns 2SV on.
"""

from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_otp.models import Device

from config.crypto import encrypt_text
from security.alerts import security_record
from security.codes import code_hash, numeric_code
from security.events import event_record
from security.models import (
    AuthenticatorDevice,
    BackupCode,
    BackupCodeDevice,
    FailureStreak,
    Method,
    PhoneDevice,
    SecurityEvent,
)
from security.throttles import password_throttle_clear
from security.trusted_devices import trusted_devices_revoke

METHOD_DEVICES = (AuthenticatorDevice, PhoneDevice)


@dataclass(frozen=True)
class TwoStep:
    enabled: bool
    primary: Device | None = None
    backups: list[Device] = field(default_factory=list)
    backup_codes_left: int = 0
    backup_codes: BackupCodeDevice | None = None
    passkeys: int = 0  # confirmed passkeys: the sign-in's code page offers "Use a passkey instead" when any


def two_step_summary(user) -> TwoStep:
    """The user's confirmed methods and backup codes (with how many are left), and how many passkeys, in one
    query: this runs on every code step. The apps come without their secret and last step, which only a code
    check reads (its own query)."""
    rows = _method_rows(user)
    devices = [_device_from_row(row, user) for row in rows if row["kind"] in {"app", "phone"}]
    codes = next((_device_from_row(row, user) for row in rows if row["kind"] == "codes"), None)
    primary = next((d for d in devices if d.is_primary), None)
    return TwoStep(
        enabled=primary is not None,
        primary=primary,
        backups=sorted((d for d in devices if not d.is_primary), key=lambda d: d.created_at),
        backup_codes_left=codes.left if codes else 0,
        backup_codes=codes,
        passkeys=next((row["codes_left"] for row in rows if row["kind"] == "passkeys"), 0),
    )


ROW_MODELS = {"app": AuthenticatorDevice, "phone": PhoneDevice, "codes": BackupCodeDevice}
ROW_COLUMNS = ("kind", "id", "name", "created_at", "is_primary", "number", "channel", "codes_left")
# The three device tables in the same columns, and a last row counting passkeys (in codes_left). Written out: the
# ORM's UNION of three annotated querysets costs ~3 ms of CPU to build on every code step, the statement itself a
# tenth of a millisecond.
METHOD_ROWS = """
SELECT 'app', id, name, created_at, is_primary, '', '', 0
FROM security_authenticatordevice WHERE user_id = %s AND confirmed
UNION ALL
SELECT 'phone', id, name, created_at, is_primary, number, channel, 0
FROM security_phonedevice WHERE user_id = %s AND confirmed
UNION ALL
SELECT 'codes', d.id, d.name, d.created_at, FALSE, '', '',
       (SELECT COUNT(*) FROM security_backupcode c WHERE c.device_id = d.id AND c.used_at IS NULL)
FROM security_backupcodedevice d WHERE d.user_id = %s AND d.confirmed
UNION ALL
SELECT 'passkeys', 0, '', NULL, FALSE, '', '', COUNT(*) FROM security_passkey WHERE user_id = %s AND confirmed
"""


def _method_rows(user) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(METHOD_ROWS, [getattr(user, "pk", None)] * 4)  # no user (a failed admin sign-in): no methods
        return [dict(zip(ROW_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def db_datetime(value):
    """A timestamp read by raw SQL, aware: SQLite hands back what it stores (UTC, without the zone)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _device_from_row(row: dict, user) -> Device:
    model = ROW_MODELS[row["kind"]]
    values = {
        "id": row["id"],
        "user_id": user.pk,
        "name": row["name"],
        "confirmed": True,
        "created_at": db_datetime(row["created_at"]),
        "is_primary": bool(row["is_primary"]),
        "number": row["number"],
        "channel": row["channel"],
    }
    device = device_from_values(model, values, db=connection.alias)
    device.user = user
    if model is BackupCodeDevice:
        device.left = row["codes_left"]
    return device


def device_from_values(model, values: dict, *, db: str) -> Device:
    """A device as the ORM would load it, from the columns a written-out statement read (those the model has)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def two_step_is_on(user) -> bool:
    """Whether 2SV is on, in one query (for guards on every request; two_step_summary loads everything)."""
    primaries = [
        model.objects.filter(user=user, confirmed=True, is_primary=True).values("pk") for model in METHOD_DEVICES
    ]
    return primaries[0].union(*primaries[1:]).exists()


def device_method(device: Device) -> str:
    if isinstance(device, AuthenticatorDevice):
        return Method.AUTHENTICATOR
    if isinstance(device, PhoneDevice):
        return device.channel
    return Method.BACKUP_CODE


def user_device(user, persistent_id: str) -> Device | None:
    """One of this user's confirmed devices by its django-otp id; None for anyone else's."""
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device if device is not None and device.user_id == user.pk and device.confirmed else None


def authenticator_add(*, user, secret: str, primary: bool, confirmed: bool, request: HttpRequest | None) -> Device:
    with transaction.atomic():
        if primary:
            _demote_primary(user)
        device = AuthenticatorDevice.objects.create(
            user=user,
            name="Authenticator app",
            encrypted_secret=encrypt_text(secret),
            is_primary=primary,
            confirmed=confirmed,
        )
        if confirmed:
            _method_added(user, device, request)
    return device


def phone_add(*, user, number: str, channel: str, primary: bool, confirmed: bool, request: HttpRequest | None):
    with transaction.atomic():
        if primary:
            _demote_primary(user)
        device = PhoneDevice.objects.create(
            user=user,
            name=f"Phone {number[-4:]}",
            number=number,
            channel=channel,
            is_primary=primary,
            confirmed=confirmed,
        )
        if confirmed:
            _method_added(user, device, request)
    return device


def _methods_changed(user, request) -> None:
    """Any change to 2SV methods revokes every trusted device: each browser must prove itself again."""
    trusted_devices_revoke(user=user, request=request)


def _method_added(user, device: Device, request) -> None:
    _methods_changed(user, request)
    security_record(
        user=user, kind=SecurityEvent.Kind.METHOD_ADDED, request=request, detail={"method": device_method(device)}
    )


def _demote_primary(user) -> None:
    for model in METHOD_DEVICES:
        model.objects.filter(user=user, is_primary=True).update(is_primary=False)


def backup_codes_create(*, user, confirmed: bool, request: HttpRequest | None) -> list[str]:
    """A new set of backup codes (the old set stops working). Returns them: the only time they exist in clear."""
    codes = [numeric_code(8) for _ in range(settings.SECURITY_BACKUP_CODE_COUNT)]
    with transaction.atomic():
        BackupCodeDevice.objects.filter(user=user).delete()
        device = BackupCodeDevice.objects.create(user=user, name="Backup codes", confirmed=confirmed)
        BackupCode.objects.bulk_create(
            BackupCode(device=device, code_hash=code_hash(code, bound_to=f"backup:{device.pk}")) for code in codes
        )
        if confirmed:
            security_record(user=user, kind=SecurityEvent.Kind.BACKUP_CODES_CREATED, request=request)
    return codes


def two_step_enable(*, user, device_ids: list[str], request: HttpRequest | None) -> None:
    """The last step of enrolment: the proved methods and the backup codes start working together."""
    with transaction.atomic():
        for persistent_id in device_ids:
            device = Device.from_persistent_id(persistent_id)
            if device is not None and device.user_id == user.pk:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
        BackupCodeDevice.objects.filter(user=user).update(confirmed=True)
        # Leftovers of an abandoned enrolment never become methods.
        for model in METHOD_DEVICES:
            model.objects.filter(user=user, confirmed=False).delete()
        security_record(user=user, kind=SecurityEvent.Kind.TWO_STEP_ON, request=request)


def two_step_disable(*, user, request: HttpRequest | None, **detail) -> None:
    """2SV off, every method gone. An admin's reset (`by_admin` in detail) also clears every counter a guesser
    drove (wrong codes in a row, password waits), so the owner starts clean."""
    with transaction.atomic():
        phones = list(PhoneDevice.objects.filter(user=user, confirmed=True).values_list("number", flat=True))
        for model in (*METHOD_DEVICES, BackupCodeDevice):
            model.objects.filter(user=user).delete()
        _methods_changed(user, request)
        security_record(
            user=user,
            kind=SecurityEvent.Kind.TWO_STEP_OFF,
            request=request,
            detail=detail,
            sms_to=phones[0] if phones else "",
        )
        if "by_admin" in detail:
            FailureStreak.objects.filter(user=user).update(failures_in_a_row=0, last_failure_at=None)
            event_record(
                user=user, kind=SecurityEvent.Kind.COUNTERS_CLEARED, request=request, by_admin=detail["by_admin"]
            )
    if "by_admin" in detail:
        password_throttle_clear(email=user.email)


def method_remove(*, user, device: Device, request: HttpRequest | None) -> None:
    """Remove a backup method (the primary is changed, not removed)."""
    if getattr(device, "is_primary", False):
        raise ValueError("The primary method cannot be removed; choose another primary first.")
    with transaction.atomic():
        number = getattr(device, "number", "")
        method = device_method(device)
        device.delete()
        _methods_changed(user, request)
        security_record(
            user=user, kind=SecurityEvent.Kind.METHOD_REMOVED, request=request, detail={"method": method}, sms_to=number
        )


def primary_set(*, user, device: Device, request: HttpRequest | None) -> None:
    with transaction.atomic():
        _demote_primary(user)
        type(device).objects.filter(pk=device.pk).update(is_primary=True)
        _methods_changed(user, request)
        security_record(
            user=user,
            kind=SecurityEvent.Kind.PRIMARY_CHANGED,
            request=request,
            detail={"method": device_method(device)},
        )


def pending_devices_clear(*, user) -> None:
    for model in METHOD_DEVICES:
        model.objects.filter(user=user, confirmed=False).delete()
    BackupCodeDevice.objects.filter(user=user, confirmed=False).delete()
