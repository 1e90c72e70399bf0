"""Stock lines for inquiry and the RF flows: one indexed query per item or location."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from wms_tui.db.tables import Balance, Item, Location, Lot, Lpn
from wms_tui.domain.model import StockLine

B = Balance.__table__  # type: ignore[attr-defined]


class SqlInquiry:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stock_lines(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[StockLine]:
        query = (
            select(B, Item.sku, Item.description, Item.base_uom, Location.code.label("loc"),
                   Location.walk_seq, Lot.code.label("lot_code"), Lot.expiry,
                   Lpn.code.label("lpn_code"))
            .join(Item, Item.id == B.c.item_id)
            .join(Location, Location.id == B.c.location_id)
            .outerjoin(Lot, Lot.id == B.c.lot_id)
            .outerjoin(Lpn, Lpn.id == B.c.lpn_id)
            .where(B.c.quantity > 0)
            .order_by(Location.walk_seq, Location.code, Item.sku, B.c.id)
        )
        if item_id is not None:
            query = query.where(B.c.item_id == item_id)
        if location_id is not None:
            query = query.where(B.c.location_id == location_id)
        return [
            StockLine(
                sku=r.sku, description=r.description, location=r.loc, quantity=r.quantity,
                uom=r.base_uom, lot=r.lot_code, expiry=r.expiry, lpn=r.lpn_code, status=r.status,
                item_id=r.item_id, location_id=r.location_id, lot_id=r.lot_id, lpn_id=r.lpn_id,
                reserved=r.reserved,
            )
            for r in self.session.execute(query)
        ]
