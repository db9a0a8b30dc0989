"""boto3's own pinpoint client against the live server: an application with a key, a second one (the outsider),
and reading the code a person would receive."""

import re
from dataclasses import dataclass

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from django.conf import settings

from messaging.backends import locmem
from otpapi.keys import access_key_create, application_create
from tests.helpers import run_pending_on_commit
from tests.messaging.conftest import fake_twilio_server  # noqa: F401  (the real worker's fixtures)
from tests.messaging.real_worker import clean_broker, fake, real_parts, start_worker  # noqa: F401

PHONE = "+447911123456"
OTHER_PHONE = "+447911123457"
PREMIUM = "+19005550100"  # US premium rate (900)
BLOCKED_COUNTRY = "+79123456789"  # a Russian mobile: 7 is not in MESSAGING_ALLOWED_COUNTRY_CODES


@dataclass
class App:
    application_id: str
    key_id: str
    secret: str
    model: object

    def client(self, base_url: str, *, key_id: str | None = None, secret: str | None = None):
        return boto3.client(
            "pinpoint",
            region_name="us-east-1",
            endpoint_url=base_url + settings.PINPOINT_API_PREFIX,
            aws_access_key_id=key_id or self.key_id,
            aws_secret_access_key=secret or self.secret,
            config=Config(retries={"total_max_attempts": 1}),  # a 429 is an answer to see, not to retry
        )


def app_make(name: str, domain: str = "") -> App:
    application = application_create(name=name, domain=domain)
    key, secret = access_key_create(application=application)
    return App(application_id=application.application_id, key_id=key.key_id, secret=secret, model=application)


@pytest.fixture
def otp_app(transactional_db) -> App:
    return app_make("Mobile app", domain="shop.example.com")


@pytest.fixture
def outsider_app(transactional_db) -> App:
    return app_make("Partner checkout")


@pytest.fixture
def pinpoint(live_server, otp_app):
    return otp_app.client(live_server.url)


@pytest.fixture(autouse=True)
def _empty_outboxes():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


def send_parameters(**fields) -> dict:
    return {
        "Channel": "SMS",
        "BrandName": "ExampleCorp",
        "CodeLength": 6,
        "ValidityPeriod": 10,
        "AllowedAttempts": 3,
        "Language": "en-US",
        "OriginationIdentity": "ExampleCorp",
        "DestinationIdentity": PHONE,
        "ReferenceId": "signin-42",
        **fields,
    }


def send(client, app: App, **fields) -> dict:
    return client.send_otp_message(
        ApplicationId=app.application_id, SendOTPMessageRequestParameters=send_parameters(**fields)
    )


def verify(client, app: App, otp: str, *, destination: str = PHONE, reference: str = "signin-42") -> bool:
    answer = client.verify_otp_message(
        ApplicationId=app.application_id,
        VerifyOTPMessageRequestParameters={"DestinationIdentity": destination, "ReferenceId": reference, "Otp": otp},
    )
    return answer["VerificationResponse"]["Valid"]


def message_to(destination: str) -> str:
    run_pending_on_commit()
    texts = [m.text for m in locmem.outbox if m.to == destination]
    assert texts, f"nothing was sent to {destination}"
    return texts[-1]


def code_in(text: str) -> str:
    """The code in a Pinpoint OTP message: the first run of 5 to 8 digits (read-out digits joined first)."""
    return re.search(r"(?<!\d)(\d{5,8})(?!\d)", text.replace(", ", "")).group(1)


def signed_post(base_url: str, app: App, path: str, body: bytes, *, headers: dict | None = None, secret=None):
    """A POST signed by botocore's SigV4Auth, sent with requests: for bodies boto3 would never send."""
    url = base_url + settings.PINPOINT_API_PREFIX + path
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    SigV4Auth(Credentials(app.key_id, secret or app.secret), "mobiletargeting", "us-east-1").add_auth(request)
    return requests.post(url, data=body, headers=dict(request.headers.items()), timeout=10)
