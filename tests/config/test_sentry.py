"""Error reports carry no local variables, no request body and no cookies: codes and passwords never leave."""

import json

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from config.sentry import sentry_init

pytestmark = pytest.mark.urls("tests.config.error_urls")

TYPED_CODE = "493817"
TYPED_PASSWORD = "hunter2-but-longer"


class RecordingTransport(Transport):
    """Keeps every envelope in memory instead of sending it anywhere."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def sentry_events():
    transport = RecordingTransport()
    sentry_init(dsn="https://public@sentry.example/1", environment="test", transport=transport)
    events = []
    yield events, transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: reporting off again for the rest of the suite


def _events(transport) -> list[dict]:
    return [item.payload.json for envelope in transport.envelopes for item in envelope.items if item.type == "event"]


@pytest.mark.django_db
def test_an_error_report_has_no_local_variables_and_no_post_data(client, sentry_events):
    _, transport = sentry_events
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-key-that-must-not-leave"

    response = client.post("/test-fail/", {"code": TYPED_CODE, "password": TYPED_PASSWORD})
    sentry_sdk.flush()

    assert response.status_code == 500
    events = _events(transport)
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "DeliberateError"
    frames = [frame for value in event["exception"]["values"] for frame in value["stacktrace"]["frames"]]
    assert frames and not any("vars" in frame for frame in frames)
    assert "data" not in event["request"] and "cookies" not in event["request"]
    assert "cookie" not in {name.lower() for name in event["request"].get("headers", {})}
    serialized = json.dumps(event)
    for secret in (TYPED_CODE, TYPED_PASSWORD, "a-session-key-that-must-not-leave"):
        assert secret not in serialized
    assert "user" not in event or "email" not in event["user"]
