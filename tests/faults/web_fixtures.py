"""Real failures for the web fault tests: a Redis server of our own to stop, and a database made unreachable."""

import contextlib
import os
import shutil
import socket
import subprocess
import time

import pytest
from django.db import connections

IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server on a free loopback port, with nothing saved to disk; stop() kills it, start() restarts it
    on the same port."""

    def __init__(self, binary: str):
        self.binary, self.port, self.process = binary, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("redis-server is missing under CI (.ci/run installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


def redis_cache_settings(url: str) -> dict:
    """CACHES for the running settings' backend options, pointed at `url`."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"deadbolt-faults-{os.getpid()}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@contextlib.contextmanager
def database_unreachable(alias: str = "default"):
    """Point the connection at a port nobody listens on (PostgreSQL) or a folder that does not exist (SQLite),
    so every query fails as in an outage; restored afterwards. The embedded SQLite's test database lives in
    memory only as long as its connection: that connection is set aside meanwhile, never closed."""
    connection = connections[alias]
    saved = dict(connection.settings_dict)
    kept = None
    if connection.vendor == "postgresql":
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        connection.settings_dict.setdefault("OPTIONS", {})
        connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), "connect_timeout": 2}
    else:
        kept, connection.connection = connection.connection, None
        connection.settings_dict["NAME"] = "/nonexistent-deadbolt-folder/db.sqlite3"
    try:
        yield
    finally:
        if kept is None:
            connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        if kept is not None:
            connection.connection = kept
