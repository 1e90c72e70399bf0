"""Outbound orders, waves, tasks and picking's count tasks in SQL
(domain.outbound.OutboundRepository); it never commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from wms_tui.db import listings
from wms_tui.db.cancels import record_cancel
from wms_tui.db.repositories import _insert
from wms_tui.db.tables import (
    OPEN_REPLENISH_WHERE,
    Balance,
    Item,
    ItemUom,
    Location,
    Lot,
    Lpn,
    OutboundLine,
    OutboundOrder,
    ReasonCode,
    Task,
    ToteOrder,
    Wave,
    Zone,
    table_of,
    utcnow,
)
from wms_tui.domain.errors import NotFound
from wms_tui.domain.listings import (
    OrderFilter,
    OrderLineRow,
    OrderRow,
    TaskFilter,
    TaskRow,
    WaveFilter,
    WaveRow,
)
from wms_tui.domain.model import LocationRef, LocationType, StockStatus
from wms_tui.domain.outbound import (
    SHORT_REASON_EXTRAS,
    WAVE_DIGITS,
    WAVE_PREFIX,
    OutboundLineRef,
    OutboundLineSpec,
    OutboundOrderRef,
    OutboundOrderSpec,
    OutboundStatus,
    StockSlot,
    TaskKind,
    TaskRef,
    TaskSpec,
    TaskStatus,
    WaveRef,
    WaveStatus,
)
from wms_tui.domain.totes import ToteBinding

O = table_of(OutboundOrder)  # noqa: E741
L = table_of(OutboundLine)
W = table_of(Wave)
T = table_of(Task)
B = table_of(Balance)
LOC = table_of(Location)
ITEM = table_of(Item)
UOM = table_of(ItemUom)
LOT = table_of(Lot)
LPN = table_of(Lpn)
ZONE = table_of(Zone)
REASON = table_of(ReasonCode)
TOTE = table_of(ToteOrder)

OPEN_STATUSES = [s.value for s in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)]

FROM = aliased(LOC, name="from_loc")
TO = aliased(LOC, name="to_loc")
FROM_ZONE = aliased(ZONE, name="from_zone")
TO_ZONE = aliased(ZONE, name="to_zone")


def _order_ref(row: Any) -> OutboundOrderRef:
    return OutboundOrderRef(
        id=row.id, reference=row.reference, customer=row.customer,
        status=OutboundStatus(row.status), priority=row.priority, ship_date=row.ship_date,
        wave_id=row.wave_id,
    )


def _location(row: Any, prefix: str) -> LocationRef:
    def get(name: str) -> Any:
        return getattr(row, f"{prefix}_{name}")

    return LocationRef(
        id=get("id"), code=get("code"), barcode=get("barcode"), check_digits=get("check"),
        type=LocationType(get("type")), walk_seq=get("walk_seq"), zone=get("zone"),
        capacity=get("capacity"),
    )


def _location_columns(table: Any, zone: Any, prefix: str) -> list[Any]:
    return [
        table.c.id.label(f"{prefix}_id"), table.c.code.label(f"{prefix}_code"),
        table.c.barcode.label(f"{prefix}_barcode"),
        table.c.check_digits.label(f"{prefix}_check"), table.c.type.label(f"{prefix}_type"),
        table.c.walk_seq.label(f"{prefix}_walk_seq"), zone.c.code.label(f"{prefix}_zone"),
        table.c.capacity.label(f"{prefix}_capacity"),
    ]


def _task_query() -> Any:
    line_uom = func.coalesce(L.c.uom, ITEM.c.base_uom)
    return (
        select(
            T, ITEM.c.sku, ITEM.c.description, ITEM.c.base_uom, ITEM.c.lot_tracked,
            *_location_columns(FROM, FROM_ZONE, "from"),
            *_location_columns(TO, TO_ZONE, "to"),
            FROM.c.aisle, FROM.c.bay, FROM.c.level,
            W.c.code.label("wave_code"), O.c.id.label("order_id"),
            O.c.reference.label("order_ref"), O.c.ship_date, L.c.line_no,
            line_uom.label("line_uom"), func.coalesce(UOM.c.factor, 1).label("factor"),
            LOT.c.code.label("lot_code"), LOT.c.expiry,
        )
        .join(ITEM, ITEM.c.id == T.c.item_id)
        .join(FROM, FROM.c.id == T.c.from_location_id)
        .outerjoin(FROM_ZONE, FROM_ZONE.c.id == FROM.c.zone_id)
        .outerjoin(TO, TO.c.id == T.c.to_location_id)
        .outerjoin(TO_ZONE, TO_ZONE.c.id == TO.c.zone_id)
        .outerjoin(W, W.c.id == T.c.wave_id)
        .outerjoin(L, L.c.id == T.c.order_line_id)
        .outerjoin(O, O.c.id == L.c.order_id)
        .outerjoin(UOM, and_(UOM.c.item_id == T.c.item_id, UOM.c.uom == L.c.uom))
        .outerjoin(LOT, LOT.c.id == T.c.lot_id)
    )


def _task_ref(r: Any) -> TaskRef:
    return TaskRef(
        id=r.id, kind=TaskKind(r.kind), status=TaskStatus(r.status), item_id=r.item_id,
        sku=r.sku, description=r.description, base_uom=r.base_uom, quantity=r.quantity,
        location=_location(r, "from"),
        done_quantity=r.done_quantity, seq=r.seq, reservation=r.reservation,
        lot_tracked=r.lot_tracked, uom=r.line_uom, factor=r.factor, aisle=r.aisle, bay=r.bay,
        level=r.level, wave_id=r.wave_id, wave_code=r.wave_code, order_id=r.order_id,
        order_ref=r.order_ref, order_line_id=r.order_line_id, line_no=r.line_no,
        ship_date=r.ship_date, lot_id=r.lot_id, lot=r.lot_code, expiry=r.expiry,
        lpn_id=r.lpn_id, to_location=None if r.to_id is None else _location(r, "to"),
        assigned_to=r.assigned_to, reason_code=r.reason_code,
    )


class SqlOutbound:
    """Implements domain.outbound.OutboundRepository."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _lock(self, table: Any, row_id: int) -> None:
        # FOR UPDATE on PostgreSQL; SQLite writers hold the database lock already.
        self.session.execute(select(table.c.id).where(table.c.id == row_id).with_for_update())

    # Orders.

    def order(self, order_id: int) -> OutboundOrderRef:
        row = self.session.execute(select(O).where(O.c.id == order_id)).first()
        if row is None:
            raise NotFound(f"no outbound order with id {order_id}")
        return _order_ref(row)

    def order_by_reference(self, reference: str) -> OutboundOrderRef | None:
        row = self.session.execute(select(O).where(O.c.reference == reference)).first()
        return None if row is None else _order_ref(row)

    def lines(self, order_id: int) -> list[OutboundLineRef]:
        rows = self.session.execute(
            select(L, ITEM.c.sku, ITEM.c.base_uom,
                   func.coalesce(UOM.c.factor, 1).label("factor"))
            .join(ITEM, ITEM.c.id == L.c.item_id)
            .outerjoin(UOM, and_(UOM.c.item_id == L.c.item_id, UOM.c.uom == L.c.uom))
            .where(L.c.order_id == order_id).order_by(L.c.line_no)
        )
        return [
            OutboundLineRef(
                id=r.id, order_id=r.order_id, line_no=r.line_no, item_id=r.item_id, sku=r.sku,
                base_uom=r.base_uom, quantity=r.quantity, uom=r.uom, factor=r.factor,
                allocated=r.allocated, picked=r.picked, short=r.short,
            )
            for r in rows
        ]

    def save_order(self, spec: OutboundOrderSpec) -> int:
        values: dict[str, Any] = {"customer": spec.customer, "ship_date": spec.ship_date,
                                  "priority": spec.priority}
        found = self.session.execute(
            select(O.c.id).where(O.c.reference == spec.reference)
        ).scalar()
        if found is not None:
            self.session.execute(update(O).where(O.c.id == found).values(**values))
            return int(found)
        order = OutboundOrder(reference=spec.reference, status=OutboundStatus.OPEN.value,
                              **values)
        self.session.add(order)
        self.session.flush()
        assert order.id is not None
        return order.id

    def save_line(self, order_id: int, spec: OutboundLineSpec) -> None:
        values: dict[str, Any] = {"item_id": spec.item_id, "quantity": spec.quantity,
                                  "uom": spec.uom}
        result = self.session.exec(
            update(L).where(L.c.order_id == order_id, L.c.line_no == spec.line_no)
            .values(**values)
        )
        if result.rowcount == 0:
            self.session.add(OutboundLine(order_id=order_id, line_no=spec.line_no, **values))
            self.session.flush()

    def open_orders(
        self, *, ship_date: date | None = None, max_priority: int | None = None,
        statuses: Collection[OutboundStatus] = (OutboundStatus.OPEN,),
    ) -> list[OutboundOrderRef]:
        query = select(O).where(O.c.status.in_([s.value for s in statuses]))
        if ship_date is not None:
            # An order without a ship date is due as soon as possible.
            query = query.where(or_(O.c.ship_date.is_(None), O.c.ship_date <= ship_date))
        if max_priority is not None:
            query = query.where(O.c.priority <= max_priority)
        # Orders without a ship date go after dated ones of the same priority.
        query = query.order_by(O.c.priority, O.c.ship_date.is_(None), O.c.ship_date,
                               O.c.reference)
        return [_order_ref(r) for r in self.session.execute(query)]

    def lock_order(self, order_id: int) -> None:
        self._lock(O, order_id)

    def set_order_status(
        self, order_id: int, status: OutboundStatus, wave_id: int | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status.value}
        if wave_id is not None:
            values["wave_id"] = wave_id
        self.session.execute(update(O).where(O.c.id == order_id).values(**values))

    def add_to_line(
        self, line_id: int, *, allocated: int = 0, picked: int = 0, short: int = 0
    ) -> bool:
        # The limits are in the UPDATE itself, so racing terminals never pass them together.
        result = self.session.exec(
            update(L)
            .where(L.c.id == line_id, L.c.allocated + allocated >= 0,
                   L.c.picked + picked + L.c.short + short <= L.c.quantity,
                   L.c.allocated + allocated + L.c.short + short <= L.c.quantity)
            .values(allocated=L.c.allocated + allocated, picked=L.c.picked + picked,
                    short=L.c.short + short)
        )
        return bool(result.rowcount == 1)

    # Waves.

    def next_wave_code(self) -> str:
        width = len(WAVE_PREFIX) + WAVE_DIGITS
        codes = self.session.execute(
            select(W.c.code).where(W.c.code.like(f"{WAVE_PREFIX}%"))
            .order_by(func.length(W.c.code).desc(), W.c.code.desc()).limit(50)
        ).scalars()
        last = next((int(c[len(WAVE_PREFIX):]) for c in codes
                     if c[len(WAVE_PREFIX):].isdigit() and len(c) >= width), 0)
        return f"{WAVE_PREFIX}{last + 1:0{WAVE_DIGITS}d}"

    def add_wave(self, code: str, released_by: int) -> int:
        wave = Wave(code=code, status=WaveStatus.RELEASED.value, released_by=released_by)
        self.session.add(wave)
        self.session.flush()
        assert wave.id is not None
        return wave.id

    def wave(self, wave_id: int) -> WaveRef:
        row = self.session.execute(select(W).where(W.c.id == wave_id)).first()
        if row is None:
            raise NotFound(f"no wave with id {wave_id}")
        return WaveRef(row.id, row.code, WaveStatus(row.status))

    def wave_by_code(self, code: str) -> WaveRef | None:
        row = self.session.execute(select(W).where(W.c.code == code)).first()
        return None if row is None else WaveRef(row.id, row.code, WaveStatus(row.status))

    def lock_wave(self, wave_id: int) -> None:
        self._lock(W, wave_id)

    def set_wave_status(self, wave_id: int, status: WaveStatus) -> None:
        self.session.execute(update(W).where(W.c.id == wave_id).values(status=status.value))

    # Stock as allocation sees it.

    def stock_slots(self, item_id: int) -> list[StockSlot]:
        rows = self.session.execute(
            select(B, LOC.c.code, LOC.c.type, LOC.c.walk_seq, LOC.c.aisle, LOC.c.bay,
                   LOC.c.level, LOT.c.code.label("lot_code"), LOT.c.expiry,
                   LOT.c.created_at.label("lot_created"), LPN.c.created_at.label("lpn_created"))
            .join(LOC, LOC.c.id == B.c.location_id)
            .outerjoin(LOT, LOT.c.id == B.c.lot_id)
            .outerjoin(LPN, LPN.c.id == B.c.lpn_id)
            .where(B.c.item_id == item_id, B.c.quantity > 0, LOC.c.active)
            .order_by(B.c.id)
        )
        return [
            StockSlot(
                balance_id=r.id, item_id=r.item_id, location_id=r.location_id,
                location_code=r.code, location_type=LocationType(r.type), walk_seq=r.walk_seq,
                quantity=r.quantity, reserved=r.reserved, status=StockStatus(r.status),
                lot_id=r.lot_id, lot=r.lot_code, expiry=r.expiry,
                received_at=r.lot_created or r.lpn_created, lpn_id=r.lpn_id, aisle=r.aisle,
                bay=r.bay, level=r.level,
            )
            for r in rows
        ]

    # Tasks.

    def add_task(self, spec: TaskSpec) -> int:
        task = Task(
            kind=spec.kind.value, status=TaskStatus.OPEN.value, wave_id=spec.wave_id,
            order_line_id=spec.order_line_id, item_id=spec.item_id, lot_id=spec.lot_id,
            from_location_id=spec.location_id, to_location_id=spec.to_location_id,
            lpn_id=spec.lpn_id, quantity=spec.quantity, seq=spec.seq,
        )
        self.session.add(task)
        self.session.flush()
        assert task.id is not None
        return task.id

    def _set(self, task_id: int, **values: Any) -> None:
        self.session.execute(
            update(T).where(T.c.id == task_id).values(updated_at=utcnow(), **values))

    def set_task_reservation(self, task_id: int, reference: str) -> None:
        self._set(task_id, reservation=reference)

    def set_task_seq(self, task_id: int, seq: int) -> None:
        self._set(task_id, seq=seq)

    def set_task_lot(self, task_id: int, lot_id: int | None) -> None:
        self._set(task_id, lot_id=lot_id)

    def set_task_status(
        self, task_id: int, status: TaskStatus, reason_code: str | None = None
    ) -> None:
        values: dict[str, Any] = {"status": status.value}
        if reason_code is not None:
            values["reason_code"] = reason_code
        self._set(task_id, **values)

    def task(self, task_id: int) -> TaskRef:
        row = self.session.execute(_task_query().where(T.c.id == task_id)).first()
        if row is None:
            raise NotFound(f"no task with id {task_id}")
        return _task_ref(row)

    def lock_task(self, task_id: int) -> TaskRef:
        self._lock(T, task_id)
        return self.task(task_id)

    def tasks(
        self,
        *,
        kind: TaskKind | None = None,
        wave_id: int | None = None,
        order_id: int | None = None,
        statuses: Sequence[TaskStatus] = (),
        assigned_to: int | None = None,
        unassigned: bool = False,
        limit: int | None = None,
        takeable_by: int | None = None,
        excluding: int | None = None,
    ) -> list[TaskRef]:
        query = _task_query()
        if kind is not None:
            query = query.where(T.c.kind == kind.value)
        if wave_id is not None:
            query = query.where(T.c.wave_id == wave_id)
        if order_id is not None:
            query = query.where(O.c.id == order_id)
        if statuses:
            query = query.where(T.c.status.in_([s.value for s in statuses]))
        if assigned_to is not None:
            query = query.where(T.c.assigned_to == assigned_to)
        if unassigned:
            query = query.where(T.c.assigned_to.is_(None))
        if takeable_by is not None:
            query = query.where(or_(T.c.assigned_to.is_(None), T.c.assigned_to == takeable_by))
        if excluding is not None:
            query = query.where(T.c.id != excluding)
        query = query.order_by(T.c.wave_id.is_(None), T.c.wave_id, T.c.seq, T.c.id)
        if limit is not None:
            query = query.limit(limit)
        return [_task_ref(r) for r in self.session.execute(query)]

    def open_task_totals(
        self, kind: TaskKind, *, wave_id: int | None = None, order_id: int | None = None
    ) -> tuple[int, int]:
        query = (
            select(func.count(), func.coalesce(func.sum(T.c.quantity - T.c.done_quantity), 0))
            .select_from(T)
            .where(T.c.kind == kind.value, T.c.status.in_(OPEN_STATUSES))
        )
        if wave_id is not None:
            query = query.where(T.c.wave_id == wave_id)
        if order_id is not None:
            query = query.join(L, L.c.id == T.c.order_line_id).where(L.c.order_id == order_id)
        tasks, units = self.session.execute(query).one()
        return int(tasks), int(units)

    def busy_waves(self, kind: TaskKind, user_id: int) -> set[int]:
        rows = self.session.execute(
            select(T.c.wave_id).distinct()
            .where(T.c.kind == kind.value, T.c.status.in_(OPEN_STATUSES),
                   T.c.assigned_to.is_not(None), T.c.assigned_to != user_id,
                   T.c.wave_id.is_not(None))
        ).scalars()
        return set(rows)

    def claim_task(self, task_id: int, user_id: int) -> bool:
        result = self.session.exec(
            update(T)
            .where(T.c.id == task_id, T.c.assigned_to.is_(None), T.c.status.in_(OPEN_STATUSES))
            .values(assigned_to=user_id, status=TaskStatus.IN_PROGRESS.value,
                    updated_at=utcnow())
        )
        return bool(result.rowcount == 1)

    def add_done(self, task_id: int, quantity: int) -> bool:
        result = self.session.exec(
            update(T)
            .where(T.c.id == task_id, T.c.status.in_(OPEN_STATUSES),
                   T.c.done_quantity + quantity <= T.c.quantity)
            .values(done_quantity=T.c.done_quantity + quantity, updated_at=utcnow())
        )
        return bool(result.rowcount == 1)

    # Totes.

    def tote_binding(self, tote_id: int) -> ToteBinding | None:
        row = self.session.execute(
            select(TOTE.c.tote_id, TOTE.c.order_id, O.c.reference)
            .join(O, O.c.id == TOTE.c.order_id)
            .where(TOTE.c.tote_id == tote_id).with_for_update(of=TOTE)
        ).first()
        return None if row is None else ToteBinding(row.tote_id, row.order_id, row.reference)

    def bind_tote(self, tote_id: int, order_id: int) -> None:
        # A racing binding of the same tote violates the unique index: the unit of work
        # turns that into a retry, which then finds this binding and decides again.
        self.session.execute(insert(TOTE).values(tote_id=tote_id, order_id=order_id,
                                                 bound_at=utcnow()))

    def rebind_tote(self, tote_id: int, from_order_id: int, to_order_id: int) -> bool:
        result = self.session.exec(
            update(TOTE).where(TOTE.c.tote_id == tote_id, TOTE.c.order_id == from_order_id)
            .values(order_id=to_order_id, bound_at=utcnow())
        )
        return bool(result.rowcount == 1)

    def order_tote(self, order_id: int) -> int | None:
        found = self.session.execute(
            select(TOTE.c.tote_id).join(LOC, LOC.c.id == TOTE.c.tote_id)
            .where(TOTE.c.order_id == order_id, LOC.c.active)
            .order_by(TOTE.c.bound_at.desc(), TOTE.c.id.desc()).limit(1)
        ).scalar()
        return None if found is None else int(found)

    # Pick faces, replenishment and counts.

    def location_on_hand(self, location_id: int) -> int:
        total = self.session.execute(
            select(func.coalesce(func.sum(B.c.quantity), 0)).where(B.c.location_id == location_id)
        ).scalar()
        return int(total or 0)

    def replenishment_levels(self, item_id: int) -> tuple[int | None, int | None]:
        row = self.session.execute(
            select(ITEM.c.min_qty, ITEM.c.max_qty).where(ITEM.c.id == item_id)
        ).first()
        if row is None:
            raise NotFound(f"no item with id {item_id}")
        return row.min_qty, row.max_qty

    def open_replenishment(self, to_location_id: int, item_id: int) -> bool:
        found = self.session.execute(
            select(literal(1)).where(exists().where(
                T.c.kind == TaskKind.REPLENISH.value, T.c.status.in_(OPEN_STATUSES),
                T.c.to_location_id == to_location_id, T.c.item_id == item_id,
            ))
        ).scalar()
        return found is not None

    def add_replenishment(self, spec: TaskSpec) -> int | None:
        # ON CONFLICT against the partial unique index: a racing picker's task wins quietly.
        now = utcnow()
        found = self.session.execute(
            _insert(self.session, T)
            .values(kind=TaskKind.REPLENISH.value, status=TaskStatus.OPEN.value,
                    item_id=spec.item_id, lot_id=spec.lot_id,
                    from_location_id=spec.location_id, to_location_id=spec.to_location_id,
                    lpn_id=spec.lpn_id, quantity=spec.quantity, done_quantity=0,
                    seq=spec.seq, reservation="", created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["to_location_id", "item_id"],
                                    index_where=text(OPEN_REPLENISH_WHERE))
            .returning(T.c.id)
        ).scalar()
        return None if found is None else int(found)

    def short_reasons(self) -> list[str]:
        rows = self.session.execute(
            select(REASON.c.code)
            .where(REASON.c.active.is_(True),
                   or_(REASON.c.kind == "short", REASON.c.code.in_(SHORT_REASON_EXTRAS)))
            .order_by((REASON.c.kind != "short"), REASON.c.code)
        ).scalars()
        return list(rows)


    # Cancels (domain.outbound.CancelRepository).

    def wave_orders(self, wave_id: int) -> list[OutboundOrderRef]:
        rows = self.session.execute(select(O).where(O.c.wave_id == wave_id).order_by(O.c.id))
        return [_order_ref(r) for r in rows]

    def reopen_order(self, order_id: int) -> None:
        # wave_id goes too, so the next release takes the order as never released.
        self.session.execute(update(O).where(O.c.id == order_id)
                             .values(status=OutboundStatus.OPEN.value, wave_id=None))

    def order_totes(self, order_id: int) -> list[int]:
        rows = self.session.execute(
            select(TOTE.c.tote_id).where(TOTE.c.order_id == order_id).order_by(TOTE.c.tote_id)
        ).scalars()
        return [int(r) for r in rows]

    def log_cancel(self, login: str, terminal: str, detail: str) -> None:
        record_cancel(self.session, login, terminal, detail)

    # Listings (domain.listings.OutboundListings); the queries live in db.listings.

    def outbound_order_rows(self, where: OrderFilter) -> list[OrderRow]:
        return listings.outbound_order_rows(self.session, where)

    def outbound_line_rows(self, order_id: int) -> list[OrderLineRow]:
        return listings.outbound_line_rows(self.session, order_id)

    def wave_rows(self, where: WaveFilter) -> list[WaveRow]:
        return listings.wave_rows(self.session, where)

    def task_rows(self, where: TaskFilter) -> list[TaskRow]:
        return listings.task_rows(self.session, where)
