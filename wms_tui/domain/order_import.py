"""Importing orders, inbound or outbound: one row per order line, the header repeated on each.

The rules both kinds share live here: reference and line columns, one line number per order,
header columns that agree on every row of an order, upsert by (reference, line_no), lines
missing from the file left alone, and an order that may no longer change refused unless it
is re-imported unchanged. An OrderKind supplies what differs: its header and line columns,
its specs, its repository and its own checks (docs/import-inbound.md, import-outbound.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar

from wms_tui.domain.checkdigits import normalize_gtin
from wms_tui.domain.errors import InvalidQuantity, ScanRejected, UnknownUnit
from wms_tui.domain.import_files import CsvRow, CsvTable, show
from wms_tui.domain.importing import (
    Cells,
    ImportKind,
    ImportReport,
    ImportRun,
)
from wms_tui.domain.model import ItemRef
from wms_tui.domain.ports import CatalogRepository, UnitOfWork
from wms_tui.domain.units import to_base_units

MAX_REFERENCE = 40
MAX_LINE_NO = 9999
REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")
UOM = re.compile(r"[A-Z0-9]+")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ORDER_REQUIRED = ("reference", "line_no", "sku", "quantity")


@dataclass(frozen=True)
class OrderRow:
    """One order line as a row gives it; quantity is in the item's base unit."""

    number: int
    reference: str
    header: dict[str, Any]
    line_no: int
    item: ItemRef
    quantity: int
    uom: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class OrderPlan:
    """One order as it should be: its header and (stored, wanted) line specs."""

    existing: Any
    header: Any
    lines: list[tuple[Any, Any]]


@dataclass(frozen=True)
class RowHead:
    """What a row says about its order, read even when its line cells are bad: its header and
    line fields hold only the cells that passed their checks."""

    number: int
    reference: str
    header: dict[str, Any]
    fields: dict[str, Any]


# Records a problem: the row number, the column and the reason.
Fail = Callable[[int, str, str], None]


class OrderKind:
    """What one kind of order file adds to the shared rules; one per import attempt."""

    what: ClassVar[str]
    optional: ClassVar[tuple[str, ...]]
    # Header fields whose column has another name (inbound's order_sscc is stored as sscc).
    header_columns: ClassVar[Mapping[str, str]] = {}

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def orders(self) -> Any:
        """The repository: order_by_reference, lines, save_order, save_line."""
        raise NotImplementedError

    def check_reference(self, cells: Cells, reference: str | None) -> None:
        """Refuse references this kind reserves."""

    def header_cells(self, cells: Cells, columns: Sequence[str]) -> dict[str, Any]:
        """The header fields whose columns are in the file."""
        raise NotImplementedError

    def line_cells(self, cells: Cells, columns: Sequence[str]) -> dict[str, Any]:
        """The kind's own line fields whose columns are in the file."""
        return {}

    def check_row(self, row: RowHead, fail: Fail) -> None:
        """The kind's own checks of a row's order fields against the rows before it and the
        database; they run even when the row's line cells are bad, so one run reports all."""

    def new_header(self, reference: str) -> Any:
        raise NotImplementedError

    def stored_header(self, order: Any) -> Any:
        raise NotImplementedError

    def stored_line(self, line: Any) -> Any:
        raise NotImplementedError

    def line_spec(self, row: OrderRow, stored: Any | None) -> Any:
        """The line as it should be: file values, else the stored line's, else defaults."""
        raise NotImplementedError

    def check_line(self, row: OrderRow, stored: Any, new: Any, fail: Fail) -> None:
        """Refuse a change the stored line can no longer take."""

    def frozen(self, order: Any) -> bool:
        """True when the order may no longer change (re-importing it unchanged is fine)."""
        raise NotImplementedError


def find_item(catalog: CatalogRepository, code: str) -> ItemRef | None:
    """An item by SKU, alias or unit barcode, or by GTIN written with 8 to 14 digits."""
    item = catalog.item_by_code(code)
    if item is None and code.isascii() and code.isdigit():
        try:
            item = catalog.item_by_gtin(normalize_gtin(code))
        except ScanRejected:
            return None
    return item


def date_cell(cells: Cells, column: str) -> date | None:
    value = cells.text(column, max_length=10)
    if value is None:
        return None
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        cells.fail(column, f"{show(value)} is not a date written YYYY-MM-DD")
        return None


