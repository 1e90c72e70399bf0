"""`wms export events` by cursor and `wms export stock`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import Wms
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Pick, Receive, post

# The `wms` command, its engine and the warehouse the postings went into.
Posted = tuple[Wms, Engine, Warehouse]


@pytest.fixture
def posted(wms: Wms, db_url: str) -> Iterator[Posted]:
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    wh = build_warehouse(engine)
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    post(uow, wh.operator, Pick(wh.widget, 4, wh.a1, "SO-1"))
    yield wms, engine, wh
    engine.dispose()


def events(wms: Wms, *args: str) -> dict[str, Any]:
    result = wms("export", "events", "--json", *args)
    assert result.exit_code == 0, result.output
    batch: dict[str, Any] = json.loads(result.stdout)
    return batch


def test_cursor_runs_send_each_event_once(posted: Posted) -> None:
    wms, engine, wh = posted
    first = events(wms)
    assert [(e["event"], e["sku"], e["quantity"], e["reference"]) for e in first["events"]] == [
        ("receipt", "WIDGET", 10, "ASN-1"), ("pick", "WIDGET", 4, "SO-1")]
    assert events(wms, "--since", first["cursor"]) == {"cursor": first["cursor"], "events": []}
    post(uow_factory(engine), wh.operator, Receive(wh.heavy, 3, wh.a2, "ASN-2"))
    second = events(wms, "--since", first["cursor"])
    assert [e["reference"] for e in second["events"]] == ["ASN-2"]
    # A pick is no shipment (ship confirm writes those): the filtered run finds the pick only
    # under its own kind, and still moves the cursor past everything it skipped.
    assert events(wms, "--kind", "shipment")["events"] == []
    only_picks = events(wms, "--kind", "pick")
    assert [e["reference"] for e in only_picks["events"]] == ["SO-1"]
    assert only_picks["cursor"] == second["cursor"]


def test_batches_and_csv(posted: Posted) -> None:
    wms, _, _ = posted
    one = events(wms, "--limit", "1")
    assert len(one["events"]) == 1
    result = wms("export", "events", "--csv", "--since", one["cursor"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["event"], r["quantity"]) for r in rows] == [("pick", "4")]
    # The shipment columns are there for every event, empty but for shipments.
    assert (rows[0]["sscc"], rows[0]["order_line"]) == ("", "")
    assert result.stderr.strip() == f"cursor: {rows[-1]['cursor']}"


def test_a_bad_cursor_is_bad_input(posted: Posted) -> None:
    wms, _, _ = posted
    result = wms("export", "events", "--since", "yesterday")
    assert result.exit_code == 2
    assert "cursor 'yesterday'" in result.stderr


def test_stock_snapshot(posted: Posted) -> None:
    wms, _, _ = posted
    result = wms("export", "stock")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["sku"], r["location"], r["quantity"]) for r in rows] == [
        ("WIDGET", "A-01-01-1", "6")]
    snapshot = json.loads(wms("export", "stock", "--json").stdout)
    assert snapshot["rows"][0]["quantity"] == 6
    assert "taken_at" in snapshot
