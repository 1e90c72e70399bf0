"""Stock lines for inquiry and the RF flows: one indexed query per item or location.

Written on the Core tables of `db/core_tables.py`, so `wms stock` builds no SQLModel class and
no ORM session; the query runs on the unit of work's own connection, after its pending ORM
writes, so it sees what this transaction wrote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from wms_tui.db.core_tables import balance, item, location, lot, lpn
from wms_tui.domain.model import StockLine

if TYPE_CHECKING:
    from wms_tui.db.driver_sql import Transaction

_STOCK_LINES = (
    select(balance.c.item_id, balance.c.location_id, balance.c.lot_id, balance.c.lpn_id,
           balance.c.status, balance.c.quantity, balance.c.reserved,
           item.c.sku, item.c.description, item.c.base_uom,
           location.c.code.label("loc"), lot.c.code.label("lot_code"), lot.c.expiry,
           lpn.c.code.label("lpn_code"))
    .join(item, item.c.id == balance.c.item_id)
    .join(location, location.c.id == balance.c.location_id)
    .outerjoin(lot, lot.c.id == balance.c.lot_id)
    .outerjoin(lpn, lpn.c.id == balance.c.lpn_id)
    .where(balance.c.quantity > 0)
    .order_by(location.c.walk_seq, location.c.code, item.c.sku, balance.c.id)
)


class SqlInquiry:
    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction

    def stock_lines(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[StockLine]:
        query = _STOCK_LINES
        if item_id is not None:
            query = query.where(balance.c.item_id == item_id)
        if location_id is not None:
            query = query.where(balance.c.location_id == location_id)
        self.transaction.flush()
        return [
            StockLine(
                sku=r.sku, description=r.description, location=r.loc, quantity=r.quantity,
                uom=r.base_uom, lot=r.lot_code, expiry=r.expiry, lpn=r.lpn_code, status=r.status,
                item_id=r.item_id, location_id=r.location_id, lot_id=r.lot_id, lpn_id=r.lpn_id,
                reserved=r.reserved,
            )
            for r in self.transaction.connection.execute(query)
        ]
