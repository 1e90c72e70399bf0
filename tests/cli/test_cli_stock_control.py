"""`wms stock adjust` and `wms stock status`: supervised, on the ledger with reason and approver;
bad input exits 2 and refusals 1, changing nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import Sql, Wms
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.uow import uow_factory
from wms_tui.domain.model import StockStatus
from wms_tui.domain.stock import Receive, post

PLACE = ("--item", "WIDGET", "--location", "A-01-01-1")


@pytest.fixture
def ready(wms: Wms) -> Wms:
    """A migrated database without a warehouse yet: the factory one is built in it."""
    assert wms("db", "upgrade").exit_code == 0
    return wms


@pytest.fixture
def stocked(ready: Wms, db: Engine) -> Warehouse:
    """10 WIDGET available and 6 on QC hold in A-01-01-1."""
    wh = build_warehouse(db)
    post(uow_factory(db), wh.admin, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    post(uow_factory(db), wh.admin, Receive(wh.widget, 6, wh.a1, "ASN-2",
                                            status=StockStatus.QC_HOLD))
    return wh


def balances(sql: Sql, db: Engine) -> dict[str, int]:
    rows = sql(db, "SELECT status, quantity FROM balance WHERE quantity > 0")
    return {status: quantity for status, quantity in rows}


def test_adjust_posts_a_signed_adjustment_with_reason_and_approver(
        ready: Wms, stocked: Warehouse, sql: Sql, db: Engine) -> None:
    result = ready("stock", "adjust", *PLACE, "--qty", "-3", "--reason", "lost", "--as", "SUP1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "adjusted WIDGET at A-01-01-1 by -3 EA available (LOST); movement ")
    found = ready("stock", "adjust", *PLACE, "--qty", "+2", "--reason", "FOUND", "--as", "ADM1",
                  "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["message"].endswith("by +2 EA available (FOUND)")
    assert balances(sql, db) == {"available": 9, "qc_hold": 6}
    rows = sql(db, "SELECT m.quantity, m.reason_code, u.login, a.login FROM movement m "
                   "JOIN wms_user u ON u.id = m.user_id JOIN wms_user a ON a.id = m.approved_by "
                   "WHERE m.kind = 'adjust' ORDER BY m.id")
    assert rows == [(3, "LOST", "SUP1", "SUP1"), (2, "FOUND", "ADM1", "ADM1")]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--qty", "-3", "--reason", "QC-PASS", "--as", "SUP1"), 2,
     "reason QC-PASS is of kind status, not adjust"),
    (("--qty", "-3", "--reason", "LOST", "--as", "OP1"), 1, "OP1 (operator) may not adjust"),
    (("--qty", "-11", "--reason", "LOST", "--as", "SUP1"), 1,
     "WIDGET at A-01-01-1 has 10 EA available, not 11"),
    (("--qty", "three", "--reason", "LOST", "--as", "SUP1"), 2,
     "--qty: three is not a signed whole number such as +5 or -3"),
    (("--qty", "-1", "--reason", "LOST", "--status", "lost", "--as", "SUP1"), 2,
     "--status: lost is not a status (available, qc_hold, damaged, blocked)"),
    (("--qty", "-1", "--reason", "LOST", "--lot", "L9", "--as", "SUP1"), 2,
     "no lot L9 of WIDGET"),
    (("--qty", "-1", "--as", "SUP1"), 2, "Missing option '--reason'"),
])
def test_bad_adjustments_exit_with_a_clear_message_and_change_nothing(
        ready: Wms, stocked: Warehouse, sql: Sql, db: Engine, args: tuple[str, ...], code: int,
        message: str) -> None:
    result = ready("stock", "adjust", *PLACE, *args)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.stderr.split())
    assert balances(sql, db) == {"available": 10, "qc_hold": 6}
    assert sql(db, "SELECT count(*) FROM movement") == [(2,)]


def test_status_releases_held_stock_with_the_qc_reason(
        ready: Wms, stocked: Warehouse, sql: Sql, db: Engine) -> None:
    result = ready("stock", "status", *PLACE, "--qty", "4", "--from", "qc_hold", "--to",
                   "available", "--as", "SUP1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "4 EA WIDGET at A-01-01-1: qc_hold > available (QC-PASS); movement ")
    damaged = ready("stock", "status", *PLACE, "--qty", "2", "--from", "qc_hold", "--to",
                    "damaged", "--reason", "QC-DMG", "--as", "SUP1")
    assert damaged.exit_code == 0, damaged.output
    assert balances(sql, db) == {"available": 14, "damaged": 2}
    rows = sql(db, "SELECT from_status, to_status, reason_code FROM movement "
                   "WHERE kind = 'status' ORDER BY id")
    assert rows == [("qc_hold", "available", "QC-PASS"), ("qc_hold", "damaged", "QC-DMG")]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--qty", "7", "--from", "qc_hold", "--to", "available", "--as", "SUP1"), 1,
     "WIDGET at A-01-01-1 has 6 EA QC hold, not 7"),
    (("--qty", "1", "--from", "qc_hold", "--to", "qc_hold", "--as", "SUP1"), 2,
     "from and to are both QC hold: nothing would change"),
    (("--qty", "1", "--from", "qc_hold", "--to", "damaged", "--as", "SUP1"), 2,
     "a reason is needed to make QC hold stock damaged"),
    (("--qty", "1", "--from", "qc_hold", "--to", "gone", "--as", "SUP1"), 2,
     "--to: gone is not a status"),
    (("--qty", "1", "--from", "qc_hold", "--to", "available", "--as", "OP1"), 1,
     "OP1 (operator) may not change status"),
    (("--qty", "0", "--from", "qc_hold", "--to", "available", "--as", "SUP1"), 2, "--qty"),
])
def test_bad_status_changes_exit_with_a_clear_message_and_change_nothing(
        ready: Wms, stocked: Warehouse, sql: Sql, db: Engine, args: tuple[str, ...], code: int,
        message: str) -> None:
    result = ready("stock", "status", *PLACE, *args)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.stderr.split())
    assert balances(sql, db) == {"available": 10, "qc_hold": 6}
    assert sql(db, "SELECT count(*) FROM movement") == [(2,)]


def test_a_wave_line_short_of_held_stock_is_allocated_after_release(
        ready: Wms, db: Engine, tmp_path_factory: pytest.TempPathFactory) -> None:
    wh = build_warehouse(db)
    post(uow_factory(db), wh.admin, Receive(wh.widget, 6, wh.a1, "ASN-1",
                                            status=StockStatus.QC_HOLD))
    orders = tmp_path_factory.mktemp("orders") / "orders.csv"
    orders.write_text("reference,customer,ship_date,priority,line_no,sku,quantity,uom\n"
                      "SO-1,,,,1,WIDGET,4,EA\n")
    assert ready("order", "import", "--kind", "outbound", str(orders)).exit_code == 0
    first = ready("wave", "release", "--order", "SO-1", "--as", "SUP1", "--json")
    assert [u["missing"] for u in json.loads(first.stdout)["unallocated"]] == [4]
    assert ready("stock", "status", *PLACE, "--qty", "6", "--from", "qc_hold", "--to",
                 "available", "--as", "SUP1").exit_code == 0
    again = ready("wave", "release", "--order", "SO-1", "--as", "SUP1", "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["unallocated"] == []
    assert [(t["location"], t["quantity"]) for t in report["tasks"]] == [("A-01-01-1", 4)]
