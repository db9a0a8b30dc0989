import pytest

from messaging.backends import locmem
from messaging.backends.base import _backend
from tests.messaging.fake_twilio import FakeTwilio

TWILIO_SID = "AC" + "f" * 32
TWILIO_TOKEN = "fake-twilio-auth-token"
TWILIO_FROM = "+15005550006"


@pytest.fixture(autouse=True)
def _empty_locmem_outbox():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


@pytest.fixture
def sms_outbox():
    """The SMS and voice messages handed to the (locmem) provider, in order."""
    return locmem.outbox


@pytest.fixture(scope="session")
def fake_twilio_server():
    server = FakeTwilio().start()
    yield server
    server.stop()


@pytest.fixture
def fake_twilio(fake_twilio_server, settings):
    """The real twilio client, pointed at the fake on loopback."""
    fake_twilio_server.reset()
    settings.MESSAGING_BACKEND = "messaging.backends.twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = TWILIO_SID, TWILIO_TOKEN
    settings.TWILIO_FROM_NUMBER, settings.TWILIO_API_BASE_URL = TWILIO_FROM, fake_twilio_server.url
    settings.TWILIO_TIMEOUT_SECONDS = 1
    _backend.cache_clear()
    yield fake_twilio_server
    _backend.cache_clear()


# A real worker's fixtures, for tests marked real_worker (tests/messaging/real_worker.py).
from tests.messaging.real_worker import clean_broker, fake, real_parts, start_worker  # noqa: E402, F401
