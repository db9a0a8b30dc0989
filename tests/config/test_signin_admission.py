"""Sign-in admission: a bounded number of password checks at once per process, a short bounded wait, and an
immediate 503 with Retry-After for the rest."""

import threading

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import SigninAdmissionMiddleware


class SlowView:
    """Stands in for the password check: holds its turn until released."""

    def __init__(self):
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, request):
        if request.method == "POST" and request.path in {"/account/signin/", "/admin/login/"}:
            self.entered.release()
            self.release.wait(10)
        return HttpResponse("ok")


@pytest.fixture
def admission(settings):
    settings.SIGNIN_ADMISSION_CONCURRENCY = 1
    settings.SIGNIN_ADMISSION_QUEUE = 1
    settings.SIGNIN_ADMISSION_WAIT_SECONDS = 5
    view = SlowView()
    return SigninAdmissionMiddleware(view), view


def _post(middleware, path="/account/signin/"):
    return middleware(RequestFactory().post(path, {"email": "jo@example.com", "password": "x"}))


def test_past_the_turns_and_the_queue_a_sign_in_is_shed_at_once(admission):
    middleware, view = admission
    results = []
    first = threading.Thread(target=lambda: results.append(_post(middleware)))
    first.start()
    assert view.entered.acquire(timeout=5)  # one password check in progress
    second = threading.Thread(target=lambda: results.append(_post(middleware)))
    second.start()
    while middleware.waiting == 0:  # the second waits for its turn
        threading.Event().wait(0.01)

    shed = _post(middleware)  # the queue is full: answered at once

    assert shed.status_code == 503
    assert shed.headers["Retry-After"] == "5"
    assert "Lots of people are signing in right now" in shed.content.decode()
    assert 'href="/account/signin/"' in shed.content.decode()
    view.release.set()
    first.join(5)
    second.join(5)
    assert [r.status_code for r in results] == [200, 200]  # the waiting one got its turn


def test_a_wait_longer_than_the_limit_is_shed(admission, settings):
    settings.SIGNIN_ADMISSION_WAIT_SECONDS = 0.1
    middleware, view = admission
    first = threading.Thread(target=lambda: _post(middleware))
    first.start()
    assert view.entered.acquire(timeout=5)

    assert _post(middleware).status_code == 503

    view.release.set()
    first.join(5)
    assert middleware.waiting == 0


def test_the_admin_login_is_guarded_and_other_requests_are_not(admission, settings):
    settings.SIGNIN_ADMISSION_QUEUE = 0
    middleware, view = admission
    first = threading.Thread(target=lambda: _post(middleware, "/admin/login/"))
    first.start()
    assert view.entered.acquire(timeout=5)

    assert _post(middleware, "/admin/login/").status_code == 503
    assert _post(middleware).status_code == 503  # one allowance for both sign-in doors
    assert middleware(RequestFactory().get("/account/signin/")).status_code == 200  # a page view is never held
    assert _post(middleware, "/account/signup/").status_code == 200

    view.release.set()
    first.join(5)


@pytest.mark.django_db
def test_the_sign_in_page_is_installed_behind_admission(client, shopper, password, settings):
    settings.SIGNIN_ADMISSION_CONCURRENCY = 1
    response = client.post("/account/signin/", {"email": shopper.email, "password": password})
    assert response.status_code == 302  # one at a time is admitted
