"""An interchange through the order imports, and a shipment's DESADV: what `wms edi` and
POST /v1/edi share. Imports go through the same importers as the CSV files, so a line is
checked by the same rules; their "row N" is renamed to the LIN segment it came from."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import CsvRow, CsvTable
from wms_tui.domain.importing import ImportKind, ImportReport
from wms_tui.domain.ports import UnitOfWork, UnitSpec
from wms_tui.domain.shipping.model import ShipmentStatus, ShipmentView
from wms_tui.edi.eancom import Despatch, EdiLine, EdiMessage, Package, rows_for_import

ROW = re.compile(r"^row (\d+): ")


def importer_for(kind: str) -> ImportKind[Any]:
    from wms_tui.domain.inbound import import_inbound_orders
    from wms_tui.domain.outbound.orders import import_outbound_orders

    return import_inbound_orders if kind == "inbound" else import_outbound_orders


def _cell(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def table(rows: Sequence[dict[str, object]]) -> CsvTable:
    """The rows as the CSV import reads them, every column any row names."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return CsvTable("interchange", tuple(columns), tuple(
        CsvRow(number, {c: _cell(row[c]) if c in row else "" for c in columns})
        for number, row in enumerate(rows, start=1)))


def renamed(errors: Sequence[str], origins: dict[int, str]) -> list[str]:
    """Import problems with "row N" replaced by the segment the row came from."""
    out = []
    for error in errors:
        found = ROW.match(error)
        if found and int(found.group(1)) in origins:
            error = f"{origins[int(found.group(1))]}: {error[found.end():]}"
        out.append(error)
    return out


def import_messages(uow_factory: Callable[[], UnitOfWork], messages: Sequence[EdiMessage], *,
                    dry_run: bool = False) -> tuple[str, ImportReport]:
    """Import every message all or nothing; the report's errors name segments."""
    kind, rows, origins = rows_for_import(messages)
    report = importer_for(kind)(uow_factory, table(rows), dry_run=dry_run, partial=False)
    report.errors[:] = renamed(report.errors, origins)
    return kind, report


def _unit(units: Sequence[UnitSpec], quantity: int) -> UnitSpec | None:
    """The unit with a GTIN that counts the quantity in whole units, the largest first."""
    fits = [u for u in units if u.gtin and quantity % u.factor == 0]
    return max(fits, key=lambda u: u.factor) if fits else None


def despatch(view: ShipmentView, units_of: Callable[[str], Sequence[UnitSpec]], *,
             sender: str, recipient: str) -> Despatch:
    """A shipped shipment as a DESADV: a package per carton with its SSCC and weight, a LIN
    per carton line with the GTIN of the unit that counts it, its lot and expiry."""
    s = view.shipment
    if s.status != ShipmentStatus.SHIPPED or s.shipped_at is None:
        raise BadInput(f"shipment {s.code} is {s.status.value}: a despatch advice is sent "
                       "for a confirmed shipment (wms ship confirm)")
    packages: list[Package] = []
    lines: list[EdiLine] = []
    for level, carton in enumerate(view.cartons, start=2):
        packages.append(Package(level, 1, carton.sscc, carton.weight_kg))
        for ln in carton.lines:
            unit = _unit(units_of(ln.sku), ln.quantity)
            quantity = ln.quantity // unit.factor if unit else ln.quantity
            lines.append(EdiLine(0, len(lines) + 1, quantity,
                                 gtin=unit.gtin if unit else None, article=ln.sku,
                                 unit=None if unit else ln.base_uom, lot=ln.lot,
                                 expiry=ln.expiry, sscc=carton.sscc,
                                 order_ref=carton.order_ref, order_line=ln.line_no))
    buyers = sorted({c.customer for c in view.cartons if c.customer})
    return Despatch(s.code, s.shipped_at, sender, recipient, s.code,
                    buyers[0] if len(buyers) == 1 else None, tuple(packages), tuple(lines))
