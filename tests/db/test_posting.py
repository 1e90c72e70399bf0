"""The posting service against a real database: rules, refusals and exactly-once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.factories import Warehouse
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain import stock
from wms_tui.domain.errors import (
    BadInput,
    InsufficientStock,
    InvalidQuantity,
    PermissionDenied,
    UnknownUnit,
)
from wms_tui.domain.model import BalanceKey, StockStatus
from wms_tui.domain.stock import (
    Adjust,
    ChangeStatus,
    Move,
    MoveLpn,
    Pick,
    Receive,
    Reserve,
    ledger_mismatches,
    post,
)

Uow = Callable[[], SqlUnitOfWork]


def on_hand(uow: Uow, key: BalanceKey) -> int:
    with uow() as u:
        row = u.stock.balance(key)
        return 0 if row is None else row.quantity


def assert_exact(uow: Uow) -> None:
    with uow() as u:
        assert ledger_mismatches(u) == []


def test_receive_move_pick_keeps_balances_equal_to_ledger(uow: Uow, wh: Warehouse) -> None:
    op = wh.operator
    post(uow, op, Receive(wh.widget, 2, wh.dock, "ASN-1", uom="CS"))
    assert on_hand(uow, BalanceKey(wh.widget, wh.dock)) == 24
    post(uow, op, Move(wh.widget, 20, wh.dock, wh.a1, "MV-1"))
    post(uow, op, Pick(wh.widget, 5, wh.a1, "SO-1"))
    assert on_hand(uow, BalanceKey(wh.widget, wh.dock)) == 4
    assert on_hand(uow, BalanceKey(wh.widget, wh.a1)) == 15
    assert_exact(uow)
    with uow() as u:
        rows = list(u.stock.movements(item_id=wh.widget))
    assert [m.kind.value for m in rows] == ["receive", "move", "pick"]
    assert all(m.user_id == op.user_id and m.terminal == "T-TEST" for m in rows)
    assert all(m.created_at is not None and m.reference for m in rows)


def test_resubmitted_key_returns_first_result_and_posts_nothing(uow: Uow, wh: Warehouse) -> None:
    first = post(uow, wh.operator, Receive(wh.widget, 10, wh.dock, "ASN-1"), key="k-1")
    again = post(uow, wh.operator, Receive(wh.widget, 10, wh.dock, "ASN-1"), key="k-1")
    assert again.replayed and not first.replayed
    assert again.movement_ids == first.movement_ids
    assert on_hand(uow, BalanceKey(wh.widget, wh.dock)) == 10


def test_pick_more_than_on_hand_is_refused_and_changes_nothing(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 3, wh.a1, "ASN-1"))
    with pytest.raises(InsufficientStock, match="only 3 EA of WIDGET free at A-01-01-1, not 4"):
        post(uow, wh.operator, Pick(wh.widget, 4, wh.a1, "SO-1"))
    assert on_hand(uow, BalanceKey(wh.widget, wh.a1)) == 3
    with uow() as u:
        assert len(list(u.stock.movements())) == 1


def test_database_check_refuses_negative_balance_even_without_the_code(
    engine: Engine, wh: Warehouse
) -> None:
    with engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(text(
            "INSERT INTO balance (key, item_id, location_id, status, quantity, reserved,"
            " updated_at) VALUES ('x', :i, :l, 'available', -1, 0, CURRENT_TIMESTAMP)"
        ), {"i": wh.widget, "l": wh.a1})


def test_ledger_rows_cannot_be_updated_or_deleted(engine: Engine, uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 1, wh.dock, "ASN-1"))
    for sql in ("UPDATE movement SET quantity = 99", "DELETE FROM movement"):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(sql))
    assert_exact(uow)


def test_units_convert_and_refuse_unknown_or_fractional(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.heavy, "1.5", wh.dock, "ASN-1", uom="BOX"))
    assert on_hand(uow, BalanceKey(wh.heavy, wh.dock)) == 150
    with pytest.raises(UnknownUnit, match="unit 'PAL' is not set up"):
        post(uow, wh.operator, Receive(wh.heavy, 1, wh.dock, "ASN-1", uom="PAL"))
    with pytest.raises(InvalidQuantity, match="whole EA"):
        post(uow, wh.operator, Receive(wh.heavy, "0.5", wh.dock, "ASN-1"))
    with pytest.raises(InvalidQuantity):
        post(uow, wh.operator, Receive(wh.heavy, "-3", wh.dock, "ASN-1"))


def test_lot_and_expiry_are_required_for_tracked_items(uow: Uow, wh: Warehouse) -> None:
    with pytest.raises(BadInput, match="lot-tracked"):
        post(uow, wh.operator, Receive(wh.lotted, 5, wh.dock, "ASN-1"))
    post(uow, wh.operator,
         Receive(wh.lotted, 5, wh.dock, "ASN-1", lot="L1", expiry=date(2027, 1, 31)))
    with pytest.raises(BadInput, match="expires 2027-01-31"):
        post(uow, wh.operator,
             Receive(wh.lotted, 5, wh.dock, "ASN-2", lot="L1", expiry=date(2027, 2, 28)))
    assert_exact(uow)


def test_adjust_needs_a_supervisor_and_a_known_reason(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
    with pytest.raises(PermissionDenied, match="may not adjust"):
        post(uow, wh.operator, Adjust(wh.widget, -1, wh.a1, "DAMAGED", "ADJ-1"))
    with pytest.raises(BadInput, match="unknown reason code"):
        post(uow, wh.supervisor, Adjust(wh.widget, -1, wh.a1, "NOPE", "ADJ-1"))
    post(uow, wh.supervisor, Adjust(wh.widget, -2, wh.a1, "DAMAGED", "ADJ-1"))
    post(uow, wh.supervisor, Adjust(wh.widget, 7, wh.a1, "FOUND", "ADJ-2"))
    assert on_hand(uow, BalanceKey(wh.widget, wh.a1)) == 10
    assert_exact(uow)


def test_status_change_moves_stock_between_statuses(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 8, wh.dock, "ASN-1", status=StockStatus.QC_HOLD))
    with pytest.raises(InsufficientStock):
        post(uow, wh.operator, Pick(wh.widget, 1, wh.dock, "SO-1"))
    post(uow, wh.supervisor, ChangeStatus(
        wh.widget, 8, wh.dock, StockStatus.QC_HOLD, StockStatus.AVAILABLE, "QC-1", "QC-PASS"))
    post(uow, wh.operator, Pick(wh.widget, 1, wh.dock, "SO-1"))
    assert on_hand(uow, BalanceKey(wh.widget, wh.dock)) == 7
    assert_exact(uow)


def test_reservations_protect_stock_for_their_picker(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    stock.reserve(uow, wh.operator, Reserve(wh.widget, 8, wh.a1, "TASK-1"))
    with pytest.raises(InsufficientStock, match="only 2 free"):
        stock.reserve(uow, wh.operator, Reserve(wh.widget, 3, wh.a1, "TASK-2"))
    with pytest.raises(InsufficientStock):
        post(uow, wh.operator, Pick(wh.widget, 3, wh.a1, "SO-2"))
    post(uow, wh.operator, Pick(wh.widget, 8, wh.a1, "SO-1", reservation="TASK-1"))
    with uow() as u:
        row = u.stock.balance(BalanceKey(wh.widget, wh.a1))
    assert row is not None and (row.quantity, row.reserved) == (2, 0)
    assert_exact(uow)


def test_whole_lpn_moves_with_everything_on_it(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 12, wh.dock, "ASN-1", lpn="LPN001"))
    post(uow, wh.operator, Receive(wh.heavy, 3, wh.dock, "ASN-1", lpn="LPN001"))
    with uow() as u:
        lpn = u.catalog.lpn_by_code("LPN001")
    assert lpn is not None
    ids = post(uow, wh.operator, MoveLpn(lpn.id, wh.a2, "PUT-1")).movement_ids
    assert len(ids) == 2
    assert on_hand(uow, BalanceKey(wh.widget, wh.a2, lpn_id=lpn.id)) == 12
    with uow() as u:
        assert u.catalog.lpn(lpn.id).location_id == wh.a2
    assert_exact(uow)


def test_failed_post_leaves_no_partial_rows(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 5, wh.dock, "ASN-1", lpn="P1"))
    post(uow, wh.operator, Receive(wh.heavy, 5, wh.dock, "ASN-1", lpn="P1"))
    with uow() as u:
        lpn = u.catalog.lpn_by_code("P1")
    assert lpn is not None
    stock.reserve(uow, wh.operator, Reserve(wh.heavy, 1, wh.dock, "T", lpn_id=lpn.id))
    with pytest.raises(InsufficientStock, match="reserved"):
        post(uow, wh.operator, MoveLpn(lpn.id, wh.a1, "PUT-1"))
    with uow() as u:
        assert len(list(u.stock.movements())) == 2
    assert_exact(uow)


def test_stock_is_never_put_on_an_lpn_standing_elsewhere(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 10, wh.dock, "ASN-1", lpn="P9"))
    with uow() as u:
        lpn = u.catalog.lpn_by_code("P9")
    assert lpn is not None
    # Receiving onto the pallet at another place would split it across two locations.
    with pytest.raises(BadInput, match="LPN P9 is at DOCK-1"):
        post(uow, wh.operator, Receive(wh.heavy, 2, wh.a1, "ASN-1", lpn="P9"))
    post(uow, wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-2"))
    with pytest.raises(BadInput, match="LPN P9 is at DOCK-1"):
        post(uow, wh.operator, Move(wh.widget, 5, wh.a1, wh.a2, "MV-1", to_lpn_id=lpn.id))
    with pytest.raises(BadInput, match="LPN P9 is at DOCK-1"):
        post(uow, wh.supervisor, Adjust(wh.widget, 1, wh.a2, "FOUND", "ADJ-1", lpn_id=lpn.id,
                                        approved_by=wh.supervisor.user_id))
    # Onto the pallet where it stands is fine, and so is moving all of it off and back.
    post(uow, wh.operator, Move(wh.widget, 5, wh.a1, wh.dock, "MV-2", to_lpn_id=lpn.id))
    post(uow, wh.operator, Move(wh.widget, 15, wh.dock, wh.a2, "MV-3", from_lpn_id=lpn.id,
                                to_lpn_id=lpn.id))
    with uow() as u:
        assert u.catalog.lpn(lpn.id).location_id == wh.a2
        assert len(list(u.stock.movements())) == 4
    assert on_hand(uow, BalanceKey(wh.widget, wh.a2, lpn_id=lpn.id)) == 15
    assert_exact(uow)


def test_found_stock_of_a_tracked_item_needs_its_lot(uow: Uow, wh: Warehouse) -> None:
    with pytest.raises(BadInput, match="lot-tracked"):
        post(uow, wh.supervisor, Adjust(wh.lotted, 3, wh.a1, "FOUND", "ADJ-1",
                                        approved_by=wh.supervisor.user_id))
    with uow() as u:
        assert list(u.stock.movements()) == []
