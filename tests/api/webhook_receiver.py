"""A real local HTTP receiver for webhook tests, and a clock that moves only when told."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, object]:
        found: dict[str, object] = json.loads(self.body)
        return found

    def signed_by(self, secret: str) -> bool:
        """The check a receiver makes, written out here rather than borrowed from the code."""
        content = f"{self.headers['Webhook-Id']}.{self.headers['Webhook-Timestamp']}.".encode()
        digest = hmac.new(secret.encode(), content + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers["Webhook-Signature"], f"v1={digest}")


@dataclass
class Receiver:
    """Records every POST; answers `fail_status` to the first `fail_first` of them, or to all
    while `down`; `hang` seconds before answering make the sender time out."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    fail_first: int = 0
    fail_status: int = 500
    down: bool = False
    hang: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    # Set at each request, for tests that wait on a worker thread.
    arrived: threading.Event = field(default_factory=threading.Event)

    def answer(self, received: Received) -> int:
        with self.lock:
            self.requests.append(received)
            failing = self.down or len(self.requests) <= self.fail_first
        self.arrived.set()
        return self.fail_status if failing else 204

    @property
    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers["Webhook-Id"] for r in self.requests]

    def delivered_ids(self) -> list[str]:
        """The ids of the requests it accepted (after the failed ones)."""
        with self.lock:
            skip = self.fail_first
            return [r.headers["Webhook-Id"] for r in self.requests[skip:]]


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if state.hang:
                state.released.wait(state.hang)
            status = state.answer(Received(self.path, dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.released.set()
        server.shutdown()
        server.server_close()
        thread.join()


class StepClock:
    """UTC time that passes only when a test says so."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
