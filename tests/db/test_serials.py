"""Serials stored with the movement that carried them, on SQLite and PostgreSQL: in stock once
per item (the partial unique index, also when two receipts race), picked only from where
they are, and each serial's history found again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tests.factories import Warehouse, build_warehouse, saved_id
from wms_tui.db.tables import Item, ItemUom
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.errors import BadInput, InvalidQuantity, WmsError
from wms_tui.domain.model import MovementKind
from wms_tui.domain.serials import SerialInStock, SerialNotHere, SerialStatus, serial_history
from wms_tui.domain.stock import Pick, Receive, ledger_mismatches, post


def add_phone(engine: Engine) -> int:
    """A serial-tracked item: one serial per EA."""
    with Session(engine) as s:
        phone = Item(sku="PHONE", description="Phone", base_uom="EA", serial_tracked=True)
        s.add(phone)
        s.flush()
        phone_id = saved_id(phone.id)
        s.add(ItemUom(item_id=phone_id, uom="EA", factor=1, gtin="09501101530010"))
        s.commit()
    return phone_id


def count_rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.fixture
def wh(engine: Engine) -> Warehouse:
    return build_warehouse(engine)


@pytest.fixture
def phone(engine: Engine, wh: Warehouse) -> int:
    return add_phone(engine)


def test_a_receipt_stores_its_serials_in_stock_linked_to_its_movement(
    engine: Engine, wh: Warehouse, phone: int
) -> None:
    result = post(uow_factory(engine), wh.operator,
                  Receive(phone, 2, wh.dock, "ASN-1", serials=("SN-1", "SN-2")))
    [found] = serial_history(uow_factory(engine), "SN-2", phone)
    assert found.record.status == SerialStatus.IN_STOCK
    assert (found.record.sku, found.record.location) == ("PHONE", "DOCK-1")
    assert [e.movement_id for e in found.events] == result.movement_ids
    assert found.events[0].kind == MovementKind.RECEIVE and found.events[0].user == "OP1"


def test_a_serial_in_stock_is_refused_and_the_receipt_changes_nothing(
    engine: Engine, wh: Warehouse, phone: int
) -> None:
    post(uow_factory(engine), wh.operator, Receive(phone, 1, wh.dock, "ASN-1", serials=("SN-1",)))
    with pytest.raises(SerialInStock, match="Serial SN-1 in stock"):
        post(uow_factory(engine), wh.operator,
             Receive(phone, 2, wh.a1, "ASN-2", serials=("SN-9", "SN-1")))
    assert count_rows(engine, "serial") == 1
    assert count_rows(engine, "movement") == 1
    with SqlUnitOfWork(engine) as uow:
        assert ledger_mismatches(uow) == []


@pytest.mark.parametrize(("serials", "error", "message"), [
    (("SN-1",), InvalidQuantity, "2 units of PHONE need 2 serials, not 1"),
    (("SN-1", "SN-1"), BadInput, "serial SN-1 is given twice"),
    (("SN 1", "SN-2"), BadInput, "Serial: letters, digits"),
])
def test_serials_that_do_not_match_the_units_are_refused(
    engine: Engine, wh: Warehouse, phone: int, serials: tuple[str, ...],
    error: type[WmsError], message: str,
) -> None:
    with pytest.raises(error, match=message):
        post(uow_factory(engine), wh.operator, Receive(phone, 2, wh.dock, "ASN-1",
                                                       serials=serials))
    assert count_rows(engine, "movement") == 0 and count_rows(engine, "serial") == 0


def test_the_database_refuses_a_second_in_stock_row_of_a_serial(
    engine: Engine, wh: Warehouse, phone: int
) -> None:
    """The index itself, not only the code before it."""
    post(uow_factory(engine), wh.operator, Receive(phone, 1, wh.dock, "ASN-1", serials=("SN-1",)))
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(text("INSERT INTO serial (item_id, serial, status, created_at, updated_at) "
                          "VALUES (:item, 'SN-1', 'in_stock', :now, :now)"),
                     {"item": phone, "now": "2026-01-01 00:00:00"})


def test_a_pick_takes_serials_from_their_location_only(
    engine: Engine, wh: Warehouse, phone: int
) -> None:
    post(uow_factory(engine), wh.operator,
         Receive(phone, 2, wh.a1, "ASN-1", serials=("SN-1", "SN-2")))
    post(uow_factory(engine), wh.operator, Receive(phone, 1, wh.a2, "ASN-2", serials=("SN-3",)))
    with pytest.raises(SerialNotHere, match="Serial SN-3 not here"):
        post(uow_factory(engine), wh.operator, Pick(phone, 1, wh.a1, "SO-1", serials=("SN-3",)))
    moved = post(uow_factory(engine), wh.operator,
                 Pick(phone, 1, wh.a1, "SO-1", to_location_id=wh.pick, serials=("SN-2",)))
    [found] = serial_history(uow_factory(engine), "SN-2")
    assert (found.record.status, found.record.location) == (SerialStatus.IN_STOCK, "P-01-01-1")
    assert [e.kind for e in found.events] == [MovementKind.RECEIVE, MovementKind.PICK]
    assert found.events[-1].movement_id == moved.movement_ids[0]
    issued = post(uow_factory(engine), wh.operator,
                  Pick(phone, 1, wh.a1, "SO-2", serials=("SN-1",)))
    [gone] = serial_history(uow_factory(engine), "SN-1")
    assert (gone.record.status, gone.record.location) == (SerialStatus.ISSUED, None)
    assert gone.events[-1].movement_id == issued.movement_ids[0]
    # Out of stock, the serial may come back in: its old row stays as history.
    post(uow_factory(engine), wh.operator, Receive(phone, 1, wh.dock, "RMA-1", serials=("SN-1",)))
    units = serial_history(uow_factory(engine), "SN-1")
    assert [u.record.status for u in units] == [SerialStatus.IN_STOCK, SerialStatus.ISSUED]


def test_an_item_not_serial_tracked_takes_no_serials(engine: Engine, wh: Warehouse) -> None:
    with pytest.raises(BadInput, match="WIDGET is not serial-tracked"):
        post(uow_factory(engine), wh.operator,
             Receive(wh.widget, 1, wh.dock, "ASN-1", serials=("SN-1",)))
    assert count_rows(engine, "movement") == 0


def test_receipts_without_serials_post_as_before(engine: Engine, wh: Warehouse) -> None:
    post(uow_factory(engine), wh.operator, Receive(wh.widget, 4, wh.dock, "ASN-1"))
    assert count_rows(engine, "serial") == 0 and count_rows(engine, "serial_movement") == 0


def together(*work: Callable[[], object]) -> list[BaseException | None]:
    """Run each in its own thread, released at once; each one's refusal, or None."""
    start = threading.Barrier(len(work))
    outcomes: list[BaseException | None] = [None] * len(work)

    def run(index: int, fn: Callable[[], object]) -> None:
        start.wait()
        try:
            fn()
        except BaseException as exc:  # reported in the test thread
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_two_receipts_of_one_serial_racing_on_postgres_exactly_one_wins(
    engine: Engine, wh: Warehouse, phone: int, own_engines: list[Engine]
) -> None:
    for round_no in range(6):
        serial = f"RACE-{round_no}"
        outcomes = together(*(
            partial(post, uow_factory(eng), wh.operator, Receive(
                phone, 1, wh.dock, f"ASN-{round_no}-{n}", serials=(serial,)))
            for n, eng in enumerate(own_engines)))
        refused = [o for o in outcomes if o is not None]
        assert len(refused) == 1 and isinstance(refused[0], SerialInStock), outcomes
        assert len(serial_history(uow_factory(engine), serial, phone)) == 1
    assert count_rows(engine, "movement") == 6
    with SqlUnitOfWork(engine) as uow:
        assert ledger_mismatches(uow) == []