def _order_row(
    cells: Cells, columns: Sequence[str], kind: OrderKind
) -> tuple[RowHead | None, OrderRow | None]:
    """The row's order fields (None without a good reference) and the whole line (None when
    any cell is bad)."""
    before = len(cells.errors)
    reference = cells.text(
        "reference", max_length=MAX_REFERENCE, required=True, pattern=REFERENCE, upper=True,
        hint="may only hold letters, digits and . _ / -",
    )
    kind.check_reference(cells, reference)
    header = kind.header_cells(cells, columns)
    line_no = cells.integer("line_no", minimum=1, maximum=MAX_LINE_NO, required=True)
    sku = cells.text("sku", max_length=48, required=True)
    quantity = cells.integer("quantity", minimum=1, required=True)
    uom = cells.text("uom", max_length=8, pattern=UOM, upper=True,
                     hint="must be letters and digits")
    fields = kind.line_cells(cells, columns)
    catalog = kind.uow.catalog
    item = None
    if sku is not None:
        item = find_item(catalog, sku)
        if item is None:
            cells.fail("sku", f"no item with SKU, alias or GTIN {show(sku, 48)}")
    base = None
    unit = ""
    if item is not None and quantity is not None:
        unit = (uom or item.uom or item.base_uom).upper()
        try:
            base = to_base_units(quantity, unit, item.base_uom, catalog.units(item.id))
        except (UnknownUnit, InvalidQuantity) as exc:
            cells.fail("uom" if isinstance(exc, UnknownUnit) else "quantity", str(exc))
    head = None
    if reference is not None and "reference" not in cells.bad:
        good_header = {name: value for name, value in header.items()
                       if kind.header_columns.get(name, name) not in cells.bad}
        good_fields = {name: value for name, value in fields.items() if name not in cells.bad}
        head = RowHead(cells.row.number, reference, good_header, good_fields)
    if (len(cells.errors) > before or reference is None or line_no is None or item is None
            or base is None):
        return head, None
    return head, OrderRow(cells.row.number, reference, header, line_no,
                          replace(item, uom=None), base, unit, fields)


class _OrderRun(ImportRun[OrderPlan]):
    """Orders by reference: an order with all its lines is one document."""

    def __init__(self, kind: OrderKind, table: CsvTable, errors: list[str]) -> None:
        super().__init__(kind.uow, table, errors)
        self.kind = kind
        self.by_order: dict[str, list[OrderRow]] = {}
        self.lines: dict[tuple[str, int], int] = {}
        # Per order, each header field's first good value and the row it came from.
        self.headers: dict[str, dict[str, tuple[Any, int]]] = {}
        self.orders = ImportReport("orders")

    def check(self, csv_row: CsvRow) -> None:
        # Every check that has the cells it needs runs, even when others on the row failed,
        # so one run reports every problem of the file.
        cells = Cells(csv_row, self.errors)
        head, row = _order_row(cells, self.table.columns, self.kind)
        if head is None:
            return
        number, reference = head.number, head.reference
        line_no = None if "line_no" in cells.bad else cells.raw("line_no")
        if line_no:
            other = self.lines.setdefault((reference, int(line_no)), number)
            if other != number:
                self.fail(number, "line_no",
                          f"line {int(line_no)} of order {reference} is also on row {other}")
        first = self.headers.setdefault(reference, {})
        for name, value in head.header.items():
            seen = first.setdefault(name, (value, number))
            if seen[0] != value:
                self.fail(number, self.kind.header_columns.get(name, name),
                          f"differs from row {seen[1]} for order {reference}")
        self.kind.check_row(head, self.fail)
        if row is not None:
            self.by_order.setdefault(reference, []).append(row)

    def plans(self) -> list[tuple[str, OrderPlan]]:
        return [(ref, self._plan(ref, group)) for ref, group in self.by_order.items()]

    def _plan(self, reference: str, group: list[OrderRow]) -> OrderPlan:
        kind = self.kind
        found = kind.orders().order_by_reference(reference)
        existing = None if found is None else kind.stored_header(found)
        header = replace(existing or kind.new_header(reference), **group[0].header)
        stored = {} if found is None else {ln.line_no: ln for ln in kind.orders().lines(found.id)}
        lines = []
        for row in group:
            old = stored.get(row.line_no)
            new = kind.line_spec(row, old)
            if old is not None:
                kind.check_line(row, old, new, self.fail)
            lines.append((None if old is None else kind.stored_line(old), new))
        if found is not None and kind.frozen(found) and (
            header != existing or any(old != new for old, new in lines)
        ):
            self.fail(group[0].number, "reference",
                          f"order {reference} is {found.status.value}: it cannot change")
        return OrderPlan(existing, header, lines)

    def write(self, plan: OrderPlan, report: ImportReport, dry_run: bool) -> None:
        write_header = self.orders.count(plan.existing, plan.header)
        changed = [new for old, new in plan.lines if report.count(old, new)]
        if dry_run or not (write_header or changed):
            return
        order_id = self.kind.orders().save_order(plan.header)
        for new in changed:
            self.kind.orders().save_line(order_id, new)

    def finish(self, report: ImportReport) -> None:
        orders = self.orders
        if report.dry_run:
            counts = (f"{orders.created} to create, {orders.unchanged} unchanged, "
                      f"{orders.updated} to update")
        else:
            counts = (f"{orders.created} created, {orders.unchanged} unchanged, "
                      f"{orders.updated} updated")
        report.notes.append(f"orders: {counts}")


def order_import(kind: type[OrderKind]) -> ImportKind[OrderPlan]:
    """The import of one kind of order: upsert orders and lines by (reference, line_no).

    All or nothing (or, partial, order by order): every problem is reported as
    "row N: column: reason". Lines missing from the file are left as they are.
    """
    return ImportKind(
        kind.what, "order", "reference", ORDER_REQUIRED, kind.optional,
        lambda uow, table, errors: _OrderRun(kind(uow), table, errors),
    )
