"""Fault tests: real parts (PostgreSQL, Redis, Celery workers, the twilio client against the fake Twilio) made
to fail the way production ones do. The messaging fixtures come from tests/messaging."""

import contextlib
import socket
import threading

import pytest
from django.db import connection
from twilio.request_validator import RequestValidator

from tests.messaging.conftest import TWILIO_TOKEN, fake_twilio, fake_twilio_server  # noqa: F401
from tests.messaging.fake_twilio import callback_path
from tests.messaging.real_worker import clean_broker, fake, real_parts, start_worker  # noqa: F401


class TcpProxy:
    """A loopback port forwarded to a server. cut() drops every connection and refuses new ones, as a server
    that restarts does, until restore()."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            self._close(listener)  # nothing listens on the port: new connections are refused
        with self._lock:
            open_sockets, self._sockets = self._sockets, set()
        for sock in open_sockets:
            self._close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    client.close()
                    server.close()
                    continue
                self._sockets |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                self._close(sock)

    @staticmethod
    def _close(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked on it, which close() alone does not
        sock.close()


@pytest.fixture
def postgres_proxy(request):
    """The test database reached through a TCP proxy the test controls (for a worker subprocess)."""
    request.getfixturevalue("real_parts")
    settings_dict = connection.settings_dict
    proxy = TcpProxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
    yield proxy
    proxy.cut()


@pytest.fixture
def twilio_calls_back(client, settings):
    """Deliver the status callback Twilio would send for a message the fake accepted, signed as Twilio signs it."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN

    def call_back(server, sid: str, status: str, error_code: int | None = None):
        url, form = server.callback(sid, status, error_code)
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
        return client.post(callback_path(url), form, headers={"x-twilio-signature": signature})

    return call_back
