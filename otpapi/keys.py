"""Applications and their access keys: made, rotated, revoked, and checked on every request (SigV4)."""

import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from config.crypto import decrypt_text, encrypt_text
from otpapi.errors import Forbidden
from otpapi.models import AccessKey, OtpApplication
from otpapi.signing import SignatureProblem, authorization_parse, signature_matches

# Compared against when the key id is unknown, so an unknown key costs the same HMACs as a wrong signature.
_DECOY_SECRET = secrets.token_urlsafe(30)


def application_create(*, name: str, domain: str = "") -> OtpApplication:
    return OtpApplication.objects.create(name=name, domain=domain.strip().lower())


def access_key_create(*, application: OtpApplication) -> tuple[AccessKey, str]:
    """A new key pair for the application; the secret is returned once and stored only encrypted."""
    secret = secrets.token_urlsafe(30)  # 40 characters, like an AWS secret access key
    key = AccessKey.objects.create(application=application, secret_encrypted=encrypt_text(secret))
    return key, secret


def access_key_revoke(*, key: AccessKey) -> None:
    AccessKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def access_key_rotate(*, key: AccessKey) -> tuple[AccessKey, str]:
    """A new key for the same application, the old one revoked at once (deploy the new one before rotating)."""
    with transaction.atomic():
        new_key, secret = access_key_create(application=key.application)
        access_key_revoke(key=key)
    return new_key, secret


def _window() -> int:
    return settings.PINPOINT_API_DATE_WINDOW_SECONDS


def request_authenticate(request: HttpRequest, body: bytes) -> AccessKey:
    """The active access key that signed this request, or Forbidden with Pinpoint's words. As at AWS, a copy of a
    signed request is accepted within the date window (botocore signs two identical calls in one second alike);
    outside it, refused. A copied verify finds its code spent; a copied send draws on the caps."""
    try:
        authorization = authorization_parse(request, now=timezone.now(), window_seconds=_window())
    except SignatureProblem as problem:
        raise Forbidden(str(problem)) from None
    key = (
        AccessKey.objects.select_related("application")
        .filter(key_id=authorization.key_id, revoked_at__isnull=True)
        .first()
    )
    secret = decrypt_text(key.secret_encrypted) if key else _DECOY_SECRET
    try:
        matches = signature_matches(secret=secret, authorization=authorization, request=request, body=body)
    except SignatureProblem as problem:
        raise Forbidden(str(problem)) from None
    if key is None:
        raise Forbidden("The security token included in the request is invalid.")
    if not matches:
        raise Forbidden(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
    return key


def access_key_used(key: AccessKey) -> None:
    """Note the key's last use at most once a minute (one UPDATE, not one per call)."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
