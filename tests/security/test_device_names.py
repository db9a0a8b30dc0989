"""The readable name a trusted device gets from its browser's User-Agent."""

import pytest
from django.test import RequestFactory

from security.trusted_devices import device_name

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (CHROME_ANDROID, "Chrome on Android"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Mobile Safari on iOS"),
        ("curl/8.5.0", "curl"),  # a browser without a system says only the browser
        ("", "Unknown browser"),
        ("not a browser at all", "Unknown browser"),
    ],
)
def test_a_device_is_named_by_browser_and_system(user_agent, name):
    assert device_name(RequestFactory().get("/", headers={"user-agent": user_agent})) == name


def test_a_request_without_a_user_agent_is_an_unknown_browser():
    request = RequestFactory().get("/")
    request.META.pop("HTTP_USER_AGENT", None)

    assert device_name(request) == "Unknown browser"
