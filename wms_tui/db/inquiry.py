"""Stock lines for inquiry and the RF flows: one indexed query per item or location."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from wms_tui.db.tables import Balance, Item, Location, Lot, Lpn, table_of
from wms_tui.domain.model import StockLine

B = table_of(Balance)


class SqlInquiry:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stock_lines(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[StockLine]:
        query = (
            select(B, col(Item.sku), col(Item.description), col(Item.base_uom),
                   col(Location.code).label("loc"), col(Location.walk_seq),
                   col(Lot.code).label("lot_code"), col(Lot.expiry),
                   col(Lpn.code).label("lpn_code"))
            .join(Item, col(Item.id) == B.c.item_id)
            .join(Location, col(Location.id) == B.c.location_id)
            .outerjoin(Lot, col(Lot.id) == B.c.lot_id)
            .outerjoin(Lpn, col(Lpn.id) == B.c.lpn_id)
            .where(B.c.quantity > 0)
            .order_by(col(Location.walk_seq), col(Location.code), col(Item.sku), B.c.id)
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
