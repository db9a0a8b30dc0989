"""AWS Signature Version 4, checked on the server: the canonical request and string to sign are rebuilt from the
request as received, following AWS's documented algorithm (the same steps botocore's SigV4Auth signs with), and
the signature compared in constant time. Tested against botocore's signer in tests/otpapi/test_signing.py."""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

from django.http import HttpRequest

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "mobiletargeting"  # Pinpoint's signing name in botocore's model
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_CREDENTIAL = re.compile(
    r"^(?P<key_id>[A-Z0-9]{16,128})/(?P<date>\d{8})/(?P<region>[a-z0-9-]{1,32})/(?P<service>[a-z0-9-]{1,64})/aws4_request$"
)
_SIGNED_HEADERS = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]+(;[a-z0-9!#$%&'*+.^_`|~-]+)*$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


class SignatureProblem(Exception):
    """The request is not signed as SigV4 requires; the message says what is wrong (it holds no secret)."""


@dataclass(frozen=True)
class Authorization:
    key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: datetime
    amz_date_text: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def authorization_parse(request: HttpRequest, *, now: datetime, window_seconds: int) -> Authorization:
    """Read the Authorization and X-Amz-Date headers; refuse anything malformed or outside the date window."""
    header = request.headers.get("Authorization", "")
    if not header:
        raise SignatureProblem("Missing Authentication Token")
    algorithm, _space, rest = header.partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureProblem(f"Only {ALGORITHM} (Signature Version 4) is supported.")
    fields = {}
    for part in rest.split(","):
        name, equals, value = part.strip().partition("=")
        if not equals or name in fields:
            raise SignatureProblem("Authorization header is malformed.")
        fields[name] = value
    credential = _CREDENTIAL.match(fields.get("Credential", ""))
    signed_headers = fields.get("SignedHeaders", "")
    signature = fields.get("Signature", "")
    if set(fields) != {"Credential", "SignedHeaders", "Signature"} or not credential:
        raise SignatureProblem("Authorization header is malformed.")
    if not _SIGNED_HEADERS.match(signed_headers) or not _SIGNATURE.match(signature):
        raise SignatureProblem("Authorization header is malformed.")
    if credential["service"] != SERVICE:
        raise SignatureProblem(f"Credential should be scoped to correct service: '{SERVICE}'.")
    headers = tuple(signed_headers.split(";"))
    if "host" not in headers or "x-amz-date" not in headers or list(headers) != sorted(set(headers)):
        raise SignatureProblem("SignedHeaders must be sorted and include host and x-amz-date.")
    amz_date_text = request.headers.get("X-Amz-Date", "")
    try:
        amz_date = datetime.strptime(amz_date_text, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureProblem("X-Amz-Date is missing or not in the form YYYYMMDDTHHMMSSZ.") from None
    if credential["date"] != amz_date_text[:8]:
        raise SignatureProblem("Credential date does not match X-Amz-Date.")
    if abs((now - amz_date).total_seconds()) > window_seconds:
        raise SignatureProblem(
            f"Signature expired: {amz_date_text} is outside {window_seconds // 60} minutes of the server's time "
            f"({now.strftime(AMZ_DATE_FORMAT)})."
        )
    return Authorization(
        key_id=credential["key_id"],
        date=credential["date"],
        region=credential["region"],
        service=credential["service"],
        signed_headers=headers,
        signature=signature,
        amz_date=amz_date,
        amz_date_text=amz_date_text,
    )


def _canonical_uri(path: str) -> str:
    # botocore quotes the URL's (already encoded) path once more for every service but S3.
    return quote(quote(path or "/", safe="/~"), safe="/~")


def _canonical_query(query_string: str) -> str:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    encoded = sorted((quote(name, safe="-_.~"), quote(value, safe="-_.~")) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def _header_value(request: HttpRequest, name: str) -> str:
    value = request.headers.get(name)
    if value is None:
        raise SignatureProblem(f"Signed header {name} is missing from the request.")
    return " ".join(value.split())


def canonical_request(request: HttpRequest, authorization: Authorization, body: bytes) -> str:
    payload_hash = hashlib.sha256(body).hexdigest()
    declared = request.headers.get("X-Amz-Content-SHA256")
    if declared is not None and not hmac.compare_digest(declared, payload_hash):
        raise SignatureProblem("The provided 'x-amz-content-sha256' header does not match what was computed.")
    headers = "".join(f"{name}:{_header_value(request, name)}\n" for name in authorization.signed_headers)
    return "\n".join(
        [
            request.method.upper(),
            _canonical_uri(request.path),
            _canonical_query(request.META.get("QUERY_STRING", "")),
            headers,
            ";".join(authorization.signed_headers),
            payload_hash,
        ]
    )


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature_compute(*, secret: str, authorization: Authorization, canonical: str) -> str:
    string_to_sign = "\n".join(
        [ALGORITHM, authorization.amz_date_text, authorization.scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + secret).encode(), authorization.date)
    for part in (authorization.region, authorization.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def signature_matches(*, secret: str, authorization: Authorization, request: HttpRequest, body: bytes) -> bool:
    """Recompute the signature from the request as received and compare it in constant time."""
    expected = signature_compute(
        secret=secret, authorization=authorization, canonical=canonical_request(request, authorization, body)
    )
    return hmac.compare_digest(expected, authorization.signature)
