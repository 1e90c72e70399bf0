"""Importing inbound orders (ASN / PO) from a file: upserts by (reference, line_no)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast

from wms_tui.domain.checkdigits import is_valid_sscc
from wms_tui.domain.importing import Cells
from wms_tui.domain.inbound.model import (
    FINAL_INBOUND_STATUSES,
    LOT_PATTERN,
    MAX_TOLERANCE_PCT,
    ORDER_OPTIONAL,
    RESERVED_REFERENCES,
    InboundLineRef,
    InboundLineSpec,
    InboundOrderRef,
    InboundOrderSpec,
    InboundStatus,
)
from wms_tui.domain.inbound.repository import InboundRepository, InboundUnitOfWork
from wms_tui.domain.order_import import (
    Fail,
    OrderKind,
    OrderRow,
    RowHead,
    date_cell,
    order_import,
)
from wms_tui.domain.ports import UnitOfWork


def _sscc_cell(cells: Cells, column: str) -> str | None:
    value = cells.text(column, max_length=18)
    if value is not None and not is_valid_sscc(value):
        cells.fail(column, f"'{value}' is not an SSCC (18 digits with a right check digit)")
        return None
    return value


class _InboundOrders(OrderKind):
    """ASNs and purchase orders: announced pallets and lots, receipts that fix a line."""

    what = "inbound order lines"
    optional = ORDER_OPTIONAL
    header_columns: ClassVar[Mapping[str, str]] = {"sscc": "order_sscc"}

    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow)
        # order_import hands every kind the plain UnitOfWork; the SQL one carries .inbound.
        self.inbound = cast(InboundUnitOfWork, uow).inbound
        self.ssccs: dict[str, tuple[str, int]] = {}

    def orders(self) -> InboundRepository:
        return self.inbound

    def check_reference(self, cells: Cells, reference: str | None) -> None:
        if reference in RESERVED_REFERENCES:
            cells.fail("reference", f"{reference} is a word the RF receive screen reserves")

    def header_cells(self, cells: Cells, columns: Sequence[str]) -> dict[str, Any]:
        header: dict[str, Any] = {}
        if "supplier" in columns:
            header["supplier"] = cells.text("supplier", max_length=80) or ""
        if "expected_date" in columns:
            header["expected_date"] = date_cell(cells, "expected_date")
        if "order_sscc" in columns:
            header["sscc"] = _sscc_cell(cells, "order_sscc")
        return header

    def line_cells(self, cells: Cells, columns: Sequence[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if "tolerance_pct" in columns:
            fields["tolerance_pct"] = cells.integer(
                "tolerance_pct", maximum=MAX_TOLERANCE_PCT) or 0
        if "lot" in columns:
            fields["lot"] = cells.text(
                "lot", max_length=20, pattern=LOT_PATTERN, hint="must be printable ASCII, no spaces"
            )
        if "expiry" in columns:
            fields["expiry"] = date_cell(cells, "expiry")
        if "sscc" in columns:
            fields["sscc"] = _sscc_cell(cells, "sscc")
        return fields

    def check_row(self, row: RowHead, fail: Fail) -> None:
        """One order per pallet SSCC, in the file and in the database; a cancelled order's
        pallet may come again on a new order (the supplier resends the delivery)."""
        ssccs = [s for s in (row.header.get("sscc"), row.fields.get("sscc")) if s]
        for sscc in ssccs:
            owner = self.ssccs.setdefault(sscc, (row.reference, row.number))
            if owner[0] != row.reference:
                fail(row.number, "sscc",
                     f"SSCC {sscc} is also on row {owner[1]} (order {owner[0]})")
        for sscc in ssccs:
            others = [o.reference for o in self.inbound.orders_by_sscc(sscc)
                      if o.reference != row.reference and o.status != InboundStatus.CANCELLED]
            if others:
                fail(row.number, "sscc",
                     f"SSCC {sscc} is already announced on order {others[0]}")

    def new_header(self, reference: str) -> InboundOrderSpec:
        return InboundOrderSpec(reference)

    def stored_header(self, order: InboundOrderRef) -> InboundOrderSpec:
        return InboundOrderSpec(order.reference, order.supplier, order.expected_date, order.sscc)

    def stored_line(self, line: InboundLineRef) -> InboundLineSpec:
        return InboundLineSpec(line.line_no, line.item_id, line.quantity, line.tolerance_pct,
                               line.lot, line.sscc, line.expiry)

    def line_spec(self, row: OrderRow, stored: InboundLineRef | None) -> InboundLineSpec:
        kept = {} if stored is None else {
            "tolerance_pct": stored.tolerance_pct, "lot": stored.lot, "sscc": stored.sscc,
            "expiry": stored.expiry}
        return InboundLineSpec(row.line_no, row.item.id, row.quantity, **{**kept, **row.fields})

    def check_line(
        self, row: OrderRow, stored: InboundLineRef, new: InboundLineSpec, fail: Fail
    ) -> None:
        """A line with receipts keeps its item and cannot drop below what was received."""
        if stored.received <= 0:
            return
        if stored.item_id != new.item_id:
            fail(row.number, "sku", f"line {row.line_no} of {row.reference} already has "
                 f"receipts of {stored.sku}; its item cannot change")
        elif new.quantity < stored.received:
            fail(row.number, "quantity", f"{new.quantity} {stored.base_uom} is below the "
                 f"{stored.received} {stored.base_uom} already received")

    def frozen(self, order: InboundOrderRef) -> bool:
        return order.status in FINAL_INBOUND_STATUSES


# Upserts inbound orders and lines by (reference, line_no) (docs/import-inbound.md); a closed
# or cancelled order cannot change.
import_inbound_orders = order_import(_InboundOrders)
