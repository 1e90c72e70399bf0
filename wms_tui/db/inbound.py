"""Inbound orders and lines in SQL (domain.inbound.InboundRepository); it never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update
from sqlmodel import Session, col

from wms_tui.db import listings
from wms_tui.db.cancels import record_cancel
from wms_tui.db.repositories import _insert, location_ref
from wms_tui.db.tables import (
    InboundLine,
    InboundOrder,
    Item,
    Location,
    Lpn,
    ReasonCode,
    Zone,
    table_of,
)
from wms_tui.domain.errors import NotFound
from wms_tui.domain.inbound import (
    LPN_DIGITS,
    LPN_PREFIX,
    InboundLineRef,
    InboundLineSpec,
    InboundOrderRef,
    InboundOrderSpec,
    InboundStatus,
)
from wms_tui.domain.listings import OrderFilter, OrderLineRow, OrderRow
from wms_tui.domain.model import LocationRef, LocationType
from wms_tui.domain.over_receipt import OverReceiptReason

O = table_of(InboundOrder)  # noqa: E741
L = table_of(InboundLine)
LOC = table_of(Location)
LPN = table_of(Lpn)
REASON = table_of(ReasonCode)


def _order_ref(row: Any) -> InboundOrderRef:
    return InboundOrderRef(
        id=row.id, reference=row.reference, supplier=row.supplier,
        status=InboundStatus(row.status), sscc=row.sscc, expected_date=row.expected_date,
    )


class SqlInbound:
    def __init__(self, session: Session) -> None:
        self.session = session

    def order(self, order_id: int) -> InboundOrderRef:
        row = self.session.execute(select(O).where(O.c.id == order_id)).first()
        if row is None:
            raise NotFound(f"no inbound order with id {order_id}")
        return _order_ref(row)

    def order_by_reference(self, reference: str) -> InboundOrderRef | None:
        row = self.session.execute(select(O).where(O.c.reference == reference)).first()
        return None if row is None else _order_ref(row)

    def orders_by_sscc(self, sscc: str) -> list[InboundOrderRef]:
        on_line = select(L.c.order_id).where(L.c.sscc == sscc)
        rows = self.session.execute(
            select(O).where(or_(O.c.sscc == sscc, O.c.id.in_(on_line))).order_by(O.c.id)
        )
        return [_order_ref(r) for r in rows]

    def lines(self, order_id: int) -> list[InboundLineRef]:
        rows = self.session.execute(
            select(L, col(Item.sku), col(Item.base_uom)).join(Item, col(Item.id) == L.c.item_id)
            .where(L.c.order_id == order_id).order_by(L.c.line_no)
        )
        return [
            InboundLineRef(
                id=r.id, order_id=r.order_id, line_no=r.line_no, item_id=r.item_id, sku=r.sku,
                base_uom=r.base_uom, quantity=r.quantity, received=r.received,
                tolerance_pct=r.tolerance_pct, lot=r.lot, sscc=r.sscc, expiry=r.expiry,
            )
            for r in rows
        ]

    def add_received(self, line_id: int, quantity: int, limit: int | None) -> bool:
        # The limit is checked in the UPDATE itself, so two terminals receiving the same line
        # at once can never both use the last of its tolerance.
        query = update(L).where(L.c.id == line_id)
        if limit is not None:
            query = query.where(L.c.received + quantity <= limit)
        result = self.session.exec(query.values(received=L.c.received + quantity))
        return bool(result.rowcount == 1)

    def set_status(self, order_id: int, status: InboundStatus) -> None:
        self.session.execute(update(O).where(O.c.id == order_id).values(status=status.value))

    def save_order(self, spec: InboundOrderSpec) -> int:
        values: dict[str, Any] = {"supplier": spec.supplier, "expected_date": spec.expected_date,
                  "sscc": spec.sscc}
        found = self.session.execute(
            select(O.c.id).where(O.c.reference == spec.reference)
        ).scalar()
        if found is not None:
            self.session.execute(update(O).where(O.c.id == found).values(**values))
            return int(found)
        order = InboundOrder(reference=spec.reference, status=InboundStatus.OPEN.value, **values)
        self.session.add(order)
        self.session.flush()
        assert order.id is not None
        return order.id

    def save_line(self, order_id: int, spec: InboundLineSpec) -> None:
        values: dict[str, Any] = {"item_id": spec.item_id, "quantity": spec.quantity,
                  "tolerance_pct": spec.tolerance_pct, "lot": spec.lot, "sscc": spec.sscc,
                  "expiry": spec.expiry}
        result = self.session.exec(
            update(L).where(L.c.order_id == order_id, L.c.line_no == spec.line_no).values(**values)
        )
        if result.rowcount == 0:
            self.session.add(InboundLine(order_id=order_id, line_no=spec.line_no, **values))
            self.session.flush()

    def first_location(self, kind: LocationType) -> LocationRef | None:
        row = self.session.execute(
            select(LOC.c.id).where(LOC.c.type == kind.value, LOC.c.active)
            .order_by(LOC.c.walk_seq, LOC.c.code).limit(1)
        ).scalar()
        if row is None:
            return None
        location = self.session.get(Location, row)
        assert location is not None
        zone = None if location.zone_id is None else self.session.get(Zone, location.zone_id)
        return location_ref(location, None if zone is None else zone.code)

    def next_lpn_code(self) -> str:
        width = len(LPN_PREFIX) + LPN_DIGITS
        codes = self.session.execute(
            select(LPN.c.code)
            .where(LPN.c.code.like(f"{LPN_PREFIX}%"), func.length(LPN.c.code) == width)
            .order_by(LPN.c.code.desc())
        ).scalars()
        # Zero-padded codes of one width sort as their numbers do; odd ones are skipped.
        last = next((int(c[len(LPN_PREFIX):]) for c in codes if c[len(LPN_PREFIX):].isdigit()), 0)
        return f"{LPN_PREFIX}{last + 1:0{LPN_DIGITS}d}"

    def ensure_reason(self, reason: OverReceiptReason, kind: str) -> None:
        # The domain owns these codes; ON CONFLICT lets two first over-receipts race safely.
        self.session.execute(
            _insert(self.session, REASON)
            .values(code=reason.code, description=reason.description, kind=kind, active=True)
            .on_conflict_do_nothing(index_elements=["code"])
        )

    # Cancels and listings (domain.inbound.cancels, domain.listings.InboundListings).

    def lock_order(self, order_id: int) -> None:
        # FOR UPDATE on PostgreSQL; SQLite writers hold the database lock already.
        self.session.execute(select(O.c.id).where(O.c.id == order_id).with_for_update())

    def log_cancel(self, login: str, terminal: str, detail: str) -> None:
        record_cancel(self.session, login, terminal, detail)

    def inbound_order_rows(self, where: OrderFilter) -> list[OrderRow]:
        return listings.inbound_order_rows(self.session, where)

    def inbound_line_rows(self, order_id: int) -> list[OrderLineRow]:
        return listings.inbound_line_rows(self.session, order_id)
