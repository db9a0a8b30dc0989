"""PostgreSQL unreachable: every page is the static 503 page with Retry-After, logged once, never a traceback."""

import logging

import pytest

from tests.faults.web_fixtures import database_unreachable

pytestmark = pytest.mark.django_db(transaction=True)


def _errors(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


SIGN_IN = {"email": "jo@example.com", "password": "a password"}


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/"), ("get", "/products/usb-cable/"), ("post", "/account/signin/")]
)
def test_a_page_while_the_database_is_down_is_the_503_page(client, caplog, method, path):
    client.raise_request_exception = False

    with database_unreachable(), caplog.at_level(logging.INFO):
        response = getattr(client, method)(path, SIGN_IN if method == "post" else {})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "We'll be back in a moment" in body and "Traceback" not in body and "OperationalError" not in body
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    errors = _errors(caplog)
    assert len(errors) == 1 and errors[0].name == "deadbolt.outage", [(r.name, r.getMessage()) for r in errors]
    assert path in errors[0].getMessage()


def test_a_signed_in_person_gets_the_503_page_and_is_still_signed_in_afterwards(client, shopper, caplog):
    client.raise_request_exception = False
    client.force_login(shopper)

    with database_unreachable(), caplog.at_level(logging.INFO):
        down = client.get("/account/security/")
        posted = client.post("/account/signin/", {"email": shopper.email, "password": "whatever it is"})

    assert down.status_code == 503 and posted.status_code == 503
    assert len(_errors(caplog)) == 2  # once per request
    back = client.get("/orders/")
    assert back.status_code == 200
    assert back.wsgi_request.user == shopper


def test_the_health_check_names_the_database_and_is_never_a_500(client):
    client.raise_request_exception = False

    with database_unreachable():
        response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"].startswith("down: OperationalError")
    assert body["checks"]["cache"] == "ok"
