"""A software WebAuthn authenticator, playing the browser and the platform authenticator for the passkey tests.

It answers the options the server sends (the JSON of PublicKeyCredentialCreationOptions / RequestOptions) with the
same JSON shape a browser posts back: id, rawId, type "public-key", response {...} base64url, clientExtensionResults.
Built independently of the server library: a P-256 key from `cryptography`, the authenticator data laid out by hand
(WebAuthn Level 3, section 6.1) and CBOR from `cbor2`. Each knob below lets a test forge one thing at a time.
"""

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40

# An AAGUID of our own, so a test can tell it was read from the attested credential data.
TEST_AAGUID = bytes.fromhex("5e1f0b2a9c3d4e8f8a7b6c5d4e3f2a1b")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        # kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


class SoftwareAuthenticator:
    """Holds resident (discoverable) credentials, one P-256 key each, like a phone's passkey store."""

    def __init__(self, *, aaguid: bytes = TEST_AAGUID, backup_eligible: bool = True, backed_up: bool = True):
        self.aaguid = aaguid
        self.backup_eligible = backup_eligible
        self.backed_up = backed_up
        self.credentials: dict[bytes, Credential] = {}

    # -- helpers -------------------------------------------------------------------------------------------

    def _flags(self, *, user_present: bool, user_verified: bool, attested: bool) -> int:
        flags = (UP if user_present else 0) | (UV if user_verified else 0) | (AT if attested else 0)
        if self.backup_eligible:
            flags |= BE
            if self.backed_up:
                flags |= BS
        return flags

    @staticmethod
    def client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}, separators=(",", ":")
        ).encode()

    # -- navigator.credentials.create() --------------------------------------------------------------------

    def create(
        self,
        options: dict,
        origin: str,
        *,
        rp_id: str | None = None,
        challenge: str | None = None,
        user_verified: bool = True,
        sign_count: int = 0,
        kind: str = "webauthn.create",
    ) -> dict:
        """A registration response to `options`. `rp_id`, `challenge`, `user_verified` and `kind` forge one field."""
        rp_id = rp_id if rp_id is not None else options["rp"]["id"]
        excluded = {from_b64url(c["id"]) for c in options.get("excludeCredentials", [])}
        if excluded & set(self.credentials):
            raise AssertionError("a real authenticator refuses: it already holds an excluded credential")
        credential = Credential(
            credential_id=secrets.token_bytes(32),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp_id,
            user_handle=from_b64url(options["user"]["id"]),
            sign_count=sign_count,
        )
        self.credentials[credential.credential_id] = credential
        attested = (
            self.aaguid
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + credential.cose_public_key()
        )
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(user_present=True, user_verified=user_verified, attested=True)])
            + struct.pack(">I", sign_count)
            + attested
        )
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self.client_data(kind, challenge if challenge is not None else options["challenge"], origin)
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "transports": ["internal", "hybrid"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    # -- navigator.credentials.get() -----------------------------------------------------------------------

    def get(
        self,
        options: dict,
        origin: str,
        *,
        credential_id: bytes | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        user_verified: bool = True,
        sign_count: int | None = None,
        kind: str = "webauthn.get",
    ) -> dict:
        """An assertion for `options`, signed with the credential's key; the counter goes up by one unless given."""
        rp_id_for_lookup = options.get("rpId")
        allowed = [from_b64url(c["id"]) for c in options.get("allowCredentials", [])]
        if credential_id is None:
            candidates = [
                c.credential_id
                for c in self.credentials.values()
                if c.rp_id == rp_id_for_lookup and (not allowed or c.credential_id in allowed)
            ]
            if not candidates:
                raise AssertionError("the authenticator holds no credential for these options")
            credential_id = candidates[0]
        credential = self.credentials[credential_id]
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        rp_id = rp_id if rp_id is not None else credential.rp_id
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(user_present=True, user_verified=user_verified, attested=False)])
            + struct.pack(">I", credential.sign_count)
        )
        client_data = self.client_data(kind, challenge if challenge is not None else options["challenge"], origin)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }
