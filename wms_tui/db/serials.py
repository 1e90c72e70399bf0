"""Serials and their movements (domain.ports.SerialRepository); it never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, select, text, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from wms_tui.db.repositories import _insert
from wms_tui.db.tables import (
    SERIAL_IN_STOCK_WHERE,
    Item,
    Location,
    Lot,
    Lpn,
    Movement,
    Serial,
    SerialMovement,
    User,
    table_of,
    utcnow,
)
from wms_tui.domain.model import MovementKind
from wms_tui.domain.serials import SerialEvent, SerialRecord, SerialStatus

S = table_of(Serial)
SM = table_of(SerialMovement)
M = table_of(Movement)
ITEM = table_of(Item)
LOC = table_of(Location)
LOT = table_of(Lot)
LPN = table_of(Lpn)
USER = table_of(User)


def _records() -> Select[Any]:
    return (
        select(S, ITEM.c.sku, LOC.c.code.label("loc"), LPN.c.code.label("lpn_code"),
               LOT.c.code.label("lot_code"))
        .join(ITEM, ITEM.c.id == S.c.item_id)
        .outerjoin(LOC, LOC.c.id == S.c.location_id)
        .outerjoin(LPN, LPN.c.id == S.c.lpn_id)
        .outerjoin(LOT, LOT.c.id == S.c.lot_id)
    )


def _record(row: Row[Any]) -> SerialRecord:
    return SerialRecord(
        id=row.id, item_id=row.item_id, sku=row.sku, serial=row.serial,
        status=SerialStatus(row.status), location_id=row.location_id, location=row.loc,
        lpn_id=row.lpn_id, lpn=row.lpn_code, lot=row.lot_code,
    )


class SqlSerials:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_in_stock(self, item_id: int, serial: str, *, location_id: int, lpn_id: int | None,
                     lot_id: int | None) -> int | None:
        # ON CONFLICT against the partial unique index: of two receipts racing, one gets None.
        now = utcnow()
        found = self.session.execute(
            _insert(self.session, S)
            .values(item_id=item_id, serial=serial, status=SerialStatus.IN_STOCK.value,
                    location_id=location_id, lpn_id=lpn_id, lot_id=lot_id, created_at=now,
                    updated_at=now)
            .on_conflict_do_nothing(index_elements=["item_id", "serial"],
                                    index_where=text(SERIAL_IN_STOCK_WHERE))
            .returning(S.c.id)
        ).scalar()
        return None if found is None else int(found)

    def take(self, serial_id: int, from_location_id: int, to_location_id: int | None) -> bool:
        status = SerialStatus.IN_STOCK if to_location_id is not None else SerialStatus.ISSUED
        # The check and the change are one statement, so two pickers cannot both take it.
        result = self.session.execute(
            update(S)
            .where(S.c.id == serial_id, S.c.location_id == from_location_id,
                   S.c.status == SerialStatus.IN_STOCK.value)
            .values(location_id=to_location_id, lpn_id=None, status=status.value,
                    updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def place(self, serial_id: int, from_location_id: int, to_location_id: int,
              lpn_id: int | None) -> bool:
        result = self.session.execute(
            update(S)
            .where(S.c.id == serial_id, S.c.location_id == from_location_id,
                   S.c.status == SerialStatus.IN_STOCK.value)
            .values(location_id=to_location_id, lpn_id=lpn_id, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def lose(self, serial_id: int, from_location_id: int) -> bool:
        result = self.session.execute(
            update(S)
            .where(S.c.id == serial_id, S.c.location_id == from_location_id,
                   S.c.status == SerialStatus.IN_STOCK.value)
            .values(location_id=None, lpn_id=None, status=SerialStatus.MISSING.value,
                    updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def link(self, serial_id: int, movement_id: int) -> None:
        self.session.execute(SM.insert().values(serial_id=serial_id, movement_id=movement_id))

    def in_stock(self, item_id: int, serials: Sequence[str]) -> list[SerialRecord]:
        if not serials:
            return []
        rows = self.session.execute(
            _records().where(S.c.item_id == item_id, S.c.serial.in_(list(serials)),
                             S.c.status == SerialStatus.IN_STOCK.value))
        return [_record(r) for r in rows]

    def at_location(self, location_id: int, item_id: int | None = None) -> list[SerialRecord]:
        query = _records().where(S.c.location_id == location_id,
                                 S.c.status == SerialStatus.IN_STOCK.value)
        if item_id is not None:
            query = query.where(S.c.item_id == item_id)
        return [_record(r) for r in self.session.execute(query.order_by(S.c.serial))]

    def find(self, serial: str, item_id: int | None = None) -> list[SerialRecord]:
        query = _records().where(S.c.serial == serial)
        if item_id is not None:
            query = query.where(S.c.item_id == item_id)
        return [_record(r) for r in self.session.execute(query.order_by(S.c.id.desc()))]

    def history(self, serial_id: int) -> list[SerialEvent]:
        from_loc, to_loc = aliased(LOC), aliased(LOC)
        rows = self.session.execute(
            select(M.c.id, M.c.kind, M.c.created_at, M.c.reference,
                   from_loc.c.code.label("from_code"), to_loc.c.code.label("to_code"),
                   USER.c.login)
            .join(SM, SM.c.movement_id == M.c.id)
            .join(USER, USER.c.id == M.c.user_id)
            .outerjoin(from_loc, from_loc.c.id == M.c.from_location_id)
            .outerjoin(to_loc, to_loc.c.id == M.c.to_location_id)
            .where(SM.c.serial_id == serial_id)
            .order_by(M.c.id)
        )
        return [SerialEvent(movement_id=r.id, kind=MovementKind(r.kind), at=r.created_at,
                            from_location=r.from_code, to_location=r.to_code,
                            reference=r.reference, user=r.login) for r in rows]
