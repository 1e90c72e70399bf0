"""Importing customer orders (docs/import-outbound.md): the shared order-import rules of
order_import, with outbound's header columns and one rule of its own: an order released into
a wave is frozen."""

from __future__ import annotations

from collections.abc import Sequence

from wms_tui.domain.importing import Cells
from wms_tui.domain.order_import import OrderKind, OrderRow, date_cell, order_import
from wms_tui.domain.outbound.model import (
    DEFAULT_PRIORITY,
    MAX_PRIORITY,
    ORDER_OPTIONAL,
    OutboundLineRef,
    OutboundLineSpec,
    OutboundOrderRef,
    OutboundOrderSpec,
    OutboundStatus,
)
from wms_tui.domain.outbound.ports import OrderRepository
from wms_tui.domain.outbound.steps import as_outbound


class _OutboundOrders(OrderKind):
    """Customer orders: frozen once released into a wave."""

    what = "outbound order lines"
    optional = ORDER_OPTIONAL

    def orders(self) -> OrderRepository:
        return as_outbound(self.uow).outbound

    def header_cells(self, cells: Cells, columns: Sequence[str]) -> dict[str, object]:
        header: dict[str, object] = {}
        if "customer" in columns:
            header["customer"] = cells.text("customer", max_length=80) or ""
        if "ship_date" in columns:
            header["ship_date"] = date_cell(cells, "ship_date")
        if "priority" in columns:
            header["priority"] = cells.integer(
                "priority", minimum=1, maximum=MAX_PRIORITY) or DEFAULT_PRIORITY
        return header

    def new_header(self, reference: str) -> OutboundOrderSpec:
        return OutboundOrderSpec(reference)

    def stored_header(self, order: OutboundOrderRef) -> OutboundOrderSpec:
        return OutboundOrderSpec(order.reference, order.customer, order.ship_date, order.priority)

    def stored_line(self, line: OutboundLineRef) -> OutboundLineSpec:
        return OutboundLineSpec(line.line_no, line.item_id, line.quantity, line.uom)

    def line_spec(self, row: OrderRow, stored: OutboundLineRef | None) -> OutboundLineSpec:
        return OutboundLineSpec(row.line_no, row.item.id, row.quantity, row.uom)

    def frozen(self, order: OutboundOrderRef) -> bool:
        return order.status != OutboundStatus.OPEN


# Upserts outbound orders and lines by (reference, line_no) (docs/import-outbound.md); an order
# released for picking cannot change (re-importing it unchanged is fine).
import_outbound_orders = order_import(_OutboundOrders)
