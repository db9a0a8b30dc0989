"""Making codes and reading what a person typed."""

import base64
import hmac
import secrets

from django_otp.oath import TOTP

from config.crypto import keyed_hash

# Letters people type for digits on a numeric code: O for 0, I and l for 1.
_READ_AS_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})


def numeric_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def normalize_numeric(typed: str) -> str:
    """What a person typed, forgiven where it is safe: spaces, dashes and O/I/l are ignored or read as digits."""
    cleaned = "".join((typed or "").split())
    for dash in ("-", "\u2010", "\u2013", "\u2014"):  # hyphen, hyphen, en dash, em dash (phones autocorrect)
        cleaned = cleaned.replace(dash, "")
    return cleaned.translate(_READ_AS_DIGITS)


def code_hash(code: str, *, bound_to: str) -> str:
    """A keyed hash of a code, bound to what it is for (a user and a purpose), for storing and comparing."""
    return keyed_hash(f"{bound_to}:{code}", purpose="code")


def same_hash(left: str, right: str) -> bool:
    return bool(left) and bool(right) and hmac.compare_digest(left, right)


def totp_secret() -> str:
    """A new authenticator secret: 160 random bits, base32 (RFC 4226's recommended length)."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def totp_key(secret: str) -> bytes:
    return base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))


def totp_match(*, key: bytes, token: str, at: float, digits: int = 6, step: int = 30, tolerance: int = 1) -> int | None:
    """The RFC 6238 time step whose code equals `token` within ±tolerance steps of `at`, or None."""
    if not token.isdigit() or len(token) != digits:
        return None
    totp = TOTP(key, step=step, digits=digits)
    totp.time = at
    # Check every step in the window, in constant order, so timing does not tell which one matched.
    matched = None
    for offset in range(-tolerance, tolerance + 1):
        totp.drift = offset
        if hmac.compare_digest(f"{totp.token():0{digits}d}", token) and matched is None:
            matched = totp.t()
    return matched
