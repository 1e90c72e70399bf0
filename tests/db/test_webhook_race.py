"""Webhook workers racing on one database, each on its own connection pool: every event reaches
the receiver exactly once and in order (a delivery is claimed by one
UPDATE ... WHERE state = 'pending' AND unclaimed ... RETURNING, the cursor moved by a
compare-and-set), on PostgreSQL as on SQLite."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.api.webhook_receiver import StepClock, receiver
from tests.db.test_pick_race import together
from tests.factories import build_warehouse
from wms_tui.api import subscriptions
from wms_tui.api.webhook_worker import WebhookWorker
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Receive, post

EVENTS = 30
WORKERS = 6


def test_racing_workers_deliver_each_event_once_in_order(
        engine: Engine, own_engines: list[Engine]) -> None:
    wh = build_warehouse(engine)
    clock = StepClock()
    with receiver() as hook:
        _, secret = subscriptions.subscribe(uow_factory(engine), "erp", hook.url, ())
        _, other = subscriptions.subscribe(uow_factory(engine), "erp", hook.url + "/2", ())
        for n in range(EVENTS):
            post(uow_factory(engine), wh.admin, Receive(wh.widget, n + 1, wh.dock, f"ASN-{n}"))
        workers = [WebhookWorker(uow_factory(own_engines[i % len(own_engines)]), clock=clock,
                                 name=f"w{i}") for i in range(WORKERS)]

        def drain(worker: WebhookWorker) -> int:
            sent = 0
            for _ in range(EVENTS * 4):
                report = worker.run_once()
                sent += report.delivered
                if report.idle and len(hook.requests) >= 2 * EVENTS:
                    break
            return sent

        sent = together(*[lambda w=w: drain(w) for w in workers])
        assert sum(sent) == 2 * EVENTS
        for path, key in (("/hook", secret), ("/hook/2", other)):
            got = [r for r in hook.requests if r.path == path]
            assert [r.event["quantity"] for r in got] == list(range(1, EVENTS + 1))
            assert all(r.signed_by(key) for r in got)
