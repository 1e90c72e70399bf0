"""The webhook worker: queue outbox events for each subscription, then send the due ones, signed.

Each pass first moves every active subscription's cursor along the outbox, inserting one
delivery row per matching event in the same transaction, then sends each subscription's oldest
due delivery until one fails (that subscription waits for its backoff; the others go on).
Everything it knows lives in the database, so a new worker (after a restart) goes on where the
last one stopped. No web framework here: `wms api` runs it in a thread beside the server and
`wms api webhook run` runs it alone.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from wms_tui.domain import exports, webhooks
from wms_tui.domain.errors import BadInput
from wms_tui.domain.exports import Cursor
from wms_tui.domain.stock import with_retry
from wms_tui.domain.webhooks import Delivery, DeliveryState, RetryPolicy, Subscription

if TYPE_CHECKING:
    from wms_tui.bootstrap import UnitOfWorkFactory

log = logging.getLogger(__name__)

# url, body, headers, timeout -> the HTTP status; raises on a network failure or a timeout.
Sender = Callable[[str, bytes, Mapping[str, str], float], int]
Clock = Callable[[], datetime]

USER_AGENT = "wms-tui-webhooks/1"
DEFAULT_TIMEOUT = 10.0
# Longer than any try can take, so a claim runs out only when its worker died.
DEFAULT_LEASE = 300.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed try: the signed POST is not sent on to another address."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def post_json(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST body with the standard library; the status, 4xx and 5xx included."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)


def utc_now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


@dataclass
class PassReport:
    """What one pass did."""

    queued: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0

    @property
    def idle(self) -> bool:
        return not (self.queued or self.delivered or self.failed)


class WebhookWorker:
    """Delivers webhooks from the database; any number may run at once on one database."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *, policy: RetryPolicy | None = None,
                 clock: Clock = utc_now, send: Sender = post_json, name: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, lease: float = DEFAULT_LEASE,
                 batch: int = 100) -> None:
        self.uow_factory = uow_factory
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.send = send
        self.name = name or worker_name()
        self.timeout = timeout
        self.lease = timedelta(seconds=lease)
        self.batch = batch

    def run_once(self) -> PassReport:
        """Queue what the outbox has for each subscription, then send what is due."""
        report = PassReport(queued=self.queue())
        self.deliver(report)
        return report

    def run(self, stop: threading.Event, idle: float = 1.0) -> None:
        """Pass after pass until stop is set, resting idle seconds when a pass did nothing."""
        while not stop.is_set():
            try:
                report = self.run_once()
            except Exception:
                # A database outage must not end delivery for good: log it and try again.
                log.exception("webhook pass failed")
                report = PassReport()
            if report.idle:
                stop.wait(idle)

    def _subscriptions(self) -> list[Subscription]:
        with self.uow_factory() as uow:
            return uow.webhooks.subscriptions(active_only=True)

    # Queueing.

    def queue(self) -> int:
        return sum(self._queue(sub) for sub in self._subscriptions())

    def _queue(self, sub: Subscription) -> int:
        queued, seen = 0, sub.cursor
        while True:
            def batch(at: str = seen) -> tuple[str, int] | None:
                return self._queue_batch(sub, at)

            try:
                step = with_retry(batch)
            except BadInput as refused:
                # A restored or foreign database: the cursor cannot be honoured exactly.
                log.warning("webhook %s (%s): %s", sub.id, sub.client, refused)
                return queued
            if step is None:
                return queued
            seen, count = step
            queued += count

    def _queue_batch(self, sub: Subscription, seen: str) -> tuple[str, int] | None:
        """One batch queued and the cursor moved, in one transaction; None: nothing new, or
        another worker moved the cursor first (it queues these events)."""
        with self.uow_factory() as uow:
            batch = exports.next_batch(uow.reports, Cursor.parse(seen), self.batch, sub.kinds)
            moved = batch.cursor.text()
            if moved == seen or not uow.webhooks.advance(sub.id, seen, moved):
                return None
            rows = [(e.cursor.text(), e.kind.value, webhooks.event_body(e.record()))
                    for e in batch.events]
            uow.webhooks.enqueue(sub.id, rows, self.clock())
            uow.commit()
        return moved, len(rows)

    # Sending.

    def deliver(self, report: PassReport | None = None) -> PassReport:
        report = report or PassReport()
        for sub in self._subscriptions():
            def claim(of: Subscription = sub) -> Delivery | None:
                return self._claim(of)

            while (delivery := with_retry(claim)) is not None:
                if not self._try(sub, delivery, report):
                    break
        return report

    def _claim(self, sub: Subscription) -> Delivery | None:
        now = self.clock()
        with self.uow_factory() as uow:
            claimed = uow.webhooks.claim_head(sub.id, self.name, now, now + self.lease)
            uow.commit()
        return claimed

    def headers(self, sub: Subscription, delivery: Delivery, body: bytes) -> dict[str, str]:
        timestamp = int(self.clock().timestamp())
        return {
            "Content-Type": "application/json", "User-Agent": USER_AGENT,
            "Webhook-Id": delivery.event_id, "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": webhooks.signature(sub.secret, delivery.event_id, timestamp,
                                                    body),
        }

    def _try(self, sub: Subscription, delivery: Delivery, report: PassReport) -> bool:
        """Send one claimed delivery and record the outcome; whether it was delivered."""
        body = delivery.body.encode()
        error: str | None = None
        try:
            status = self.send(sub.url, body, self.headers(sub, delivery, body), self.timeout)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as failure:
            # Any failure to send (refused, reset, timed out, a bad answer) is a failed try.
            error = webhooks.short_error(f"{type(failure).__name__}: {failure}")
        tries = delivery.tries + 1
        now = self.clock()
        if error is None:
            state, next_at = DeliveryState.DELIVERED, now
            report.delivered += 1
        else:
            delay = self.policy.delay_after(tries)
            report.failed += 1
            if delay is None:
                state, next_at = DeliveryState.DEAD, now
                report.dead += 1
                log.warning("webhook %s: event %s dead after %d tries (%s)", sub.id,
                            delivery.event_id, tries, error)
            else:
                state, next_at = DeliveryState.PENDING, now + timedelta(seconds=delay)

        def record() -> bool:
            with self.uow_factory() as uow:
                kept = uow.webhooks.finish(delivery.id, self.name, state=state, tries=tries,
                                           next_at=next_at, error=error, now=now)
                uow.commit()
            return kept

        if not with_retry(record):
            log.warning("webhook %s: the claim on event %s ran out before its answer",
                        sub.id, delivery.event_id)
        return error is None


def start_in_thread(worker: WebhookWorker, idle: float = 1.0) -> tuple[threading.Thread,
                                                                          threading.Event]:
    """Run worker in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop, idle), name="webhooks",
                              daemon=True)
    thread.start()
    return thread, stop
