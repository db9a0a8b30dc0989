"""Passkeys (WebAuthn, with py_webauthn): adding one, and proving it's the person with one.

Each ceremony's challenge lives in this session's pending flow for 5 minutes and is used once: it is taken out
before the response is checked, so a replayed or second response finds none. Resident keys (discoverable
credentials) and user verification are required. The sign counter is kept; one that does not go up is a copied
authenticator, refused and recorded.
"""

import json
import time

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from config.crypto import keyed_hash
from security.alerts import security_record
from security.flows import flow_get, flow_save, flow_start
from security.models import Passkey, SecurityEvent
from security.trusted_devices import device_name

CHALLENGE_SECONDS = 5 * 60
REGISTER_FLOW, AUTHENTICATE_FLOW = "passkey_register", "passkey_authenticate"

# Authenticators people recognise, by AAGUID (FIDO metadata); others are named after the browser they were made in.
KNOWN_AUTHENTICATORS = {
    "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager",
    "adce0002-35bc-c60a-648b-0b25f1f05503": "Chrome on Mac",
    "08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows Hello",
    "9ddd1817-af5a-4672-a2b9-3e3dd95000a9": "Windows Hello",
    "6028b017-b1d4-4c02-b4b3-afcdafc96bb2": "Windows Hello",
    "fbfc3007-154e-4ecc-8c0b-6e020557d7bd": "iCloud Keychain",
    "dd4ec289-e01d-41c9-bb89-70fa845d4bf2": "iCloud Keychain",
    "bada5566-a7aa-401f-bd96-45619a55120d": "1Password",
    "d548826e-79b4-db40-a3d8-11116f7e8349": "Bitwarden",
    "531126d6-e717-415c-9320-3d9aa6981239": "Dashlane",
    "cb69481e-8ff7-4039-93ec-0a2729a154a8": "YubiKey 5",
}


class PasskeyRefused(Exception):
    """The passkey was not accepted; `message` says so to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _user_handle(user) -> bytes:
    # WebAuthn's user.id: stable, opaque, and not the database id (it reaches the authenticator).
    return keyed_hash(str(user.pk), purpose="webauthn-user").encode()[:32]


def _challenge_keep(request: HttpRequest, flow: str, options, user=None) -> dict:
    """Keep the ceremony's challenge in the session (with the account it is for). A few can be live at once: the
    sign-in page's autofill and its button each ask for one, and either may answer."""
    state = flow_get(request, flow)
    live = [c for c in (state or {}).get("challenges", []) if c["user_id"] == _pk(user)][-2:]
    live.append({"challenge": options.challenge.hex(), "user_id": _pk(user)})
    flow_start(request, flow, step="ceremony", lifetime=CHALLENGE_SECONDS, challenges=live)
    return json.loads(options_to_json(options))


def _challenge_take(request: HttpRequest, flow: str, credential: dict, user=None) -> bytes:
    """The challenge this answer was made for, if this session holds it for this account: removed, so it works
    once. Refused when there is none (expired, used, another session's or another account's)."""
    expired = PasskeyRefused(_("That passkey request has expired. Try again."))
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        answered = base64url_to_bytes(client_data["challenge"]).hex()
    except (KeyError, TypeError, ValueError) as error:
        raise expired from error
    state = flow_get(request, flow)
    if state is None or time.time() > state["expires"]:
        raise expired
    wanted = {"challenge": answered, "user_id": _pk(user)}
    if wanted not in state["challenges"]:
        raise expired
    state["challenges"].remove(wanted)
    flow_save(request, flow, state)
    return bytes.fromhex(answered)


def _pk(user):
    return user.pk if user is not None else None


def _descriptors(passkeys) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=bytes(passkey.credential_id)) for passkey in passkeys]


def passkey_registration_options(*, request: HttpRequest, user) -> dict:
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=_user_handle(user),
        user_name=user.email,
        user_display_name=user.name or user.email,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(Passkey.objects.filter(user=user)),
    )
    return _challenge_keep(request, REGISTER_FLOW, options, user)


