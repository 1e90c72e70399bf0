"""The SQL behind domain.listings: one query per listing, read by the catalog, inbound and
outbound repositories (they delegate here so each listing is written once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from wms_tui.db.tables import (
    Balance,
    CountTask,
    InboundLine,
    InboundOrder,
    Item,
    Location,
    OutboundLine,
    OutboundOrder,
    Task,
    User,
    Wave,
    Zone,
    table_of,
)
from wms_tui.domain.listings import (
    ItemFilter,
    ItemRow,
    ListedTaskKind,
    LocationFilter,
    LocationRow,
    OrderFilter,
    OrderKind,
    OrderLineRow,
    OrderRow,
    TaskFilter,
    TaskRow,
    WaveFilter,
    WaveRow,
)

B = table_of(Balance)
LOC = table_of(Location)
ZONE = table_of(Zone)
ITEM = table_of(Item)
OO = table_of(OutboundOrder)
OL = table_of(OutboundLine)
IO = table_of(InboundOrder)
IL = table_of(InboundLine)
W = table_of(Wave)
T = table_of(Task)
CT = table_of(CountTask)
USER = table_of(User)

OPEN_TASK = ("open", "in_progress")


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stock(key: Any) -> Any:
    """On hand and reserved per key column, for an outer join."""
    return (select(key.label("key"), func.sum(B.c.quantity).label("on_hand"),
                   func.sum(B.c.reserved).label("reserved"))
            .group_by(key).subquery())


def location_rows(session: Session, where: LocationFilter) -> list[LocationRow]:
    stock = _stock(B.c.location_id)
    query = (
        select(LOC, ZONE.c.code.label("zone_code"), stock.c.on_hand, stock.c.reserved)
        .outerjoin(ZONE, ZONE.c.id == LOC.c.zone_id)
        .outerjoin(stock, stock.c.key == LOC.c.id)
        .order_by(LOC.c.walk_seq, LOC.c.code)
    )
    if where.zone is not None:
        query = query.where(ZONE.c.code == where.zone.strip().upper())
    if where.type is not None:
        query = query.where(LOC.c.type == where.type.value)
    if not where.include_inactive:
        query = query.where(LOC.c.active.is_(True))
    return [
        LocationRow(r.code, r.barcode, r.type, r.zone_code, r.aisle, r.bay, r.level, r.walk_seq,
                    r.capacity, bool(r.active), int(r.on_hand or 0), int(r.reserved or 0))
        for r in session.execute(query)
    ]


def item_rows(session: Session, where: ItemFilter) -> list[ItemRow]:
    stock = _stock(B.c.item_id)
    query = (
        select(ITEM, ZONE.c.code.label("zone_code"), stock.c.on_hand, stock.c.reserved)
        .outerjoin(ZONE, ZONE.c.id == ITEM.c.zone_id)
        .outerjoin(stock, stock.c.key == ITEM.c.id)
        .order_by(ITEM.c.sku)
    )
    if where.zone is not None:
        query = query.where(ZONE.c.code == where.zone.strip().upper())
    if where.abc_class is not None:
        query = query.where(ITEM.c.abc_class == where.abc_class.strip().upper())
    if where.search:
        # LIKE's wildcards in the typed text are literal: an admin searches for what they typed.
        text = where.search.strip().lower().replace("\\", "\\\\").replace("%", "\\%")
        pattern = "%" + text.replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(ITEM.c.sku).like(pattern, escape="\\"),
                                func.lower(ITEM.c.description).like(pattern, escape="\\")))
    if not where.include_inactive:
        query = query.where(ITEM.c.active.is_(True))
    return [
        ItemRow(r.sku, r.description, r.base_uom, bool(r.lot_tracked), bool(r.expiry_tracked),
                r.abc_class, r.zone_code, r.min_qty, r.max_qty, bool(r.active),
                int(r.on_hand or 0), int(r.reserved or 0))
        for r in session.execute(query)
    ]


def _order_filter(query: Any, table: Any, where: OrderFilter) -> Any:
    if where.statuses:
        query = query.where(table.c.status.in_(where.statuses))
    if where.since is not None:
        query = query.where(table.c.created_at >= where.since)
    if where.reference is not None:
        query = query.where(table.c.reference == where.reference)
    return query


def outbound_order_rows(session: Session, where: OrderFilter) -> list[OrderRow]:
    totals = (select(OL.c.order_id, func.count().label("lines"),
                     func.sum(OL.c.quantity).label("quantity"),
                     func.sum(OL.c.picked).label("done"))
              .group_by(OL.c.order_id).subquery())
    query = _order_filter(
        select(OO, W.c.code.label("wave_code"), totals.c.lines, totals.c.quantity,
               totals.c.done)
        .outerjoin(W, W.c.id == OO.c.wave_id)
        .outerjoin(totals, totals.c.order_id == OO.c.id)
        .order_by(OO.c.reference), OO, where)
    return [
        OrderRow(OrderKind.OUTBOUND, r.reference, r.customer, r.status, r.ship_date, r.priority,
                 r.wave_code, int(r.lines or 0), int(r.quantity or 0), int(r.done or 0),
                 _aware(r.created_at), r.id)
        for r in session.execute(query)
    ]


def inbound_order_rows(session: Session, where: OrderFilter) -> list[OrderRow]:
    totals = (select(IL.c.order_id, func.count().label("lines"),
                     func.sum(IL.c.quantity).label("quantity"),
                     func.sum(IL.c.received).label("done"))
              .group_by(IL.c.order_id).subquery())
    query = _order_filter(
        select(IO, totals.c.lines, totals.c.quantity, totals.c.done)
        .outerjoin(totals, totals.c.order_id == IO.c.id)
        .order_by(IO.c.reference), IO, where)
    return [
        OrderRow(OrderKind.INBOUND, r.reference, r.supplier, r.status, r.expected_date, None,
                 None, int(r.lines or 0), int(r.quantity or 0), int(r.done or 0),
                 _aware(r.created_at), r.id)
        for r in session.execute(query)
    ]


def outbound_line_rows(session: Session, order_id: int) -> list[OrderLineRow]:
    query = (select(OL, ITEM.c.sku).join(ITEM, ITEM.c.id == OL.c.item_id)
             .where(OL.c.order_id == order_id).order_by(OL.c.line_no))
    return [OrderLineRow(r.line_no, r.sku, r.uom, r.quantity, allocated=r.allocated,
                         picked=r.picked, short=r.short)
            for r in session.execute(query)]


def inbound_line_rows(session: Session, order_id: int) -> list[OrderLineRow]:
    query = (select(IL, ITEM.c.sku, ITEM.c.base_uom).join(ITEM, ITEM.c.id == IL.c.item_id)
             .where(IL.c.order_id == order_id).order_by(IL.c.line_no))
    return [OrderLineRow(r.line_no, r.sku, r.base_uom, r.quantity, received=r.received,
                         lot=r.lot, expiry=r.expiry)
            for r in session.execute(query)]


def wave_rows(session: Session, where: WaveFilter) -> list[WaveRow]:
    orders = (select(OO.c.wave_id, func.count().label("orders"))
              .where(OO.c.wave_id.is_not(None)).group_by(OO.c.wave_id).subquery())
    tasks = (select(T.c.wave_id, func.count().label("tasks"),
                    func.sum(case((T.c.status.in_(OPEN_TASK), 1), else_=0)).label("open"),
                    func.sum(case((T.c.status == "cancelled", 1), else_=0)).label("cancelled"))
             .where(T.c.wave_id.is_not(None)).group_by(T.c.wave_id).subquery())
    query = (
        select(W, USER.c.login, orders.c.orders, tasks.c.tasks, tasks.c.open, tasks.c.cancelled)
        .outerjoin(USER, USER.c.id == W.c.released_by)
        .outerjoin(orders, orders.c.wave_id == W.c.id)
        .outerjoin(tasks, tasks.c.wave_id == W.c.id)
        .order_by(W.c.code)
    )
    if where.statuses:
        query = query.where(W.c.status.in_(where.statuses))
    if where.since is not None:
        query = query.where(W.c.created_at >= where.since)
    return [
        WaveRow(r.code, r.status, r.login, _aware(r.created_at), int(r.orders or 0),
                int(r.tasks or 0), int(r.open or 0), int(r.cancelled or 0))
        for r in session.execute(query)
    ]


def task_rows(session: Session, where: TaskFilter) -> list[TaskRow]:
    kinds = where.kinds or tuple(ListedTaskKind)
    rows: list[TaskRow] = []
    stored = [k.value for k in kinds if k is not ListedTaskKind.COUNT]
    if stored:
        rows += _stored_tasks(session, where, stored)
    # Count tasks have no assignee, so a --user filter leaves them out.
    if ListedTaskKind.COUNT in kinds and where.user_id is None:
        rows += _count_tasks(session, where)
    return rows


def _stored_tasks(session: Session, where: TaskFilter, kinds: list[str]) -> list[TaskRow]:
    frm, to = aliased(LOC, name="from_loc"), aliased(LOC, name="to_loc")
    query = (
        select(T, ITEM.c.sku, frm.c.code.label("from_code"), to.c.code.label("to_code"),
               W.c.code.label("wave_code"), OO.c.reference, USER.c.login)
        .join(ITEM, ITEM.c.id == T.c.item_id)
        .join(frm, frm.c.id == T.c.from_location_id)
        .outerjoin(to, to.c.id == T.c.to_location_id)
        .outerjoin(W, W.c.id == T.c.wave_id)
        .outerjoin(OL, OL.c.id == T.c.order_line_id)
        .outerjoin(OO, OO.c.id == OL.c.order_id)
        .outerjoin(USER, USER.c.id == T.c.assigned_to)
        .where(T.c.kind.in_(kinds))
        .order_by(T.c.kind, T.c.id)
    )
    if where.statuses:
        query = query.where(T.c.status.in_(where.statuses))
    if where.location_id is not None:
        query = query.where(or_(T.c.from_location_id == where.location_id,
                                T.c.to_location_id == where.location_id))
    if where.user_id is not None:
        query = query.where(T.c.assigned_to == where.user_id)
    return [
        TaskRow(ListedTaskKind(r.kind), r.id, r.status, r.sku, r.quantity, r.done_quantity,
                r.from_code, r.to_code, r.wave_code, r.reference, r.login,
                _aware(r.updated_at))
        for r in session.execute(query)
    ]


def _count_tasks(session: Session, where: TaskFilter) -> list[TaskRow]:
    query = (
        select(CT, LOC.c.code, ITEM.c.sku)
        .join(LOC, LOC.c.id == CT.c.location_id)
        .outerjoin(ITEM, ITEM.c.id == CT.c.item_id)
        .order_by(CT.c.id)
    )
    if where.statuses:
        query = query.where(CT.c.status.in_(where.statuses))
    if where.location_id is not None:
        query = query.where(CT.c.location_id == where.location_id)
    return [
        TaskRow(ListedTaskKind.COUNT, r.id, r.status, r.sku, None, None, r.code, None, None,
                None, None, _aware(r.updated_at))
        for r in session.execute(query)
    ]

