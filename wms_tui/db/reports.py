"""The read-only queries behind `wms report` and `wms audit` (domain.reports.ReportReads)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from wms_tui.db.shipping_tables import Carton, CartonLine, Shipment
from wms_tui.db.tables import (
    AuditEvent,
    Balance,
    CountLine,
    DatabaseEpoch,
    Item,
    Location,
    Lot,
    Lpn,
    Movement,
    OutboundLine,
    OutboundOrder,
    OutboxEvent,
    User,
    table_of,
)
from wms_tui.domain import exports
from wms_tui.domain.exports import Cursor, ShippedDetail
from wms_tui.domain.model import LocationType, MovementKind
from wms_tui.domain.reports import (
    AgedStock,
    AuditEntry,
    CountEntry,
    LedgerEntry,
    LedgerFilter,
    PickFaceStock,
)

M = table_of(Movement)
B = table_of(Balance)
CL = table_of(CountLine)
ITEM = table_of(Item)
LOC = table_of(Location)
LOT = table_of(Lot)
LPN = table_of(Lpn)
USER = table_of(User)
AUDIT = table_of(AuditEvent)
OUT = table_of(OutboxEvent)
EPOCH = table_of(DatabaseEpoch)
CARTON = table_of(Carton)
CARTON_LINE = table_of(CartonLine)
SHIPMENT = table_of(Shipment)
ORDER = table_of(OutboundOrder)
ORDER_LINE = table_of(OutboundLine)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _moment(value: datetime | str) -> datetime:
    """SQLite hands an aggregate of a time back as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _cost(value: object) -> Decimal | None:
    """Numeric comes back as Decimal on PostgreSQL and may come back as float from SQLite."""
    return None if value is None else Decimal(str(value))


def _type(value: str | None) -> LocationType | None:
    return None if value is None else LocationType(value)


