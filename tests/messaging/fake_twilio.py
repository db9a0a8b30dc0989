"""A small stand-in for Twilio's REST API on loopback, for the real `twilio` client to talk to.

It answers the Messages and Calls endpoints like Twilio does, records every request it receives, and can be
told how to answer the next ones: success, an HTTP error with Twilio's error body, or a slow reply.
"""

import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ENDPOINT = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w{32})/(?P<kind>Messages|Calls)\.json$")
ERROR_TEXT = {
    21211: "The 'To' number is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
}


@dataclass(frozen=True)
class Answer:
    status: int = 201
    twilio_code: int | None = None
    delay: float = 0.0  # seconds to wait before answering (a slow provider)


OK = Answer()


def error(status: int, twilio_code: int | None = None) -> Answer:
    return Answer(status=status, twilio_code=twilio_code or {429: 20429, 500: 20500, 503: 20503}.get(status, 20500))


def slow(seconds: float) -> Answer:
    return Answer(delay=seconds)


@dataclass
class Received:
    kind: str  # "Messages" or "Calls"
    form: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeTwilio:
    def __init__(self) -> None:
        self.answers: deque[Answer] = deque()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                match = ENDPOINT.match(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if not match:
                    return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
                form = {key: values[-1] for key, values in parse_qs(body).items()}
                with fake._lock:
                    fake.received.append(Received(kind=match["kind"], form=form))
                    answer = fake.answers.popleft() if fake.answers else OK
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.status >= 400:
                    code = answer.twilio_code
                    return self._json(
                        answer.status,
                        {
                            "code": code,
                            "message": ERROR_TEXT.get(code, "Error"),
                            "more_info": f"https://www.twilio.com/docs/errors/{code}",
                            "status": answer.status,
                        },
                    )
                prefix = "SM" if match["kind"] == "Messages" else "CA"
                sid = prefix + secrets.token_hex(16)
                return self._json(
                    201,
                    {
                        "sid": sid,
                        "account_sid": match["account"],
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "uri": f"{self.path[:-5]}/{sid}.json",
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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
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

    def will_answer(self, *answers: Answer) -> None:
        with self._lock:
            self.answers.extend(answers)

    def reset(self) -> None:
        with self._lock:
            self.answers.clear()
            self.received.clear()

    def sms(self) -> list[Received]:
        return [r for r in self.received if r.kind == "Messages"]

    def calls(self) -> list[Received]:
        return [r for r in self.received if r.kind == "Calls"]
