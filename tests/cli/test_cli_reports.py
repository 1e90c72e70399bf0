"""`wms report …` and `wms audit` over a small back-dated history, numbers worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.cli.conftest import MakeWms, Wms
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.inbound import ReceiveLine, import_inbound_orders, receive_line
from wms_tui.domain.model import Actor, MovementRecord
from wms_tui.domain.stock import Adjust, Command, Move, MoveLpn, Pick, Receive, post


class BackdatedUow(SqlUnitOfWork):
    """The real posting path, with every ledger row stamped at a chosen moment."""

    def __init__(self, engine: Engine, when: datetime) -> None:
        super().__init__(engine)
        self.when = when

    def __enter__(self) -> BackdatedUow:
        super().__enter__()
        append = self.stock.append

        def stamped(movement: MovementRecord) -> int:
            return append(replace(movement, created_at=self.when))

        self.stock.append = stamped  # type: ignore[method-assign]
        return self


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def post_at(engine: Engine, when: datetime, actor: Actor, command: Command) -> None:
    post(lambda: BackdatedUow(engine, when), actor, command)


def post_history(engine: Engine, wh: Warehouse) -> None:
    op, sup = wh.operator, wh.supervisor
    post_at(engine, at(2, 8), op, Receive(wh.widget, 100, wh.dock, "ASN-1"))
    post_at(engine, at(2, 8, 10), op, Receive(wh.heavy, 20, wh.dock, "ASN-2", lpn="PAL-1"))
    post_at(engine, at(2, 9), op, Move(wh.widget, 60, wh.dock, wh.a1, "PUT-1"))
    post_at(engine, at(2, 9, 20), op, Move(wh.widget, 40, wh.dock, wh.pick, "PUT-2"))
    with SqlUnitOfWork(engine) as uow:
        lpn = uow.catalog.lpn_by_code("PAL-1")
        assert lpn is not None
    post_at(engine, at(2, 9, 50), op, MoveLpn(lpn.id, wh.a2, "PUT-3"))
    post_at(engine, at(3, 10), op, Pick(wh.widget, 30, wh.a1, "SO-1"))
    post_at(engine, at(3, 10, 6), op, Pick(wh.widget, 10, wh.pick, "SO-2"))
    post_at(engine, at(4, 9), sup, Adjust(wh.widget, -5, wh.a1, "LOST", "ADJ-1"))
    # A putaway override posted now, so it is inside any "last N days" window; it nets to 0.
    post(lambda: SqlUnitOfWork(engine), op,
         Move(wh.widget, 5, wh.a1, wh.a2, "PUT-4", reason_code="FULL"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE item SET min_qty = 50 WHERE sku = 'WIDGET'"))
        conn.execute(text("UPDATE item SET min_qty = 5 WHERE sku = 'BOLT'"))
        conn.execute(text("UPDATE item SET unit_cost = 2.5 WHERE sku = 'WIDGET'"))
        conn.execute(text("UPDATE item SET unit_cost = 0.125 WHERE sku = 'BOLT'"))
        for task, loc, status, attempts in ((1, wh.a1, "done", 1),
                                            (2, wh.a2, "pending_approval", 2)):
            conn.execute(text(
                "INSERT INTO count_task (id, location_id, status, \"trigger\", attempt, created_at,"
                " updated_at) VALUES (:id, :loc, :status, 'abc', :attempt, :t, :t)"),
                {"id": task, "loc": loc, "status": status, "attempt": attempts, "t": at(3, 8)})
        lines = [(1, 1, wh.widget, 60, 60, at(3, 8)), (2, 1, wh.heavy, 18, 20, at(4, 8)),
                 (2, 2, wh.heavy, 20, 20, at(4, 9))]
        for task, attempt, item, counted, expected, when in lines:
            conn.execute(text(
                "INSERT INTO count_line (count_task_id, attempt, item_id, counted, expected,"
                " ledger_position, counted_by, counted_at) VALUES (:t, :a, :i, :c, :e, 0, :u,"
                " :w)"), {"t": task, "a": attempt, "i": item, "c": counted, "e": expected,
                          "u": wh.operator.user_id, "w": when})
        conn.execute(text(
            "INSERT INTO audit_event (at, event, login, peer, terminal, detail) VALUES"
            " (:at, 'login', 'SUP1', '10.0.0.9', 'T-9', '')"), {"at": at(4, 8, 55)})


@pytest.fixture
def history(wms: Wms, db_url: str) -> Wms:
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    post_history(engine, build_warehouse(engine))
    engine.dispose()
    return wms


def run_json(wms: Wms, *args: str) -> Any:
    result = wms(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by(rows: list[dict[str, Any]], *keys: str) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_turnover_over_three_days(history: Wms) -> None:
    data = run_json(history, "report", "turnover", "--since", "2026-11-02",
                    "--until", "2026-11-04")
    assert (data["first"], data["last"], data["days"]) == ("2026-11-02", "2026-11-04", 3)
    rows = by(data["rows"], "sku")
    # WIDGET closes the days at 100, 60 and 55; 40 were picked.
    assert rows["WIDGET"] == {"sku": "WIDGET", "shipped": 40, "average_on_hand": 71.67,
                              "turnover": round(40 / (215 / 3), 4)}
    assert rows["BOLT"] == {"sku": "BOLT", "shipped": 0, "average_on_hand": 20.0,
                            "turnover": 0.0}
    assert rows["all"]["turnover"] == round(40 / (275 / 3), 4)


def test_productivity_per_operator_and_flow(history: Wms) -> None:
    data = run_json(history, "report", "productivity", "--until", "2026-11-04")
    rows = by(data["rows"], "user", "flow")
    assert rows[("OP1", "receive")]["lines"] == 2
    assert rows[("OP1", "receive")]["lines_per_hour"] == 6.0
    # 09:00 comes 50 minutes after 08:10 (a break); 09:20 and 09:50 are timed; the pallet
    # move is one line however many balances it carried.
    move = rows[("OP1", "move")]
    assert (move["lines"], move["timed_lines"], move["hours"]) == (3, 2, round(3000 / 3600, 3))
    assert move["lines_per_hour"] == 2.4
    assert rows[("OP1", "pick")]["lines_per_hour"] == 10.0
    assert rows[("SUP1", "adjust")]["lines_per_hour"] is None


def test_dock_to_stock(history: Wms) -> None:
    data = run_json(history, "report", "dock-to-stock")
    rows = by(data["rows"], "sku")
    assert rows["WIDGET"]["median_hours"] == 1.33
    assert rows["BOLT"]["median_hours"] == 1.67
    assert rows["all"] == {"sku": "all", "receipts": 2, "stocked": 2, "median_hours": 1.5,
                           "average_hours": 1.5, "max_hours": 1.67}
    assert data["still_on_dock"] == []


def test_dead_stock_as_of_a_day(history: Wms) -> None:
    # BOLT arrived 2026-11-02 09:50: dead only once it has been there the whole 2-day window.
    data = run_json(history, "report", "dead-stock", "--days", "2", "--as-of",
                    "2026-11-04T12:00")
    assert [(r["sku"], r["on_hand"], r["last_outbound"]) for r in data["rows"]] == [
        ("BOLT", 20, None)]
    assert (data["dead_units"], data["on_hand_units"]) == (20, 75)
    assert data["share"] == round(20 / 75, 4)
    one_day = run_json(history, "report", "dead-stock", "--days", "1", "--as-of",
                       "2026-11-04T12:00:00")
    assert [r["sku"] for r in one_day["rows"]] == ["BOLT", "WIDGET"]


def test_accuracy_counts_first_attempts(history: Wms) -> None:
    data = run_json(history, "report", "accuracy", "--period", "day")
    rows = by(data["rows"], "period")
    assert rows["2026-11-03"]["line_accuracy"] == 1.0
    assert rows["2026-11-04"]["line_accuracy"] == 0.0
    # By value: WIDGET 60/60 at 2.50 and BOLT 18/20 at 0.125 -> 0.25 off out of 152.50.
    assert rows["all"] == {"period": "all", "lines": 2, "hits": 1, "line_accuracy": 0.5,
                           "units_variance": 2, "units_basis": 80, "unit_accuracy": 0.975,
                           "costed_lines": 2, "value_variance": 0.25, "value_basis": 152.5,
                           "value_accuracy": round(1 - 0.25 / 152.5, 4)}


def test_low_stock_and_exceptions(history: Wms) -> None:
    low = run_json(history, "report", "low-stock")["rows"]
    assert [(r["sku"], r["location"], r["quantity"], r["missing"]) for r in low] == [
        ("WIDGET", "P-01-01-1", 30, 20), ("BOLT", "", 0, 5)]
    found = run_json(history, "report", "exceptions")
    kinds = sorted((r["kind"], r["reference"]) for r in found["rows"])
    assert kinds == [("approval", "COUNT-2"), ("override", "PUT-4")]


def test_exceptions_show_an_over_receipt_with_expected_received_and_reason(
    wms: Wms, db_url: str
) -> None:
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    wh = build_warehouse(engine)
    uow = uow_factory(engine)
    assert import_inbound_orders(uow, [
        {"reference": "PO-36", "line_no": "1", "sku": "WIDGET", "quantity": "36"}]).ok
    with uow() as u:
        order = u.inbound.order_by_reference("PO-36")
    assert order is not None
    receive_line(uow, wh.supervisor, ReceiveLine(wh.widget, 5000, order_id=order.id,
                                                 reason_code="OVER-SHIP"))
    engine.dispose()
    [row] = run_json(wms, "report", "exceptions")["rows"]
    assert {k: row[k] for k in ("kind", "reference", "sku", "location", "quantity", "expected",
                                "received", "reason", "user")} == {
        "kind": "over_receipt", "reference": "PO-36", "sku": "WIDGET", "location": "DOCK-1",
        "quantity": 5000, "expected": 36, "received": 5000, "reason": "OVER-SHIP",
        "user": "SUP1"}
    out = wms("report", "exceptions", "--csv")
    assert out.exit_code == 0, out.output
    header, line = list(csv.reader(io.StringIO(out.stdout)))
    assert header[:9] == ["kind", "reference", "sku", "location", "quantity", "expected",
                          "received", "reason", "user"]
    assert line[:9] == ["over_receipt", "PO-36", "WIDGET", "DOCK-1", "5000", "36", "5000",
                        "OVER-SHIP", "SUP1"]


def test_tables_and_csv(history: Wms) -> None:
    table = history("report", "turnover", "--since", "2026-11-02", "--until", "2026-11-04")
    assert table.exit_code == 0, table.output
    assert "Turnover 2026-11-02 to 2026-11-04" in table.stdout
    assert "WIDGET" in table.stdout and "0.5581" in table.stdout
    out = history("report", "low-stock", "--csv")
    assert out.exit_code == 0, out.output
    assert list(csv.reader(io.StringIO(out.stdout))) == [
        ["sku", "location", "quantity", "min_qty", "missing"],
        ["WIDGET", "P-01-01-1", "30", "50", "20"], ["BOLT", "", "0", "5", "5"]]
    accuracy = history("report", "accuracy")
    assert "97.5%" in accuracy.stdout and "50.0%" in accuracy.stdout


def test_bad_dates_are_bad_input(history: Wms) -> None:
    result = history("report", "turnover", "--since", "yesterday")
    assert result.exit_code == 2
    assert "--since 'yesterday'" in result.stderr
    assert history("report", "turnover", "--since", "2026-11-05",
                   "--until", "2026-11-04").exit_code == 2


def test_audit_by_user_item_and_location(history: Wms) -> None:
    sup = run_json(history, "audit", "--user", "sup1", "--until", "2026-11-30")
    assert [(r["source"], r["event"], r["quantity"], r["reason"]) for r in sup] == [
        ("audit", "login", None, None), ("ledger", "adjust", 5, "LOST")]
    bolt = run_json(history, "audit", "--item", "BOLT")
    assert [(r["event"], r["from"], r["to"]) for r in bolt] == [
        ("receive", None, "DOCK-1"), ("move", "DOCK-1", "A-01-02-1")]
    dock = run_json(history, "audit", "--location", "DOCK-1", "--since", "2026-11-02",
                    "--until", "2026-11-02")
    assert [r["reference"] for r in dock] == ["ASN-1", "ASN-2", "PUT-1", "PUT-2", "PUT-3"]
    table = history("audit", "--user", "SUP1")
    assert table.exit_code == 0 and "ADJ-1" in table.stdout


@pytest.mark.postgres
def test_reports_on_postgresql(make_wms: MakeWms, pg_url: str) -> None:
    wms = make_wms(pg_url)
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(pg_url)
    try:
        post_history(engine, build_warehouse(engine))
    finally:
        engine.dispose()
    turnover = by(run_json(wms, "report", "turnover", "--since", "2026-11-02", "--until",
                           "2026-11-04")["rows"], "sku")
    assert (turnover["WIDGET"]["shipped"], turnover["WIDGET"]["average_on_hand"]) == (40, 71.67)
    low = run_json(wms, "report", "low-stock")["rows"]
    assert [(r["sku"], r["missing"]) for r in low] == [("WIDGET", 20), ("BOLT", 5)]
    accuracy = by(run_json(wms, "report", "accuracy")["rows"], "period")
    assert accuracy["all"]["unit_accuracy"] == 0.975
    assert [r["reference"] for r in run_json(wms, "audit", "--user", "SUP1")
            if r["source"] == "ledger"] == ["ADJ-1"]
    dock = by(run_json(wms, "report", "dock-to-stock")["rows"], "sku")
    assert dock["all"]["median_hours"] == 1.5
