"""`wms count schedule|request|list|pending|approve|reject` over a warehouse with stock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from tests.cli.conftest import MakeWms, Wms
from tests.conftest import fresh_pg_engine
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.tables import Item
from wms_tui.db.uow import uow_factory
from wms_tui.domain.counting import CountPolicy, CountTrigger, submit_count
from wms_tui.domain.stock import Pick, Receive, new_confirmation_key, post

SAME_OPERATOR = CountPolicy(recount_by_other_operator=False)
# The test's engine and the factory warehouse in it.
Site = tuple[Engine, Warehouse]


def stock_up(engine: Engine, wh: Warehouse) -> None:
    uow = uow_factory(engine)
    post(uow, wh.admin, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    post(uow, wh.admin, Receive(wh.heavy, 5, wh.pick, "ASN-1"))
    post(uow, wh.admin, Receive(wh.heavy, 5, wh.dock, "ASN-1"))
    with Session(engine) as s:
        s.execute(update(Item).where(col(Item.id) == wh.widget).values(abc_class="A"))
        s.commit()


@pytest.fixture
def site(wms: Wms, db_url: str) -> Iterator[Site]:
    """A migrated database with the factory warehouse, stock in A-01-01-1 and the pick face."""
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    wh = build_warehouse(engine)
    stock_up(engine, wh)
    yield engine, wh
    engine.dispose()


def test_schedule_creates_tasks_once(wms: Wms, site: Site) -> None:
    result = wms("count", "schedule", "--today", "2026-03-01", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(t["location"], t["trigger"], t["due"]) for t in report["created"]] == [
        ("A-01-01-1", "abc", "2026-03-01"), ("P-01-01-1", "abc", "2026-03-01")]
    again = wms("count", "schedule", "--today", "2026-03-01")
    assert again.exit_code == 0
    assert "count tasks: 0 created, 2 locations already have one open" in again.output


def test_schedule_refuses_a_bad_date(wms: Wms, site: Site) -> None:
    result = wms("count", "schedule", "--today", "01/03/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_request_needs_a_supervisor(wms: Wms, site: Site) -> None:
    refused = wms("count", "request", "--location", "A-01-02-1", "--as", "OP1")
    assert refused.exit_code == 1 and "may not approve" in refused.output
    unknown = wms("count", "request", "--location", "A-01-02-1", "--as", "NOBODY")
    assert unknown.exit_code == 2
    both = wms("count", "request", "--location", "A-01-02-1", "--zone", "RES", "--as", "SUP1")
    assert both.exit_code == 2
    ok = wms("count", "request", "--item", "BOLT", "--as", "sup1", "--json")
    assert ok.exit_code == 0, ok.output
    assert [(t["location"], t["sku"], t["trigger"]) for t in json.loads(ok.output)["created"]] == [
        ("DOCK-1", "BOLT", "supervisor"), ("P-01-01-1", "BOLT", "supervisor")]


def test_list_by_status(wms: Wms, site: Site) -> None:
    assert wms("count", "list").output.strip() == "no count tasks"
    wms("count", "request", "--zone", "RES", "--as", "SUP1")
    listed = json.loads(wms("count", "list", "--json").output)
    assert [t["location"] for t in listed] == ["A-01-01-1", "A-01-02-1", "P-01-01-1"]
    assert all("expected" not in t for t in listed)
    assert wms("count", "list", "--status", "done").output.strip() == "no count tasks"
    table = wms("count", "list", "--status", "all")
    assert table.exit_code == 0 and "A-01-02-1" in table.output
    assert wms("count", "list", "--status", "finished").exit_code == 2


def pending_task(engine: Engine, wh: Warehouse) -> int:
    """A count of A-01-01-1 that found 4 of the 10 widgets, twice."""
    uow = uow_factory(engine)
    with uow() as u:
        task = u.counting.add_open_task(wh.a1, item_id=None, trigger=CountTrigger.SUPERVISOR,
                                        requested_by=None, due=None)
        u.commit()
    assert task is not None
    for _ in range(2):
        submit_count(uow, wh.operator, task, [(wh.widget, None, 4)], new_confirmation_key(),
                     policy=SAME_OPERATOR)
    return task


def test_pending_and_approve(wms: Wms, site: Site) -> None:
    engine, wh = site
    task = pending_task(engine, wh)
    [pending] = json.loads(wms("count", "pending", "--json").output)
    assert (pending["task"], pending["location"], pending["counted_by"]) == (
        task, "A-01-01-1", "OP1")
    assert pending["lines"] == [{"sku": "WIDGET", "lot": None, "expected": 10, "counted": 4,
                                 "first_count": 4, "variance": -6, "moved_since": 0}]
    shown = wms("count", "pending")
    assert shown.exit_code == 0 and f"Count task {task} at A-01-01-1" in shown.output
    refused = wms("count", "approve", str(task), "--as", "OP1")
    assert refused.exit_code == 1
    result = wms("count", "approve", str(task), "--as", "SUP1")
    assert result.exit_code == 0, result.output
    assert f"count task {task}: approved, 1 adjustment(s) posted" in result.output
    moves = json.loads(wms("movements", "--json").output)
    assert [(m["kind"], m["quantity"], m["reason"], m["approved_by"]) for m in moves[-1:]] == [
        ("adjust", 6, "COUNT", "SUP1")]
    again = wms("count", "approve", str(task), "--as", "SUP1")
    assert again.exit_code == 1 and "not waiting for approval" in again.output
    assert wms("count", "pending").output.strip() == "no counts waiting for approval"


def test_reject_asks_for_a_fresh_count(wms: Wms, site: Site) -> None:
    engine, wh = site
    task = pending_task(engine, wh)
    result = wms("count", "reject", str(task), "--as", "SUP1")
    assert result.exit_code == 0, result.output
    assert f"count task {task + 1} created" in result.output
    listed = json.loads(wms("count", "list", "--status", "all", "--json").output)
    assert {(t["id"], t["status"]) for t in listed} == {(task, "rejected"), (task + 1, "open")}


def test_who_counted_it_cannot_approve_or_reject_it(wms: Wms, site: Site) -> None:
    engine, wh = site
    uow = uow_factory(engine)
    with uow() as u:
        task = u.counting.add_open_task(wh.a1, item_id=None, trigger=CountTrigger.SUPERVISOR,
                                        requested_by=None, due=None)
        u.commit()
    assert task is not None
    for counter in (wh.supervisor, wh.operator):
        submit_count(uow, counter, task, [(wh.widget, None, 4)], new_confirmation_key())
    before = wms("movements", "--json").output
    for verb in ("approve", "reject"):
        refused = wms("count", verb, str(task), "--as", "SUP1")
        assert refused.exit_code == 1, refused.output
        assert (f"error: You counted task {task}: another supervisor must approve or reject it"
                in refused.output)
    assert wms("movements", "--json").output == before
    [listed] = json.loads(wms("count", "list", "--json").output)
    assert (listed["id"], listed["status"]) == (task, "pending_approval")
    assert wms("count", "approve", str(task), "--as", "ADM1").exit_code == 0


def test_approval_refused_when_stock_left_since(wms: Wms, site: Site) -> None:
    engine, wh = site
    task = pending_task(engine, wh)
    post(uow_factory(engine), wh.operator, Pick(wh.widget, 5, wh.a1, "SO-1"))
    result = wms("count", "approve", str(task), "--as", "SUP1")
    assert result.exit_code == 1
    assert "WIDGET left the location since the count: recount" in result.output
    [listed] = json.loads(wms("count", "list", "--json").output)
    assert listed["status"] == "recount"


@pytest.mark.postgres
def test_schedule_on_postgresql(make_wms: MakeWms) -> None:
    engine = fresh_pg_engine()
    try:
        wh = build_warehouse(engine)
        stock_up(engine, wh)
        url = engine.url.render_as_string(hide_password=False)
    finally:
        engine.dispose()
    wms = make_wms(url)
    today = date(2026, 3, 1).isoformat()
    report = json.loads(wms("count", "schedule", "--today", today, "--json").output)
    assert [t["location"] for t in report["created"]] == ["A-01-01-1", "P-01-01-1"]
