"""Encryption and keyed hashes for secrets at rest (codes, authenticator secrets, message payloads).

Infrastructure like settings: any app may import it; it imports no app.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


@lru_cache(maxsize=4)
def _fernet(secrets: tuple[str, ...]) -> MultiFernet:
    keys = [Fernet(base64.urlsafe_b64encode(_derive(secret, b"deadbolt/encryption"))) for secret in secrets]
    return MultiFernet(keys)


def _secrets() -> tuple[str, ...]:
    # The first key encrypts; older ones (SECRET_KEY_FALLBACKS) still decrypt during a rotation.
    return (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)


def encrypt_text(plaintext: str) -> str:
    return _fernet(_secrets()).encrypt(plaintext.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet(_secrets()).decrypt(token.encode()).decode()


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a value, keyed from SECRET_KEY and bound to a purpose, for comparing without storing."""
    key = _derive(settings.SECRET_KEY, b"deadbolt/hash/" + purpose.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
