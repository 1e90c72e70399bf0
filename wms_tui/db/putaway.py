"""What directed putaway reads: locations with their occupancy, item zones, override reasons."""

from __future__ import annotations

from sqlalchemy import and_, case, false, func, or_, select
from sqlmodel import Session

from wms_tui.db.tables import Balance, Item, Location, ReasonCode, table_of
from wms_tui.domain.model import LocationType, StockStatus
from wms_tui.domain.putaway import INBOUND_TYPES, PUTAWAY_TYPES, PutawayCandidate

B = table_of(Balance)
LOC = table_of(Location)
ITEM = table_of(Item)
REASON = table_of(ReasonCode)


class SqlPutaway:
    """Implements domain.putaway.PutawayRepository."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self, item_id: int | None, lot_id: int | None) -> list[PutawayCandidate]:
        is_item = and_(B.c.item_id == item_id, B.c.status == StockStatus.AVAILABLE.value)
        is_lot = and_(is_item, B.c.lot_id == lot_id) if lot_id is not None else false()
        on_hand = func.coalesce(func.sum(B.c.quantity), 0)
        item_qty = func.coalesce(func.sum(case((is_item, B.c.quantity), else_=0)), 0)
        lot_qty = func.coalesce(func.sum(case((is_lot, B.c.quantity), else_=0)), 0)
        place = (LOC.c.id, LOC.c.code, LOC.c.type, LOC.c.walk_seq, LOC.c.zone_id, LOC.c.capacity)
        query = (
            select(*place, on_hand.label("on_hand"), item_qty.label("item_qty"),
                   lot_qty.label("lot_qty"))
            .outerjoin(B, B.c.location_id == LOC.c.id)
            .where(LOC.c.active.is_(True), LOC.c.type.in_([t.value for t in PUTAWAY_TYPES]))
            .group_by(*place)
            # Locations holding only other items are never directed to, so they are not read.
            .having(or_(on_hand == 0, item_qty > 0))
        )
        return [
            PutawayCandidate(
                location_id=r.id, code=r.code, type=LocationType(r.type), walk_seq=r.walk_seq,
                zone_id=r.zone_id, capacity=r.capacity, on_hand=int(r.on_hand),
                item_qty=int(r.item_qty), lot_qty=int(r.lot_qty),
            )
            for r in self.session.execute(query)
        ]

    def item_zone(self, item_id: int) -> int | None:
        zone: int | None = self.session.execute(
            select(ITEM.c.zone_id).where(ITEM.c.id == item_id)).scalar()
        return zone

    def inbound_location_ids(self) -> set[int]:
        query = select(LOC.c.id).where(LOC.c.type.in_([t.value for t in INBOUND_TYPES]))
        return set(self.session.execute(query).scalars())

    def override_reasons(self) -> list[str]:
        query = (
            select(REASON.c.code)
            .where(REASON.c.kind == "override", REASON.c.active.is_(True))
            .order_by(REASON.c.code)
        )
        return list(self.session.execute(query).scalars())
