"""`wms stock`, `wms movements` and `wms scan explain` over stock posted by the domain."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import MakeWms, Wms
from tests.conftest import fresh_pg_engine
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.model import StockStatus
from wms_tui.domain.stock import ChangeStatus, Move, Pick, Receive, post


def post_day(engine: Engine, wh: Warehouse) -> None:
    """A receipt on a pallet, a putaway move, a pick and a QC hold."""
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(wh.widget, 2, wh.dock, "ASN-1", uom="CS", lpn="PAL-1"))
    post(uow, wh.operator, Receive(wh.lotted, 5, wh.dock, "ASN-2", lot="L1",
                                   expiry=date(2031, 1, 31)))
    lpn = _lpn_id(engine)
    post(uow, wh.operator, Move(wh.widget, 20, wh.dock, wh.a1, "PUT-1", from_lpn_id=lpn))
    post(uow, wh.operator, Pick(wh.widget, 5, wh.a1, "SO-1"))
    post(uow, wh.supervisor, ChangeStatus(wh.widget, 3, wh.a1, StockStatus.AVAILABLE,
                                          StockStatus.QC_HOLD, "QC-1", reason_code="BLOCKED"))


def _lpn_id(engine: Engine) -> int:
    with uow_factory(engine)() as uow:
        lpn = uow.catalog.lpn_by_code("PAL-1")
        assert lpn is not None
        return lpn.id


@pytest.fixture
def posted(wms: Wms, db_url: str) -> Wms:
    """A migrated database holding the factory warehouse and a day of postings."""
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    wh = build_warehouse(engine)
    post_day(engine, wh)
    engine.dispose()
    return wms


EXPECTED_STOCK = [
    {"sku": "MILK", "description": "Milk 1L", "location": "DOCK-1", "lot": "L1",
     "expiry": "2031-01-31", "lpn": None, "status": "available", "quantity": 5, "reserved": 0,
     "uom": "EA"},
    {"sku": "WIDGET", "description": "Blue widget", "location": "DOCK-1", "lot": None,
     "expiry": None, "lpn": "PAL-1", "status": "available", "quantity": 4, "reserved": 0,
     "uom": "EA"},
    {"sku": "WIDGET", "description": "Blue widget", "location": "A-01-01-1", "lot": None,
     "expiry": None, "lpn": None, "status": "available", "quantity": 12, "reserved": 0,
     "uom": "EA"},
    {"sku": "WIDGET", "description": "Blue widget", "location": "A-01-01-1", "lot": None,
     "expiry": None, "lpn": None, "status": "qc_hold", "quantity": 3, "reserved": 0,
     "uom": "EA"},
]


def by_key(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["sku"], r["location"], r["status"]))


def test_stock_json_lists_every_balance(posted: Wms) -> None:
    result = posted("stock", "--json")
    assert result.exit_code == 0, result.output
    assert by_key(json.loads(result.stdout)) == by_key(EXPECTED_STOCK)


def test_stock_filters_by_item_code_and_location(posted: Wms) -> None:
    by_item = json.loads(posted("stock", "--item", "SUP-W-1", "--json").stdout)
    assert {r["sku"] for r in by_item} == {"WIDGET"} and len(by_item) == 3
    by_gtin = json.loads(posted("stock", "--item", "5901234123457", "--json").stdout)
    assert [r["sku"] for r in by_gtin] == ["MILK"]
    here = json.loads(posted("stock", "--location", "A-01-01-1", "--item", "WIDGET",
                             "--json").stdout)
    assert sorted((r["status"], r["quantity"]) for r in here) == [
        ("available", 12), ("qc_hold", 3)
    ]


def test_stock_table_shows_the_lines(posted: Wms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    result = posted("stock")
    assert result.exit_code == 0
    assert "PAL-1" in result.stdout and "qc_hold" in result.stdout


def test_stock_unknown_filter_is_bad_input(posted: Wms) -> None:
    result = posted("stock", "--item", "NOPE")
    assert result.exit_code == 2
    assert result.stderr == "error: no item 'NOPE'\n"
    assert posted("stock", "--location", "Z-9").exit_code == 2


def test_movements_json_is_the_ledger_with_codes(posted: Wms) -> None:
    result = posted("movements", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["kind"], r["sku"], r["quantity"], r["from"], r["to"]) for r in rows] == [
        ("receive", "WIDGET", 24, None, "DOCK-1"),
        ("receive", "MILK", 5, None, "DOCK-1"),
        ("move", "WIDGET", 20, "DOCK-1", "A-01-01-1"),
        ("pick", "WIDGET", 5, "A-01-01-1", None),
        ("status", "WIDGET", 3, "A-01-01-1", "A-01-01-1"),
    ]
    first, milk, move, _pick, status = rows
    assert first["lpn"] == "PAL-1" and first["to_status"] == "available"
    assert milk["lot"] == "L1"
    assert move["from_lpn"] == "PAL-1" and move["to_lpn"] is None
    assert status["from_status"] == "available" and status["to_status"] == "qc_hold"
    assert status["reason"] == "BLOCKED" and status["user"] == "SUP1"
    assert {r["user"] for r in rows[:4]} == {"OP1"}
    assert {r["terminal"] for r in rows} == {"T-TEST"}
    assert [r["reference"] for r in rows] == ["ASN-1", "ASN-2", "PUT-1", "SO-1", "QC-1"]
    assert rows == sorted(rows, key=lambda r: r["id"])
    for row in rows:
        assert datetime.fromisoformat(row["time"]).utcoffset() == timedelta(0)


def test_movements_filters_and_limit(posted: Wms) -> None:
    def ledger(*args: str) -> list[dict[str, Any]]:
        result = posted("movements", "--json", *args)
        assert result.exit_code == 0, result.output
        rows: list[dict[str, Any]] = json.loads(result.stdout)
        return rows

    assert [r["kind"] for r in ledger("--item", "MILK")] == ["receive"]
    assert [r["kind"] for r in ledger("--location", "A-01-01-1")] == ["move", "pick", "status"]
    assert [r["reference"] for r in ledger("--limit", "2")] == ["SO-1", "QC-1"]
    future = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert ledger("--since", future) == []
    assert len(ledger("--until", future)) == 5
    assert ledger("--until", "2000-01-01") == []


def test_movements_table_and_bad_time(posted: Wms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    table = posted("movements", "--item", "WIDGET")
    assert table.exit_code == 0
    assert "available>qc_hold" in table.stdout
    assert "PUT-1" in table.stdout and "BLOCKED" in table.stdout
    bad = posted("movements", "--since", "yesterday")
    assert bad.exit_code == 2
    assert "--since: 'yesterday' is not an ISO date" in bad.stderr
    assert posted("movements", "--limit", "-1").exit_code == 2


@pytest.mark.parametrize(
    "data",
    [
        "]C1010950110153000310LOT7<GS>17310131",
        "]C1010950110153000310LOT7\\x1d17310131",
        "]C1010950110153000310LOT7|17310131",
    ],
)
def test_scan_explain_reads_gs1_and_finds_the_item(posted: Wms, data: str) -> None:
    args = ["scan", "explain", data, "--json"]
    if "|" in data:
        args += ["--separator", "|"]
    result = posted(*args)
    assert result.exit_code == 0, result.output
    explained = json.loads(result.stdout)
    assert explained["accepted"] is True
    assert explained["gs1_data"]["gtin"] == "09501101530003"
    assert explained["gs1_data"]["lot"] == "LOT7"
    assert explained["gs1_data"]["expiry"] == "2031-01-31"
    assert explained["resolution"]["kind"] == "item"
    assert explained["resolution"]["item"] == "WIDGET"


def test_scan_explain_location_and_rejection(posted: Wms) -> None:
    location = json.loads(posted("scan", "explain", "A-01-01-1", "--json").stdout)
    assert location["resolution"]["location"] == "A-01-01-1"
    text = posted("scan", "explain", "DOCK-1")
    assert text.exit_code == 0
    assert "location DOCK-1" in text.stdout
    rejected = json.loads(posted("scan", "explain", "x" * 300, "--json").stdout)
    assert rejected["accepted"] is False and "too long" in rejected["rejection"]


def test_scan_explain_bad_separator_is_bad_input(posted: Wms) -> None:
    result = posted("scan", "explain", "A|B", "--separator", "ab")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: scan separator")


@pytest.mark.postgres
def test_stock_and_movements_on_postgres(make_wms: MakeWms) -> None:
    engine = fresh_pg_engine()
    try:
        wh = build_warehouse(engine)
        post_day(engine, wh)
        url = engine.url.render_as_string(hide_password=False)
    finally:
        engine.dispose()
    wms = make_wms(url)
    stock = posted_json(wms, "stock")
    assert by_key(stock) == by_key(EXPECTED_STOCK)
    ledger = posted_json(wms, "movements", "--location", "A-01-01-1")
    assert [r["kind"] for r in ledger] == ["move", "pick", "status"]
    explained = posted_json(wms, "scan", "explain", "0105901234123457")
    assert explained["resolution"]["item"] == "MILK"


def posted_json(wms: Wms, *args: str) -> Any:
    result = wms(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
