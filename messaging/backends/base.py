"""What a channel backend does, and the three ways a send can fail."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    """A rendered SMS or voice call, ready for a provider. Lives only in the worker's memory."""

    message_id: int
    channel: str
    to: str
    text: str
    language: str  # BCP 47, e.g. "de-DE"
    validity_seconds: int | None = None


@dataclass(frozen=True)
class ProviderStatus:
    """What the provider says became of a message it accepted: its own word ("delivered") and error code."""

    status: str
    error_code: str = ""


class SendError(Exception):
    pass


class TransientSendError(SendError):
    """Nothing was sent (connection refused, 429, 503): safe to retry."""


class AmbiguousSendError(SendError):
    """The provider may have sent it (500, 502, 504, read timeout): never resend blindly."""


class PermanentSendError(SendError):
    """It will never go to this destination; `reason` is a messaging.models.FailureReason."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


class BaseBackend:
    fetches_status = False  # whether fetch_status can ask the provider about a message

    def send(self, outgoing: Outgoing) -> str:
        """Hand the message to the provider; return its id for the message. Raise a SendError on failure."""
        raise NotImplementedError

    def fetch_status(self, *, channel: str, provider_id: str) -> ProviderStatus | None:
        """Ask the provider about a message it accepted; None when it knows none by that id.
        Raise a TransientSendError when it cannot be asked now."""
        return None

    def warm(self) -> None:
        """Load what the first send would otherwise load while a person waits for their code (a worker starting)."""


class UnconfiguredBackend(BaseBackend):
    """Production without an SMS provider: every SMS and voice message fails plainly, and is never printed."""

    def send(self, outgoing: Outgoing) -> str:
        raise PermanentSendError("provider_error", "no SMS or voice provider is configured (TWILIO_*)")


@lru_cache(maxsize=8)
def _backend(path: str) -> BaseBackend:
    return import_string(path)()


def get_backend() -> BaseBackend:
    return _backend(settings.MESSAGING_BACKEND)
