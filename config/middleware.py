"""Web-tier guards: a database outage answers 503, and sign-in answers 503 at once when it is saturated."""

import threading

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from config.outage import database_unavailable, is_database_outage, signin_busy


class DatabaseUnavailableMiddleware:
    """OperationalError or InterfaceError from a view or its template: the static 503 page, not a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return database_unavailable(request, exception)
        return None


class SigninAdmissionMiddleware:
    """At most SIGNIN_ADMISSION_CONCURRENCY password checks at once in this process, and at most
    SIGNIN_ADMISSION_QUEUE waiting (each at most SIGNIN_ADMISSION_WAIT_SECONDS) for a turn; any other
    sign-in POST gets the 503 page at once. Argon2 costs ~100 ms of CPU: past the machine's capacity a queue
    only grows until every person in it has given up."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.turns = threading.BoundedSemaphore(settings.SIGNIN_ADMISSION_CONCURRENCY)
        self.waiting = 0
        self.waiting_lock = threading.Lock()
        self._paths: frozenset[str] | None = None

    def guarded_paths(self) -> frozenset[str]:
        if self._paths is None:
            self._paths = frozenset(reverse(name) for name in settings.SIGNIN_ADMISSION_URL_NAMES)
        return self._paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path_info not in self.guarded_paths():
            return self.get_response(request)
        if not self.turns.acquire(blocking=False):
            with self.waiting_lock:
                if self.waiting >= settings.SIGNIN_ADMISSION_QUEUE:
                    return signin_busy(request)
                self.waiting += 1
            try:
                admitted = self.turns.acquire(timeout=settings.SIGNIN_ADMISSION_WAIT_SECONDS)
            finally:
                with self.waiting_lock:
                    self.waiting -= 1
            if not admitted:
                return signin_busy(request)
        try:
            return self.get_response(request)
        finally:
            self.turns.release()