class SqlReports:
    def __init__(self, session: Session) -> None:
        self.session = session

    @staticmethod
    def _ledger_query() -> tuple[Select[Any], Any, Any]:
        """Movements joined to their codes; returns the location aliases to filter on."""
        src, dst = aliased(LOC), aliased(LOC)
        src_lpn, dst_lpn = aliased(LPN), aliased(LPN)
        query = (
            select(M, ITEM.c.sku, USER.c.login, LOT.c.code.label("lot"),
                   src.c.code.label("src"), src.c.type.label("src_type"),
                   dst.c.code.label("dst"), dst.c.type.label("dst_type"),
                   src_lpn.c.code.label("src_lpn"), dst_lpn.c.code.label("dst_lpn"))
            .join(ITEM, ITEM.c.id == M.c.item_id)
            .join(USER, USER.c.id == M.c.user_id)
            .outerjoin(LOT, LOT.c.id == M.c.lot_id)
            .outerjoin(src, src.c.id == M.c.from_location_id)
            .outerjoin(dst, dst.c.id == M.c.to_location_id)
            .outerjoin(src_lpn, src_lpn.c.id == M.c.from_lpn_id)
            .outerjoin(dst_lpn, dst_lpn.c.id == M.c.to_lpn_id)
            .order_by(M.c.id)
        )
        return query, src, dst

    def ledger(self, where: LedgerFilter | None = None) -> list[LedgerEntry]:
        where = where or LedgerFilter()
        query, src, dst = self._ledger_query()
        if where.since is not None:
            query = query.where(M.c.created_at >= where.since)
        if where.until is not None:
            query = query.where(M.c.created_at < where.until)
        if where.user is not None:
            query = query.where(func.upper(USER.c.login) == where.user.upper())
        if where.sku is not None:
            query = query.where(func.upper(ITEM.c.sku) == where.sku.upper())
        if where.location is not None:
            code = where.location.upper()
            query = query.where(or_(func.upper(src.c.code) == code,
                                    func.upper(dst.c.code) == code))
        if where.kinds:
            query = query.where(M.c.kind.in_(sorted(k.value for k in where.kinds)))
        return [self._entry(r) for r in self.session.execute(query)]

    def events_after(self, cursor: Cursor, limit: int) -> list[tuple[Cursor, LedgerEntry]]:
        after = or_(OUT.c.txid > cursor.txid,
                    and_(OUT.c.txid == cursor.txid, OUT.c.id > cursor.id))
        page = select(OUT.c.id, OUT.c.txid, OUT.c.movement_id).where(after)
        if self.session.get_bind().dialect.name != "sqlite":
            # Stop below the oldest running transaction: its events may still commit with a
            # smaller id, and every later transaction gets a txid above this horizon.
            page = page.where(OUT.c.txid < literal_column(
                "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
        found = self.session.execute(page.order_by(OUT.c.txid, OUT.c.id).limit(limit)).all()
        if not found:
            return []
        query, _, _ = self._ledger_query()
        ids = [r.movement_id for r in found]
        entries = {r.id: self._entry(r)
                   for r in self.session.execute(query.where(M.c.id.in_(ids)))}
        return [(Cursor(r.txid, r.id), entries[r.movement_id]) for r in found]

    def database_epoch(self) -> exports.DatabaseEpoch | None:
        row = self.session.execute(
            select(EPOCH.c.epoch, EPOCH.c.previous, EPOCH.c.resumes_after)).first()
        return None if row is None else exports.DatabaseEpoch(*row)

    def has_event(self, cursor: Cursor) -> bool:
        query = select(OUT.c.id).where(OUT.c.id == cursor.id, OUT.c.txid == cursor.txid)
        return self.session.execute(query).first() is not None

    def last_event(self) -> Cursor | None:
        query = select(OUT.c.txid, OUT.c.id).order_by(OUT.c.txid.desc(), OUT.c.id.desc())
        row = self.session.execute(query.limit(1)).first()
        return None if row is None else Cursor(row.txid, row.id)

    def shipped_details(self, movement_ids: Collection[int]) -> dict[int, ShippedDetail]:
        query = (
            select(CARTON_LINE.c.ship_movement_id, CARTON_LINE.c.serials, SHIPMENT.c.code,
                   ORDER.c.reference, ORDER_LINE.c.line_no, ITEM.c.base_uom, CARTON.c.sscc,
                   CARTON.c.weight_kg, LOT.c.expiry)
            .join(CARTON, CARTON.c.id == CARTON_LINE.c.carton_id)
            .join(SHIPMENT, SHIPMENT.c.id == CARTON.c.shipment_id)
            .join(ORDER_LINE, ORDER_LINE.c.id == CARTON_LINE.c.order_line_id)
            .join(ORDER, ORDER.c.id == ORDER_LINE.c.order_id)
            .join(ITEM, ITEM.c.id == CARTON_LINE.c.item_id)
            .outerjoin(LOT, LOT.c.id == CARTON_LINE.c.lot_id)
            .where(CARTON_LINE.c.ship_movement_id.in_(sorted(movement_ids)))
        )
        return {
            r.ship_movement_id: ShippedDetail(
                shipment=r.code, order=r.reference, order_line=r.line_no, unit=r.base_uom,
                sscc=r.sscc, expiry=r.expiry, serials=tuple((r.serials or "").split()),
                weight_kg=_cost(r.weight_kg))
            for r in self.session.execute(query)
        }

    @staticmethod
    def _entry(r: Any) -> LedgerEntry:
        return LedgerEntry(
            id=r.id, at=_aware(r.created_at), kind=MovementKind(r.kind), sku=r.sku,
            quantity=r.quantity, user=r.login, from_location=r.src, to_location=r.dst,
            from_type=_type(r.src_type), to_type=_type(r.dst_type), lot=r.lot,
            from_lpn=r.src_lpn, to_lpn=r.dst_lpn, confirmation=r.confirmation,
            reason=r.reason_code, reference=r.reference,
        )

    def count_lines(self, since: datetime | None, until: datetime | None) -> list[CountEntry]:
        query = (select(CL.c.count_task_id, CL.c.attempt, ITEM.c.sku, CL.c.counted,
                        CL.c.expected, CL.c.counted_at, ITEM.c.unit_cost, USER.c.login)
                 .join(ITEM, ITEM.c.id == CL.c.item_id)
                 .join(USER, USER.c.id == CL.c.counted_by)
                 .order_by(CL.c.id))
        if since is not None:
            query = query.where(CL.c.counted_at >= since)
        if until is not None:
            query = query.where(CL.c.counted_at < until)
        return [CountEntry(r.count_task_id, r.attempt, r.sku, r.counted, r.expected,
                           _aware(r.counted_at), _cost(r.unit_cost), r.login)
                for r in self.session.execute(query)]

    def on_hand(self) -> dict[str, int]:
        query = (select(ITEM.c.sku, func.sum(B.c.quantity).label("qty"))
                 .join(ITEM, ITEM.c.id == B.c.item_id)
                 .group_by(ITEM.c.sku))
        return {r.sku: int(r.qty) for r in self.session.execute(query) if r.qty}

    def stock_ages(self) -> list[AgedStock]:
        # A status change leaves goods where they were, so it is no arrival.
        arrived = (
            select(func.max(M.c.created_at))
            .where(M.c.item_id == B.c.item_id, M.c.to_location_id == B.c.location_id,
                   M.c.lot_id.is_not_distinct_from(B.c.lot_id),
                   M.c.to_lpn_id.is_not_distinct_from(B.c.lpn_id),
                   M.c.kind != MovementKind.STATUS.value)
            .correlate(B).scalar_subquery()
        )
        query = (select(ITEM.c.sku, B.c.quantity, arrived.label("arrived"))
                 .join(ITEM, ITEM.c.id == B.c.item_id)
                 .where(B.c.quantity > 0)
                 .order_by(B.c.id))
        return [AgedStock(r.sku, int(r.quantity),
                          None if r.arrived is None else _aware(_moment(r.arrived)))
                for r in self.session.execute(query)]

    def pick_faces(self) -> list[PickFaceStock]:
        query = (
            select(ITEM.c.sku, ITEM.c.min_qty, LOC.c.code,
                   func.sum(B.c.quantity).label("qty"))
            .join(B, B.c.item_id == ITEM.c.id)
            .join(LOC, LOC.c.id == B.c.location_id)
            .where(ITEM.c.min_qty.is_not(None), LOC.c.type == LocationType.PICK.value,
                   B.c.status == "available")
            .group_by(ITEM.c.sku, ITEM.c.min_qty, LOC.c.code)
        )
        faces = [PickFaceStock(r.sku, r.code, int(r.qty or 0), r.min_qty)
                 for r in self.session.execute(query)]
        with_face = {f.sku for f in faces}
        # An item with a minimum and nothing at any pick face is the emptiest face of all.
        bare = select(ITEM.c.sku, ITEM.c.min_qty).where(
            ITEM.c.min_qty.is_not(None), ITEM.c.min_qty > 0, ITEM.c.active.is_(True))
        faces += [PickFaceStock(r.sku, "", 0, r.min_qty) for r in self.session.execute(bare)
                  if r.sku not in with_face]
        return faces

    def audit_events(self, since: datetime | None, until: datetime | None,
                     login: str | None) -> list[AuditEntry]:
        query = select(AUDIT).order_by(AUDIT.c.at, AUDIT.c.id)
        if since is not None:
            query = query.where(AUDIT.c.at >= since)
        if until is not None:
            query = query.where(AUDIT.c.at < until)
        if login is not None:
            query = query.where(func.upper(AUDIT.c.login) == login.upper())
        return [AuditEntry(_aware(r.at), r.event, r.login, r.peer, r.terminal, r.detail)
                for r in self.session.execute(query)]
