"""SMS through Twilio's Messages API and voice through its Calls API, with the real twilio client.

Errors are sorted by what they prove: nothing sent (retry), maybe sent (never resend blindly), or never
deliverable (tell the person).
"""

import os
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

from django.conf import settings
from django.urls import reverse
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout, ReadTimeout, RequestException
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse
from urllib3.exceptions import NewConnectionError

from messaging.backends.base import (
    AmbiguousSendError,
    BaseBackend,
    Outgoing,
    PermanentSendError,
    ProviderStatus,
    TransientSendError,
)
from messaging.models import FailureReason

# Twilio error codes after which the message will never reach this destination.
PERMANENT_ERRORS = {
    21211: FailureReason.INVALID_NUMBER,  # invalid 'To' number
    21217: FailureReason.INVALID_NUMBER,  # number does not appear to be valid
    21614: FailureReason.LANDLINE,  # 'To' is not a mobile number
    21610: FailureReason.UNSUBSCRIBED,  # recipient replied STOP
    21408: FailureReason.BLOCKED_COUNTRY,  # permission to send to this region is not enabled
    21215: FailureReason.BLOCKED_COUNTRY,  # geo permission for voice
    21612: FailureReason.BLOCKED_COUNTRY,  # cannot route to this number
}
NOTHING_SENT_STATUSES = {429, 503}

# <Say> languages of the "alice" voice for our message languages.
SAY_LANGUAGE = {"es-419": "es-MX"}


def _caused_by_refused_connection(error: BaseException) -> bool:
    seen = error
    while seen is not None:
        if isinstance(seen, NewConnectionError | ConnectionRefusedError):
            return True
        seen = (
            seen.__cause__
            or seen.__context__
            or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        )
    return False


def http_client() -> TwilioHttpClient:
    """One pool of kept-alive connections for every send in flight in this process (the sender threads share it).

    The environment's proxy and CA settings are read once here, not on every request as requests does by default
    (a scan of os.environ that cost more than the rest of the request)."""
    client = TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS)
    size = settings.MESSAGING_SEND_CONCURRENCY + 4  # the sender threads', and a sweep's status look-ups
    for prefix in ("https://", "http://"):
        client.session.mount(prefix, HTTPAdapter(pool_connections=1, pool_maxsize=size, pool_block=False))
    client.session.trust_env = False
    host = urlsplit(settings.TWILIO_API_BASE_URL or "https://api.twilio.com").hostname or ""
    if not proxy_bypass_environment(host):
        client.proxy = {scheme: url for scheme, url in getproxies_environment().items() if scheme in {"http", "https"}}
    client.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return client


class TwilioBackend(BaseBackend):
    fetches_status = True

    def __init__(self):
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client())
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def warm(self) -> None:
        # twilio imports its API modules on first use: about 60 ms.
        _ = (self.client.messages, self.client.calls)

    def status_callback_url(self, message_id: int) -> str:
        """Our message id is in the URL, so a callback finds its message even when Twilio's answer never came back."""
        return settings.SITE_URL.rstrip("/") + reverse("messaging:twilio_status_for_message", args=[message_id])

    def fetch_status(self, *, channel: str, provider_id: str) -> ProviderStatus | None:
        try:
            if channel == "sms":
                found = self.client.messages(provider_id).fetch()
                return ProviderStatus(status=found.status or "", error_code=str(found.error_code or ""))
            found = self.client.calls(provider_id).fetch()
            return ProviderStatus(status=found.status or "")
        except TwilioRestException as error:
            if error.status == 404:
                return None
            raise TransientSendError(f"Twilio {error.status} error {error.code}") from error
        except RequestException as error:
            raise TransientSendError(f"Twilio unreachable: {error.__class__.__name__}") from error

    def send(self, outgoing: Outgoing) -> str:
        try:
            if outgoing.channel == "sms":
                kwargs = {"validity_period": outgoing.validity_seconds} if outgoing.validity_seconds else {}
                sent = self.client.messages.create(
                    to=outgoing.to,
                    from_=settings.TWILIO_FROM_NUMBER,
                    body=outgoing.text,
                    status_callback=self.status_callback_url(outgoing.message_id),
                    **kwargs,
                )
            else:
                response = VoiceResponse()
                response.say(
                    outgoing.text,
                    voice="alice",
                    language=SAY_LANGUAGE.get(outgoing.language, outgoing.language),
                )
                sent = self.client.calls.create(
                    to=outgoing.to,
                    from_=settings.TWILIO_FROM_NUMBER,
                    twiml=str(response),
                    status_callback=self.status_callback_url(outgoing.message_id),
                    status_callback_event=["completed"],
                )
        except TwilioRestException as error:
            detail = f"Twilio {error.status} error {error.code}: {error.msg}"[:500]
            if error.status in NOTHING_SENT_STATUSES:
                raise TransientSendError(detail) from error
            if error.status >= 500:
                raise AmbiguousSendError(detail) from error
            raise PermanentSendError(PERMANENT_ERRORS.get(error.code, FailureReason.PROVIDER_ERROR), detail) from error
        except ConnectTimeout as error:
            raise TransientSendError(f"connect timeout: {error.__class__.__name__}") from error
        except ReadTimeout as error:
            raise AmbiguousSendError("read timeout: the request may have reached Twilio") from error
        except RequestsConnectionError as error:
            if _caused_by_refused_connection(error):
                raise TransientSendError("connection refused") from error
            raise AmbiguousSendError(f"connection lost: {error.__class__.__name__}") from error
        return sent.sid
