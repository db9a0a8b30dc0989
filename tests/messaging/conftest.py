import pytest

from messaging.backends import locmem


@pytest.fixture(autouse=True)
def _empty_locmem_outbox():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


@pytest.fixture
def sms_outbox():
    """The SMS and voice messages handed to the (locmem) provider, in order."""
    return locmem.outbox
