"""End to end, the way an ERP sees it: an order posted twice with one Idempotency-Key (the
second time to a restarted API) creates one order; that order is received, put away, picked
and shipped through the domain services; a real local receiver gets every event of the run
exactly once (by Webhook-Id), signed, although it answers 503 for part of the run and the
delivery worker is replaced mid-run by a new one on the same database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.webhook_receiver import Receiver, StepClock, receiver
from tests.conftest import fresh_sqlite_engine
from tests.db.outbound_site import TODAY
from tests.db.outbound_site import Site as Floor
from wms_tui.api import subscriptions
from wms_tui.api.app import create_app
from wms_tui.api.clients import ClientBook, Scope
from wms_tui.api.webhook_worker import WebhookWorker
from wms_tui.bootstrap import Site, wire
from wms_tui.domain import shipping
from wms_tui.domain.outbound import TaskKind, confirm_pick, release_wave
from wms_tui.domain.stock import Move, post
from wms_tui.domain.webhooks import RetryPolicy

# Enough tries that the outage never sends a delivery to the dead letters.
PATIENT = RetryPolicy(delays=(10, 30, 120), max_tries=20)
ORDER = {"reference": "SO-9", "customer": "ACME", "ship_date": "2026-01-05",
         "lines": [{"line_no": 1, "sku": "WIDGET", "quantity": 12}]}


@dataclass
class Run:
    site: Site
    floor: Floor
    book: ClientBook
    headers: dict[str, str]
    hook: Receiver
    clock: StepClock
    secret: str

    def worker(self) -> WebhookWorker:
        """A worker as a restarted process makes one: nothing but the database in common."""
        return WebhookWorker(self.site.uow_factory, policy=PATIENT, clock=self.clock)

    def drain(self, worker: WebhookWorker) -> None:
        """Passes, with the clock past every backoff, until nothing is queued, sent or failed."""
        for _ in range(50):
            report = worker.run_once()
            if report.idle:
                return
            self.clock.advance(600)
        raise AssertionError("the worker never went idle")

    def post_order(self) -> Any:
        """POST the order to a freshly started app, as after a restart of `wms api`."""
        with TestClient(create_app(self.site, self.book)) as http:
            return http.post("/v1/orders/outbound", json=ORDER,
                             headers={**self.headers, "Idempotency-Key": "erp-order-9"})

    def feed(self) -> list[dict[str, Any]]:
        with TestClient(create_app(self.site, self.book)) as http:
            page = http.get("/v1/events", headers=self.headers, params={"limit": 1000})
            events: list[dict[str, Any]] = page.json()["events"]
            return events


def same_fields(event: dict[str, Any], fed: dict[str, Any]) -> dict[str, Any]:
    """The fields of event that the feed's event fed carries too (the webhook adds its id);
    both spell times alike (RFC 3339, Z), so they compare as they are."""
    return {k: event[k] for k in fed}


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    floor = Floor.build(engine)
    site = wire(engine)
    book = ClientBook(tmp_path / "clients.json")
    _, key = book.add("erp", (Scope.ADMIN,), "SUP1", rate=1000, burst=1000)
    with receiver() as hook:
        _, secret = subscriptions.subscribe(site.uow_factory, "erp", hook.url, ())
        yield Run(site, floor, book, {"Authorization": f"Bearer {key}"}, hook, StepClock(),
                  secret)
    site.close()
    engine.dispose()


def test_every_event_of_a_run_arrives_once_through_an_outage_and_a_restart(run: Run) -> None:
    wh, floor = run.floor.wh, run.floor
    first, again = run.post_order(), run.post_order()
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    with run.site.engine.connect() as conn:
        orders = list(conn.execute(text("SELECT reference FROM outbound_order")))
    assert orders == [("SO-9",)]

    worker = run.worker()
    floor.receive(wh.widget, 12, wh.dock)
    run.drain(worker)
    accepted = list(run.hook.requests)

    # The receiver goes down: the putaway and the picks are tried, refused, and kept.
    run.hook.fail_status, run.hook.down = 503, True
    post(floor.uow, wh.operator, Move(wh.widget, 12, wh.dock, wh.a1, "PUTAWAY"))
    release_wave(floor.uow, wh.supervisor, today=TODAY)
    with floor.uow() as uow:
        tasks = uow.outbound.tasks(kind=TaskKind.PICK)
    for task in tasks:
        confirm_pick(floor.uow, wh.operator, task.id, task.remaining,
                     to_location_id=floor.tote1, today=TODAY)
    for _ in range(3):
        assert worker.run_once().failed == 1
        run.clock.advance(600)
    refused = len(run.hook.requests) - len(accepted)
    assert refused == 3

    # The worker process is replaced (the old object is never used again); the receiver is up.
    run.hook.down = False
    worker = run.worker()
    run.drain(worker)
    packed = shipping.pack_carton(floor.uow, wh.operator, tote="TOTE-1", everything=True,
                                  kind="BOX-M", settings=shipping.SsccSettings("0614141"))
    shipment = shipping.create_shipment(floor.uow, wh.operator, dock="DOCK-1").shipment
    shipping.load_cartons(floor.uow, wh.operator, shipment=shipment, ssccs=[packed.sscc])
    confirmed = shipping.confirm_shipment(floor.uow, wh.operator, shipment=shipment)
    assert confirmed.shipped_orders == ["SO-9"]
    run.drain(worker)
    accepted += run.hook.requests[len(accepted) + refused:]

    # Every feed event once, in feed order, with the body the feed gives and a valid signature.
    feed = run.feed()
    ids = [r.headers["Webhook-Id"] for r in accepted]
    assert ids == [e["cursor"] for e in feed]
    assert Counter(ids).most_common(1)[0][1] == 1
    assert [same_fields(r.event, e) for r, e in zip(accepted, feed, strict=True)] == [
        same_fields(e, e) for e in feed]
    assert all(r.event["id"] == r.headers["Webhook-Id"] for r in accepted)
    assert all(r.signed_by(run.secret) for r in run.hook.requests)
    shipped = [r.event for r in accepted if r.event["event"] == "shipment"]
    assert [(e["sscc"], e["shipment"], e["order"]) for e in shipped] == [
        (packed.sscc, shipment, "SO-9")]
    kinds = [e["event"] for e in feed]
    assert {"receipt", "move", "pick", "shipment"} <= set(kinds)
    assert kinds[0] == "receipt" and kinds[-1] == "shipment"
    # A refused try is retried under the same Webhook-Id: what the receiver de-duplicates on.
    retried = {r.headers["Webhook-Id"] for r in run.hook.requests[len(accepted) - len(ids):]}
    assert retried <= set(ids)
