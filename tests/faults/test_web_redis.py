"""Redis stopped mid-run: nobody is signed out, sign-in (password and code), step-up and checkout work, wrong
passwords still wait, messages still reach the outbox, and no answer is a 500. Redis back: it is used again."""

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import Address, PaymentCard
from messaging.models import Message
from orders.models import Order
from tests.faults.web_fixtures import redis_cache_settings, redis_server  # noqa: F401 -- a fixture
from tests.helpers import code_page_open, last_code_sent_to

pytestmark = pytest.mark.django_db

SIGNIN, CODE = "/account/signin/", "/account/signin/code/"
SLOW = 2.0  # seconds: a dead Redis may cost a request milliseconds, never this


class Recorder:
    """Every answer the clients got, so the test can say none was a 500 and none was slow."""

    def __init__(self):
        self.answers: list[tuple[str, str, int, float]] = []

    def client(self) -> Client:
        client = Client(raise_request_exception=False)
        original = client.request

        def request(**kwargs):
            started = time.monotonic()
            response = original(**kwargs)
            self.answers.append(
                (
                    kwargs.get("REQUEST_METHOD", "GET"),
                    kwargs.get("PATH_INFO", ""),
                    response.status_code,
                    time.monotonic() - started,
                )
            )
            return response

        client.request = request
        return client

    def server_errors(self) -> list:
        return [answer for answer in self.answers if answer[2] >= 500]

    def slow(self) -> list:
        return [answer for answer in self.answers if answer[3] > SLOW]


def _checkout_form(client) -> dict:
    html = client.get("/checkout/").content.decode()
    return {
        "checkout_token": re.search(r'name="checkout_token" value="([^"]+)"', html).group(1),
        "address": re.search(r'name="address" value="(\d+)"[^>]*checked', html).group(1),
        "card": re.search(r'name="card" value="(\d+)"[^>]*checked', html).group(1),
    }


def _sign_in_with_email_code(client, user, password, mailoutbox) -> None:
    response = client.post(SIGNIN, {"email": user.email, "password": password})
    assert response.status_code == 302 and response.headers["Location"] == CODE, response.status_code
    code_page_open(client, CODE)
    done = client.post(CODE, {"do": "verify", "code": last_code_sent_to(user.email, mailoutbox)})
    assert done.status_code == 302 and done.headers["Location"] == "/", done.status_code


def test_redis_stopped_mid_run_and_started_again(
    redis_server,  # noqa: F811
    shopper,
    outsider,
    make_user,
    password,
    authenticator,
    catalog,
    mailoutbox,
):
    recorder = Recorder()
    Address.objects.create(
        user=shopper, full_name="Jo Shopper", line1="1 High St", city="London", postcode="N1 9EZ", is_default=True
    )
    PaymentCard.objects.create(
        user=shopper, brand="Visa", last4="4242", exp_month=1, exp_year=2040, name_on_card="JO SHOPPER"
    )
    target = make_user("pat.target@example.com", name="Pat Target")

    with override_settings(CACHES=redis_cache_settings(redis_server.url)):
        cache.set("probe", "up", 30)
        assert cache.get("probe") == "up"  # the cache is this Redis
        signed_in = recorder.client()  # signed in (with 2SV) before the outage
        signed_in.force_login(shopper)
        session = signed_in.session
        session[DEVICE_ID_SESSION_KEY] = authenticator.persistent_id
        session.save()
        assert signed_in.get("/account/security/").status_code == 200

        redis_server.stop()
        with pytest.raises(RedisConnectionError):
            cache.get("probe")  # really gone

        # Signed-in people stay signed in.
        page = signed_in.get("/account/security/")
        assert page.status_code == 200 and page.wsgi_request.user == shopper

        # Sign-in with the right password and its code step; the code goes through the outbox.
        before = Message.objects.count()
        _sign_in_with_email_code(recorder.client(), outsider, password, mailoutbox)
        assert Message.objects.filter(destination=outsider.email).exists()
        assert Message.objects.count() > before

        # Step-up with the authenticator.
        verify = "/account/verify/?action=two_step&next=/account/security/two-step/"
        assert signed_in.get(verify).status_code == 200
        stepped = signed_in.post(verify, {"do": "verify", "code": authenticator.app.now()})
        assert stepped.status_code == 302 and stepped.headers["Location"] == "/account/security/two-step/"

        # Checkout.
        signed_in.post("/products/the-quiet-lock/add/", {"quantity": 1})
        placed = signed_in.post("/checkout/", _checkout_form(signed_in))
        order = Order.objects.get(user=shopper)
        assert placed.status_code == 302 and placed.headers["Location"] == f"/orders/{order.pk}/"

        # Wrong passwords still wait: the limits never let a request through unchecked when the cache errors.
        guesser = recorder.client()
        answers = [
            guesser.post(SIGNIN, {"email": target.email, "password": f"wrong guess {n}"}).content.decode()
            for n in range(30)
        ]
        assert "Too many attempts" in answers[-1]
        refused = guesser.post(SIGNIN, {"email": target.email, "password": password})
        assert refused.status_code == 200 and "Too many attempts" in refused.content.decode()  # even the right one

        assert recorder.server_errors() == []
        assert recorder.slow() == []

        # Redis back: it is the cache again, and sign-in goes on.
        redis_server.start()
        deadline = time.monotonic() + 10
        while True:
            try:
                cache.set("probe", "back", 30)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert cache.get("probe") == "back"
        health = recorder.client().get("/health/").json()
        assert health["checks"]["cache"] == "ok"
        again = recorder.client()
        again.force_login(outsider)
        assert again.get("/account/security/").status_code == 200
        assert recorder.server_errors() == []
