"""A small stand-in for Twilio's REST API on loopback, for the real `twilio` client to talk to.

It answers the Messages and Calls endpoints like Twilio does (create, and fetch by SID), records every request it
receives, keeps the messages it accepted with their status and StatusCallback URL, and can be told how to answer
the next ones: success, an HTTP error with Twilio's error body, a slow reply, or an error after it accepted the
message anyway. `latency` (with `jitter`) delays every answer, as the network and Twilio do (100-300 ms in real
life); FAKE_TWILIO_LATENCY_MS and FAKE_TWILIO_JITTER_MS set them for every fake a benchmark or test starts. It keeps
connections alive (HTTP/1.1) as Twilio does, so a client's connection pool is measured as it would be used.
"""

import json
import os
import random
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ENDPOINT = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>AC\w{32})/(?P<kind>Messages|Calls)(?:/(?P<sid>\w{34}))?\.json$"
)
ERROR_TEXT = {
    21211: "The 'To' number is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
}


@dataclass(frozen=True)
class Answer:
    status: int = 201
    twilio_code: int | None = None
    delay: float = 0.0  # seconds to wait before answering (a slow provider)
    accepted: bool | None = None  # whether the message exists afterwards; by default only when status is 201


OK = Answer()


def error(status: int, twilio_code: int | None = None, *, accepted: bool = False) -> Answer:
    """An HTTP error; `accepted=True` for an error after Twilio took the message anyway (a 500 that sent it)."""
    code = twilio_code or {429: 20429, 500: 20500, 503: 20503}.get(status, 20500)
    return Answer(status=status, twilio_code=code, accepted=accepted)


def slow(seconds: float) -> Answer:
    return Answer(delay=seconds)


@dataclass
class Received:
    kind: str  # "Messages" or "Calls"
    form: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    sid: str = ""  # the SID of the message this request created, if it created one


@dataclass
class Accepted:
    """A message or call Twilio has, as a fetch returns it."""

    sid: str
    kind: str
    to: str
    status: str
    status_callback: str
    error_code: int | None = None


def _seconds_from_environment(name: str) -> float:
    return float(os.environ.get(name) or 0) / 1000


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a pool of clients connecting at once must not overflow the listen backlog


class FakeTwilio:
    def __init__(self, *, latency: float | None = None, jitter: float | None = None) -> None:
        self.answers: deque[Answer] = deque()
        self.received: list[Received] = []
        self.accepted: dict[str, Accepted] = {}
        self.fetched: list[str] = []  # the SIDs asked about, in order
        self.default_latency = _seconds_from_environment("FAKE_TWILIO_LATENCY_MS") if latency is None else latency
        self.default_jitter = _seconds_from_environment("FAKE_TWILIO_JITTER_MS") if jitter is None else jitter
        self.latency, self.jitter = self.default_latency, self.default_jitter
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API

            def do_GET(self):
                match = ENDPOINT.match(self.path)
                fake._wait()
                with fake._lock:
                    found = fake.accepted.get(match["sid"]) if match and match["sid"] else None
                    fake.fetched.append(match["sid"] if match else "")
                if found is None:
                    return self._error(404, 20404)
                return self._json(200, fake._resource(found, match["account"]))

            def do_POST(self):
                match = ENDPOINT.match(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if not match or match["sid"]:
                    return self._error(404, 20404)
                form = {key: values[-1] for key, values in parse_qs(body).items()}
                received = Received(kind=match["kind"], form=form)
                with fake._lock:
                    fake.received.append(received)
                    answer = fake.answers.popleft() if fake.answers else OK
                    accepted = answer.status < 400 if answer.accepted is None else answer.accepted
                    if accepted:
                        sid = ("SM" if match["kind"] == "Messages" else "CA") + secrets.token_hex(16)
                        received.sid = sid
                        fake.accepted[sid] = Accepted(
                            sid=sid,
                            kind=match["kind"],
                            to=form.get("To", ""),
                            status="queued",
                            status_callback=form.get("StatusCallback", ""),
                        )
                fake._wait(answer.delay)
                if answer.status >= 400:
                    return self._error(answer.status, answer.twilio_code)
                created = fake._resource(fake.accepted[received.sid], match["account"])
                return self._json(201, {**created, "body": form.get("Body")})

            def _error(self, status: int, code: int | None) -> None:
                self._json(
                    status,
                    {
                        "code": code,
                        "message": ERROR_TEXT.get(code, "Error"),
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status,
                    },
                )

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a read timeout): what a real provider would see too

            def log_message(self, *args) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeTwilio":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def set_latency(self, latency: float, jitter: float = 0.0) -> None:
        """Every answer waits `latency` seconds, give or take up to `jitter` (uniformly, never below 0)."""
        self.latency, self.jitter = latency, jitter

    def will_answer(self, *answers: Answer) -> None:
        with self._lock:
            self.answers.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self.answers.clear()
            self.received.clear()
            self.accepted.clear()
            self.fetched.clear()
        self.set_latency(self.default_latency, self.default_jitter)

    def sms(self) -> list[Received]:
        return [r for r in self.received if r.kind == "Messages"]

    def calls(self) -> list[Received]:
        return [r for r in self.received if r.kind == "Calls"]

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """What Twilio will say about this message from now on, to a fetch."""
        with self._lock:
            self.accepted[sid].status, self.accepted[sid].error_code = status, error_code

    def callback(self, sid: str, status: str, error_code: int | None = None) -> tuple[str, dict[str, str]]:
        """The status callback Twilio would send now for a message it accepted: (its URL, its form). The message
        takes that status for later fetches too."""
        self.set_status(sid, status, error_code)
        found = self.accepted[sid]
        form = {"AccountSid": "AC" + "0" * 32}
        if found.kind == "Messages":
            form |= {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "To": found.to}
        else:
            form |= {"CallSid": sid, "CallStatus": status, "To": found.to}
        if error_code:
            form["ErrorCode"] = str(error_code)
        return found.status_callback, form

    def _wait(self, extra: float = 0.0) -> None:
        delay = extra + self.latency + (random.uniform(-self.jitter, self.jitter) if self.jitter else 0.0)
        if delay > 0:
            time.sleep(delay)

    def _resource(self, found: Accepted, account: str) -> dict:
        return {
            "sid": found.sid,
            "account_sid": account,
            "status": found.status,
            "to": found.to,
            "error_code": found.error_code,
            "uri": f"/2010-04-01/Accounts/{account}/{found.kind}/{found.sid}.json",
        }


def callback_path(url: str) -> str:
    """The path (and query) of a StatusCallback URL, for the Django test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
