"""Webhooks end to end on SQLite: a real local receiver gets each outbox event signed, once, in
order; failures are retried on the backoff schedule, then dead-lettered and replayable; a new
worker on the same database goes on where the last stopped."""

from __future__ import annotations

import hmac
import json
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.api.webhook_receiver import Receiver, StepClock, receiver
from tests.conftest import fresh_sqlite_engine
from wms_tui.api import subscriptions
from wms_tui.api.clients import Scope
from wms_tui.api.webhook_worker import WebhookWorker
from wms_tui.bootstrap import wire
from wms_tui.domain import webhooks
from wms_tui.domain.errors import BadInput
from wms_tui.domain.stock import Move, post
from wms_tui.domain.webhooks import DeliveryState, RetryPolicy

FAST = RetryPolicy(delays=(10, 30, 120), max_tries=4)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    yield from make_api(engine, tmp_path)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as found:
        yield found


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


def worker(api: Api, clock: StepClock, policy: RetryPolicy = FAST, **options: object) -> \
        WebhookWorker:
    return WebhookWorker(api.site.uow_factory, policy=policy, clock=clock,
                         **options)  # type: ignore[arg-type]


def subscribe(api: Api, url: str, *kinds: str, since: str = "now") -> str:
    _, secret = subscriptions.subscribe(api.site.uow_factory, "erp", url, kinds, since)
    return secret


