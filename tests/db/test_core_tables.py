"""The Core tables `wms stock` reads match the SQLModel tables, and the stock listing written on
them gives exactly what the ORM query it replaced gave, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Engine, Table, select
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, col

from tests.factories import Warehouse
from wms_tui.db import core_tables
from wms_tui.db.tables import Balance, Item, Location, Lot, Lpn, table_of
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.demo.seed import seed_demo
from wms_tui.domain.model import StockLine

ColumnShape = tuple[str, str, bool, bool]


def _shape(column: Column[object]) -> ColumnShape:
    """A column's name, generic type (length, precision, time zone), nullability and key."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return column.name, repr(kind.as_generic()), bool(column.nullable), column.primary_key


def _shapes(table: Table) -> list[ColumnShape]:
    return [_shape(c) for c in table.columns]


@pytest.mark.parametrize("light", core_tables.metadata.sorted_tables, ids=lambda t: t.name)
def test_each_core_table_has_the_sqlmodel_tables_columns(light: Table) -> None:
    assert _shapes(light) == _shapes(SQLModel.metadata.tables[light.name])


def test_the_core_tables_are_the_ones_the_stock_listing_reads() -> None:
    assert set(core_tables.metadata.tables) == {"balance", "item", "location", "lot", "lpn"}


def orm_stock_lines(engine: Engine, *, item_id: int | None = None,
                    location_id: int | None = None) -> list[StockLine]:
    """The stock listing's query as it was on the SQLModel classes, the yardstick."""
    b = table_of(Balance)
    query = (
        select(b, col(Item.sku), col(Item.description), col(Item.base_uom),
               col(Location.code).label("loc"), col(Location.walk_seq),
               col(Lot.code).label("lot_code"), col(Lot.expiry),
               col(Lpn.code).label("lpn_code"))
        .join(Item, col(Item.id) == b.c.item_id)
        .join(Location, col(Location.id) == b.c.location_id)
        .outerjoin(Lot, col(Lot.id) == b.c.lot_id)
        .outerjoin(Lpn, col(Lpn.id) == b.c.lpn_id)
        .where(b.c.quantity > 0)
        .order_by(col(Location.walk_seq), col(Location.code), col(Item.sku), b.c.id)
    )
    if item_id is not None:
        query = query.where(b.c.item_id == item_id)
    if location_id is not None:
        query = query.where(b.c.location_id == location_id)
    with Session(engine) as session:
        return [
            StockLine(
                sku=r.sku, description=r.description, location=r.loc, quantity=r.quantity,
                uom=r.base_uom, lot=r.lot_code, expiry=r.expiry, lpn=r.lpn_code,
                status=r.status, item_id=r.item_id, location_id=r.location_id,
                lot_id=r.lot_id, lpn_id=r.lpn_id, reserved=r.reserved,
            )
            for r in session.execute(query)
        ]


def test_stock_lines_on_the_demo_are_the_orm_querys(engine: Engine) -> None:
    seed_demo(engine, 1, date(2026, 3, 2), history_weeks=1)
    with SqlUnitOfWork(engine, readonly=True) as uow:
        every = uow.inquiry.stock_lines()
        assert every == orm_stock_lines(engine)
        # Lots, expiries, LPNs and more than one status, so each outer join and column counts.
        assert {ln.lot is not None for ln in every} == {True, False}
        assert {ln.lpn is not None for ln in every} == {True, False}
        assert any(ln.expiry is not None for ln in every)
        first = every[0]
        assert uow.inquiry.stock_lines(item_id=first.item_id) == orm_stock_lines(
            engine, item_id=first.item_id)
        assert uow.inquiry.stock_lines(location_id=first.location_id) == orm_stock_lines(
            engine, location_id=first.location_id)
        assert uow.inquiry.stock_lines(item_id=first.item_id, location_id=first.location_id
                                       ) == orm_stock_lines(engine, item_id=first.item_id,
                                                            location_id=first.location_id)
        # The listing alone opens no ORM session.
        assert "session" not in uow.__dict__
    # A time the Core tables read is the ORM's: aware, in UTC.
    with Session(engine) as session:
        orm = session.execute(select(table_of(Lot).c.created_at).order_by(col(Lot.id))).all()
    with engine.connect() as connection:
        core = connection.execute(
            select(core_tables.lot.c.created_at).order_by(core_tables.lot.c.id)).all()
    assert core == orm
    assert all(t.tzinfo is UTC for (t,) in core)


def test_stock_lines_see_what_this_transaction_has_not_flushed(
    engine: Engine, wh: Warehouse
) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.session.add(Balance(key="unflushed", item_id=wh.widget, location_id=wh.a1,
                                status="damaged", quantity=7,
                                updated_at=datetime(2026, 3, 2, tzinfo=UTC)))
        shown = uow.inquiry.stock_lines(location_id=wh.a1)
        assert [(ln.sku, ln.status, ln.quantity) for ln in shown] == [("WIDGET", "damaged", 7)]
