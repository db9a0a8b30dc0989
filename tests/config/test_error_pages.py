"""The 500 and 503 pages are static: they render from settings alone, look like the site and keep the CSP."""

import logging

import pytest
from django.db import OperationalError
from django.template import loader
from django.test import RequestFactory

from config.views import server_error

pytestmark = pytest.mark.urls("tests.config.error_urls")


def test_the_500_page_renders_without_a_request_or_a_database(settings):
    settings.TEMPLATES[0]["OPTIONS"]["context_processors"] = []  # nothing from a request

    html = loader.get_template("500.html").render({"shop_name": settings.SHOP_NAME})

    assert "Something went wrong on our side" in html
    assert 'href="/static/css/site.css"' in html  # the site's own stylesheet, no inline style
    assert "style=" not in html and "<style" not in html and "<script" not in html


def test_an_unexpected_error_is_the_static_500_page_with_no_traceback(client, caplog):
    client.raise_request_exception = False

    with caplog.at_level(logging.ERROR):
        response = client.post("/test-fail/", {"code": "123456"})

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body and "DeliberateError" not in body and "123456" not in body
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert [r.levelno for r in caplog.records if r.name == "django.request"] == [logging.ERROR]


def test_a_database_error_caught_after_the_view_is_the_503_page_logged_once(caplog):
    request = RequestFactory().get("/orders/")

    with caplog.at_level(logging.ERROR):
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            response = server_error(request)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "We'll be back in a moment" in response.content.decode()
    assert getattr(response, "_has_been_logged", False)  # django.request does not log it a second time
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