def closed_port() -> int:
    """A port nothing listens on: taken from the system, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def feed_ids(api: Api, headers: dict[str, str]) -> list[str]:
    """The event ids (cursors) the feed gives, for comparing with what was delivered."""
    page = api.http.get("/v1/events", headers=headers, params={"limit": 1000}).json()
    return [e["cursor"] for e in page["events"]]


def test_each_event_is_posted_once_signed_and_in_order(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    secret = subscribe(api, hook.url)
    for qty in (1, 2, 3):
        api.receive(api.wh.widget, qty, api.wh.dock)
    report = worker(api, clock).run_once()
    assert (report.queued, report.delivered, report.failed) == (3, 3, 0)
    assert hook.ids == feed_ids(api, api.key("feed", Scope.READ))
    for request in hook.requests:
        assert request.signed_by(secret)
        assert not request.signed_by(secret + "x")
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Webhook-Timestamp"] == str(int(clock.now.timestamp()))
        assert request.event["id"] == request.headers["Webhook-Id"] == request.event["cursor"]
        assert request.event["event"] == "receipt"
    assert [r.event["quantity"] for r in hook.requests] == [1, 2, 3]
    # Nothing new: nothing sent again.
    assert worker(api, clock).run_once().idle
    assert len(hook.requests) == 3


def test_a_webhook_body_is_the_feed_event_byte_for_byte_led_by_its_id(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    subscribe(api, hook.url)
    api.receive(api.wh.widget, 4, api.wh.dock)
    api.receive(api.wh.lotted, 6, api.wh.dock, lot="L1", expiry=date(2031, 1, 1))
    worker(api, clock).run_once()
    page = api.http.get("/v1/events", headers=api.key("feed", Scope.READ)).json()
    assert len(page["events"]) == len(hook.requests) == 2
    for fed, request in zip(page["events"], hook.requests, strict=True):
        # One spelling of UTC everywhere: RFC 3339 ending in Z.
        assert fed["time"].endswith("Z") and "+00:00" not in request.body.decode()
        same = json.dumps({"id": fed["cursor"], **fed}, ensure_ascii=False,
                          separators=(",", ":"))
        assert request.body.decode() == same


def test_a_subscription_starts_after_the_events_before_it_unless_told(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    api.receive(api.wh.widget, 1, api.wh.dock)
    subscribe(api, hook.url)
    subscribe(api, hook.url + "?all", since="0")
    api.receive(api.wh.widget, 2, api.wh.dock)
    worker(api, clock).run_once()
    by_path: dict[str, list[object]] = {}
    for r in hook.requests:
        by_path.setdefault(r.path, []).append(r.event["quantity"])
    assert by_path == {"/hook": [2], "/hook?all": [1, 2]}


def test_the_kind_filter_sends_only_those_events(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    subscribe(api, hook.url, "move")
    api.receive(api.wh.widget, 5, api.wh.dock)
    post(api.site.uow_factory, api.wh.admin, Move(api.wh.widget, 2, api.wh.dock, api.wh.a1, "M1"))
    worker(api, clock).run_once()
    assert [r.event["event"] for r in hook.requests] == ["move"]


def test_failures_are_retried_on_the_backoff_schedule_in_order(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    hook.fail_first = 2
    subscribe(api, hook.url)
    api.receive(api.wh.widget, 1, api.wh.dock)
    api.receive(api.wh.widget, 2, api.wh.dock)
    w = worker(api, clock)
    first = w.run_once()
    assert (first.delivered, first.failed) == (0, 1)
    # The head waits 10 s, and the event behind it waits too: order per subscription.
    clock.advance(9)
    assert w.run_once().idle and len(hook.requests) == 1
    clock.advance(1)
    assert w.run_once().failed == 1 and len(hook.requests) == 2
    clock.advance(29)
    assert w.run_once().idle
    clock.advance(1)
    assert w.run_once().delivered == 2
    ids = hook.ids
    assert ids[0] == ids[1] == ids[2] and ids[3] != ids[0]
    assert [r.event["quantity"] for r in hook.requests] == [1, 1, 1, 2]
    with api.site.read_factory() as uow:
        kept = uow.webhooks.deliveries()
    assert [(d.state, d.tries, d.last_error) for d in kept] == [
        (DeliveryState.DELIVERED, 3, None), (DeliveryState.DELIVERED, 1, None)]


def test_after_max_tries_a_delivery_is_dead_and_replay_sends_it_again(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    hook.down = True
    subscribe(api, hook.url)
    api.receive(api.wh.widget, 1, api.wh.dock)
    w = worker(api, clock)
    for delay in (0, 10, 30, 120):
        clock.advance(delay)
        assert w.run_once().failed == 1
    assert len(hook.requests) == FAST.max_tries
    dead = subscriptions.dead_letters(api.site.read_factory)
    assert [(d.tries, d.last_error) for d in dead] == [(4, "HTTP 500")]
    clock.advance(3600)
    assert w.run_once().idle
    # A dead delivery no longer holds up the ones behind it.
    hook.down = False
    api.receive(api.wh.widget, 2, api.wh.dock)
    assert w.run_once().delivered == 1
    assert hook.requests[-1].event["quantity"] == 2
    assert subscriptions.replay(api.site.uow_factory, [dead[0].id], now=clock.now) == 1
    assert subscriptions.replay(api.site.uow_factory, None, now=clock.now) == 0
    assert w.run_once().delivered == 1
    assert hook.requests[-1].headers["Webhook-Id"] == dead[0].event_id
    assert subscriptions.dead_letters(api.site.read_factory) == []


def test_a_timeout_or_a_refused_connection_is_a_failed_try(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    hook.hang = 30
    subscribe(api, hook.url)
    subscribe(api, f"http://127.0.0.1:{closed_port()}/closed")
    api.receive(api.wh.widget, 1, api.wh.dock)
    report = worker(api, clock, timeout=0.2).run_once()
    assert (report.delivered, report.failed) == (0, 2)
    with api.site.read_factory() as uow:
        errors = sorted(d.last_error or "" for d in uow.webhooks.deliveries())
    assert errors == ["TimeoutError: timed out",
                      "URLError: <urlopen error [Errno 111] Connection refused>"]


def test_a_failing_subscription_does_not_hold_up_another(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    hook.down = True
    subscribe(api, hook.url)
    with receiver() as healthy:
        subscribe(api, healthy.url)
        for qty in (1, 2, 3):
            api.receive(api.wh.widget, qty, api.wh.dock)
        report = worker(api, clock).run_once()
        assert [r.event["quantity"] for r in healthy.requests] == [1, 2, 3]
    assert (report.delivered, report.failed) == (3, 1)
    assert len(hook.requests) == 1


def test_a_new_worker_goes_on_from_the_database_without_sending_twice(
        api: Api, hook: Receiver, clock: StepClock, tmp_path: Path) -> None:
    subscribe(api, hook.url)
    api.receive(api.wh.widget, 1, api.wh.dock)
    worker(api, clock).run_once()
    api.receive(api.wh.widget, 2, api.wh.dock)
    api.receive(api.wh.widget, 3, api.wh.dock)
    # The first worker queued event 2 and claimed it, then died before sending.
    dying = worker(api, clock, lease=60)
    dying.queue()
    with api.site.read_factory() as uow:
        sub = uow.webhooks.subscriptions()[0]
    assert dying._claim(sub) is not None
    # A restart: a new site (engine) and a new worker on the same database file.
    site = wire(f"sqlite:///{tmp_path / 'wms.db'}")
    try:
        after = WebhookWorker(site.uow_factory, policy=FAST, clock=clock)
        assert after.run_once().idle, "the dead worker's claim still holds"
        clock.advance(61)
        assert after.run_once().delivered == 2
        assert after.run_once().idle
    finally:
        site.close()
    assert [r.event["quantity"] for r in hook.requests] == [1, 2, 3]
    assert len(set(hook.ids)) == 3


def test_a_removed_subscription_gets_nothing_more(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    subscribe(api, hook.url)
    with api.site.read_factory() as uow:
        sub_id = uow.webhooks.subscriptions()[0].id
    subscriptions.unsubscribe(api.site.uow_factory, sub_id)
    api.receive(api.wh.widget, 1, api.wh.dock)
    assert worker(api, clock).run_once().idle
    assert hook.requests == []
    with pytest.raises(BadInput, match="removed already"):
        subscriptions.unsubscribe(api.site.uow_factory, sub_id)


def test_the_signature_and_schedule_rules() -> None:
    body = b'{"id":"e.1.2"}'
    header = webhooks.signature("whsec_x", "e.1.2", 1700000000, body)
    # Fixed vector: HMAC-SHA256("whsec_x", 'e.1.2.1700000000.{"id":"e.1.2"}').
    assert header == "v1=" + hmac.new(
        b"whsec_x", b'e.1.2.1700000000.{"id":"e.1.2"}', "sha256").hexdigest()
    assert webhooks.verify("whsec_x", "e.1.2", 1700000000, body, "v1=00 " + header)
    assert not webhooks.verify("whsec_x", "e.1.2", 1700000001, body, header)
    policy = RetryPolicy()
    assert [policy.delay_after(n) for n in range(1, 9)] == [
        10, 30, 120, 600, 3600, 3600, 3600, None]
    assert RetryPolicy.parse("1,2", 3).delay_after(2) == 2
    with pytest.raises(BadInput):
        RetryPolicy.parse("1,x")
    with pytest.raises(BadInput):
        webhooks.check_url("ftp://example.com/")
    with pytest.raises(BadInput):
        webhooks.parse_kinds(["nope"])
    assert webhooks.new_secret() != webhooks.new_secret()


def test_admin_clients_manage_their_own_webhooks_over_http(
        api: Api, hook: Receiver, clock: StepClock) -> None:
    admin = api.key("erp2", Scope.ADMIN)
    other = api.key("other", Scope.ADMIN)
    reader = api.key("reader", Scope.READ)
    body = {"url": hook.url, "kinds": ["receipt"]}
    assert api.http.post("/v1/webhooks", json=body,
                         headers={**reader, "Idempotency-Key": "w0"}).status_code == 403
    made = api.http.post("/v1/webhooks", json=body, headers={**admin, "Idempotency-Key": "w1"})
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    again = api.http.post("/v1/webhooks", json=body, headers={**admin, "Idempotency-Key": "w1"})
    assert again.json() == made.json()
    listed = api.http.get("/v1/webhooks", headers=admin).json()["webhooks"]
    assert [(w["id"], w["kinds"], w["active"]) for w in listed] == [
        (made.json()["id"], ["receipt"], True)]
    assert "secret" not in listed[0]
    assert api.http.get("/v1/webhooks", headers=other).json() == {"webhooks": []}
    bad = api.http.post("/v1/webhooks", json={"url": "ftp://x", "kinds": []},
                        headers={**admin, "Idempotency-Key": "w2"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json")
    hook.down = True
    api.receive(api.wh.widget, 1, api.wh.dock)
    worker(api, clock, RetryPolicy(max_tries=1)).run_once()
    dead = api.http.get("/v1/webhooks/dead", headers=admin).json()["deliveries"]
    assert [(d["event"], d["tries"]) for d in dead] == [("receipt", 1)]
    assert api.http.get("/v1/webhooks/dead", headers=other).json() == {"deliveries": []}
    assert api.http.post("/v1/webhooks/dead/replay", json={"all": True},
                         headers={**other, "Idempotency-Key": "r0"}).json() == {"replayed": 0}
    replayed = api.http.post("/v1/webhooks/dead/replay", json={"ids": [dead[0]["id"]]},
                             headers={**admin, "Idempotency-Key": "r1"})
    assert replayed.json() == {"replayed": 1}
    hook.down = False
    clock.advance(3600)
    assert worker(api, clock).run_once().delivered == 1
    assert hook.requests[-1].signed_by(secret)
    webhook = made.json()["id"]
    assert api.http.delete(f"/v1/webhooks/{webhook}",
                           headers={**other, "Idempotency-Key": "d0"}).status_code == 404
    gone = api.http.delete(f"/v1/webhooks/{webhook}", headers={**admin, "Idempotency-Key": "d1"})
    assert gone.status_code == 200 and gone.json()["active"] is False