def passkey_register(*, request: HttpRequest, user, credential: dict, name: str = "") -> Passkey:
    """Check a new passkey's response and keep it; the email is told."""
    challenge = _challenge_take(request, REGISTER_FLOW, credential, user)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGINS,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(_("That passkey couldn't be added. Try again.")) from error
    if Passkey.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyRefused(_("That passkey is already added."))
    authenticator = KNOWN_AUTHENTICATORS.get(str(verified.aaguid), "")
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user=user,
            name=(name.strip() or authenticator or device_name(request))[:64],
            confirmed=True,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            aaguid=str(verified.aaguid),
            backed_up=bool(getattr(verified, "credential_backed_up", False)),
        )
        security_record(
            user=user, kind=SecurityEvent.Kind.PASSKEY_ADDED, request=request, detail={"name": passkey.name}
        )
    return passkey


def passkey_authentication_options(*, request: HttpRequest, user=None) -> dict:
    """For a discoverable sign-in (no user: the authenticator offers its passkeys), or for this user's passkeys."""
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        allow_credentials=_descriptors(Passkey.objects.filter(user=user)) if user is not None else [],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return _challenge_keep(request, AUTHENTICATE_FLOW, options, user)


def passkey_authenticate(*, request: HttpRequest, credential: dict, user=None) -> Passkey:
    """The passkey a right assertion proves (only among `user`'s when given), with its counter moved on."""
    challenge = _challenge_take(request, AUTHENTICATE_FLOW, credential, user)
    refused = PasskeyRefused(_("That passkey wasn't accepted. Try again, or use your password."))
    try:
        raw_id = base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError) as error:
        raise refused from error
    cloned = None
    with transaction.atomic():
        candidates = Passkey.objects.select_for_update().filter(credential_id=raw_id, confirmed=True)
        if user is not None:
            candidates = candidates.filter(user=user)
        passkey = candidates.select_related("user").first()
        if passkey is None or not passkey.user.is_active:
            raise refused
        handle = (credential.get("response") or {}).get("userHandle")
        if handle and base64url_to_bytes(handle) != _user_handle(passkey.user):
            raise refused  # the authenticator names another account than the one this credential belongs to
        try:
            # The counter is compared below, only once the signature is known to be real: a forged assertion
            # with a low counter is no evidence of a copied key, and must not raise the alarm.
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=settings.WEBAUTHN_RP_ID,
                expected_origin=settings.WEBAUTHN_ORIGINS,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=0,
                require_user_verification=True,
            )
        except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as error:
            raise refused from error
        if (verified.new_sign_count or passkey.sign_count) and verified.new_sign_count <= passkey.sign_count:
            cloned = passkey  # a real signature, but the counter did not go up: another copy of this key is in use
        else:
            passkey.sign_count = verified.new_sign_count
            passkey.backed_up = verified.credential_backed_up
            passkey.last_used_at = timezone.now()
            passkey.save(update_fields=["sign_count", "backed_up", "last_used_at"])
    if cloned is not None:
        security_record(
            user=cloned.user,
            kind=SecurityEvent.Kind.PASSKEY_CLONE_SUSPECTED,
            request=request,
            detail={"name": cloned.name},
        )
        raise refused
    return passkey


def passkeys_for(user) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user, confirmed=True).order_by("created_at"))


def passkey_rename(*, user, passkey_id: int, name: str) -> bool:
    return bool(Passkey.objects.filter(pk=passkey_id, user=user).update(name=name.strip()[:64]))


def passkey_remove(*, user, passkey_id: int, request: HttpRequest) -> bool:
    with transaction.atomic():
        passkey = Passkey.objects.filter(pk=passkey_id, user=user).first()
        if passkey is None:
            return False
        passkey.delete()
        security_record(
            user=user, kind=SecurityEvent.Kind.PASSKEY_REMOVED, request=request, detail={"name": passkey.name}
        )
    return True
