"""Importing items: upserts by SKU, one row per item and unit of measure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from wms_tui.domain.checkdigits import normalize_gtin
from wms_tui.domain.errors import ScanRejected
from wms_tui.domain.import_files import CsvRow, CsvTable
from wms_tui.domain.import_files import show as _show
from wms_tui.domain.importing import MAX_CELL, Cells, ImportKind, ImportReport, ImportRun
from wms_tui.domain.masterdata.warehouse import SCAN_CODE, ZONE_CODE
from wms_tui.domain.model import ItemRef, LocationRef
from wms_tui.domain.ports import ItemSpec, UnitOfWork, UnitSpec
from wms_tui.domain.text import shown

MAX_FACTOR = 10**6
ITEM_REQUIRED = ("sku", "description", "base_uom")
ITEM_OPTIONAL = (
    "uom", "factor", "gtin", "barcode", "lot_tracked", "expiry_tracked", "serial_tracked",
    "requires_qc", "abc_class", "min_qty", "max_qty", "zone", "aliases", "unit_cost",
)
# Item-level columns: every row of one SKU must agree on them.
ITEM_FIELDS = (
    "description", "base_uom", "lot_tracked", "expiry_tracked", "serial_tracked", "requires_qc",
    "abc_class", "min_qty", "max_qty", "zone", "unit_cost",
)
_ITEM_DEFAULTS: dict[str, Any] = {
    "lot_tracked": False, "expiry_tracked": False, "serial_tracked": False,
    "requires_qc": False, "abc_class": "C", "min_qty": None, "max_qty": None, "zone": None,
    "unit_cost": None,
}
_UOM = re.compile(r"[A-Z0-9]+")
_COST = re.compile(r"[0-9]{1,10}(\.[0-9]{1,4})?")

@dataclass
class _ItemRow:
    number: int
    sku: str
    fields: dict[str, Any]
    uom: str
    factor: int | None
    gtin: str | None
    barcode: str | None
    aliases: tuple[str, ...]


def _cost(cells: Cells, column: str) -> Decimal | None:
    """A money amount per base unit: up to 10 digits before the point and 4 after."""
    text = cells.text(column, max_length=16)
    if text is None:
        return None
    if not _COST.fullmatch(text):
        cells.fail(column, f"{_show(text)} is not an amount like 12.50 (up to 4 decimals)")
        return None
    return Decimal(text)


def _item_from_row(cells: Cells, columns: Sequence[str]) -> _ItemRow | None:
    before = len(cells.errors)
    sku = cells.text("sku", max_length=40, required=True)
    values: dict[str, Any] = {
        "description": cells.text("description", max_length=120, required=True),
        "base_uom": cells.text(
            "base_uom", max_length=8, required=True, pattern=_UOM, upper=True,
            hint="must be letters and digits",
        ),
    }
    uom = cells.text(
        "uom", max_length=8, pattern=_UOM, upper=True, hint="must be letters and digits"
    )
    factor = cells.integer("factor", minimum=1, maximum=MAX_FACTOR)
    gtin = None
    gtin_text = cells.text("gtin", max_length=14)
    if gtin_text is not None:
        try:
            gtin = normalize_gtin(gtin_text)
        except ScanRejected as exc:
            cells.fail("gtin", str(exc))
    barcode = cells.text(
        "barcode", max_length=48, pattern=SCAN_CODE, hint="must be printable ASCII, no spaces"
    )
    for name in ("lot_tracked", "expiry_tracked", "serial_tracked", "requires_qc"):
        values[name] = cells.flag(name)
    values["abc_class"] = cells.text(
        "abc_class", max_length=1, pattern=re.compile("[ABC]"), upper=True,
        hint="must be A, B or C",
    ) or "C"
    values["min_qty"] = cells.integer("min_qty")
    values["max_qty"] = cells.integer("max_qty")
    low, high = values["min_qty"], values["max_qty"]
    if low is not None and high is not None and high < low:
        cells.fail("max_qty", f"{high} is below min_qty {low}")
    values["unit_cost"] = _cost(cells, "unit_cost")
    values["zone"] = cells.text(
        "zone", max_length=20, pattern=ZONE_CODE, upper=True,
        hint="may only hold letters, digits, _ and -",
    )
    aliases: list[str] = []
    for alias in (cells.text("aliases", max_length=MAX_CELL) or "").split(";"):
        alias = alias.strip()
        if not alias:
            continue
        if len(alias) > 48 or not SCAN_CODE.fullmatch(alias):
            cells.fail("aliases", f"{_show(alias)} must be 1-48 printable ASCII, no spaces")
        elif alias not in aliases:
            aliases.append(alias)
    if len(cells.errors) > before or sku is None:
        return None
    base = values["base_uom"]
    unit = uom or base
    if unit == base and factor not in (None, 1):
        cells.fail("factor", f"the base unit {base} has factor 1, not {factor}")
        return None
    fields = {name: values[name] for name in ITEM_FIELDS if name in columns}
    return _ItemRow(
        cells.row.number, sku, fields, unit, 1 if unit == base else factor, gtin, barcode,
        tuple(aliases),
    )


def _merge_item(
    rows: list[_ItemRow], existing: ItemSpec | None, columns: Sequence[str]
) -> ItemSpec:
    """The item as it should be: file values, else stored ones, else defaults."""
    first = rows[0]
    values: dict[str, Any] = {}
    for name in ITEM_FIELDS:
        if name in first.fields:
            values[name] = first.fields[name]
            if values[name] is None and name in _ITEM_DEFAULTS:
                values[name] = _ITEM_DEFAULTS[name]
        elif existing is not None:
            values[name] = getattr(existing, name)
        else:
            values[name] = _ITEM_DEFAULTS[name]
    units = {u.uom: u for u in (existing.units if existing else ())}
    for row in rows:
        prior = units.get(row.uom)
        gtin = row.gtin if "gtin" in columns else (prior.gtin if prior else None)
        barcode = row.barcode if "barcode" in columns else (prior.barcode if prior else None)
        factor = row.factor or (prior.factor if prior else 1)
        units[row.uom] = UnitSpec(row.uom, factor, gtin, barcode)
    units.setdefault(values["base_uom"], UnitSpec(values["base_uom"], 1))
    aliases = set(existing.aliases if existing else ())
    for row in rows:
        aliases.update(row.aliases)
    return ItemSpec(
        sku=first.sku, units=tuple(units[u] for u in sorted(units)),
        aliases=tuple(sorted(aliases)), **values,
    )


def _normalised(spec: ItemSpec) -> ItemSpec:
    return replace(
        spec, units=tuple(sorted(spec.units, key=lambda u: u.uom)),
        aliases=tuple(sorted(spec.aliases)),
    )


class _ItemChecks:
    """Cross-row and database checks: one unit per row, every code naming one thing."""

    def __init__(self, uow: UnitOfWork, errors: list[str]) -> None:
        self.uow = uow
        self.errors = errors
        self.zones = uow.masterdata.zone_codes()
        self.gtins: dict[str, _ItemRow] = {}
        self.codes: dict[str, _ItemRow] = {}

    def fail(self, row: _ItemRow, column: str, reason: str) -> None:
        self.errors.append(f"row {row.number}: {column}: {reason}")

    def same_sku(self, row: _ItemRow, first: _ItemRow, units: dict[str, _ItemRow]) -> None:
        for name, value in row.fields.items():
            if first.fields.get(name) != value:
                self.fail(row, name,
                          f"differs from row {first.number} for SKU {shown(row.sku)}")
        if row.uom in units:
            other = units[row.uom].number
            self.fail(row, "uom",
                      f"{row.uom} of SKU {shown(row.sku)} is already on row {other}")

    def in_file(self, row: _ItemRow) -> None:
        if row.gtin is not None:
            other = self.gtins.setdefault(row.gtin, row)
            if other is not row:
                self.fail(row, "gtin", f"{row.gtin} is also on row {other.number}")
        for column, code in (
            ("sku", row.sku), ("barcode", row.barcode), *(("aliases", a) for a in row.aliases)
        ):
            if code is None:
                continue
            other = self.codes.setdefault(code, row)
            if other.sku != row.sku or (column == "barcode" and other is not row):
                self.fail(row, column, f"{shown(code)} is also on row {other.number} "
                          f"(SKU {shown(other.sku)})")

    def _clash(self, row: _ItemRow, column: str, code: str, hit: ItemRef | None) -> None:
        if hit is not None and (hit.sku != row.sku or hit.uom not in (None, row.uom)):
            unit = f" ({hit.uom})" if hit.uom else ""
            self.fail(row, column,
                      f"{shown(code)} is already used by SKU {shown(hit.sku)}{shown(unit)}")
            return
        location: LocationRef | None = self.uow.catalog.location_by_code(code)
        if location is not None:
            self.fail(row, column, f"{shown(code)} is already the code of location "
                      f"{shown(location.code)}")

    def in_database(self, row: _ItemRow) -> None:
        catalog = self.uow.catalog
        if row.gtin is not None:
            self._clash(row, "gtin", row.gtin, catalog.item_by_gtin(row.gtin))
        hit = catalog.item_by_code(row.sku)
        if hit is not None and hit.sku != row.sku:
            self.fail(row, "sku", f"{shown(row.sku)} is already a barcode or alias of SKU "
                      f"{shown(hit.sku)}")
        if row.barcode is not None:
            self._clash(row, "barcode", row.barcode, catalog.item_by_code(row.barcode))
        for alias in row.aliases:
            hit = catalog.item_by_code(alias)
            self._clash(row, "aliases", alias, None if hit is None else replace(hit, uom=None))
        zone = row.fields.get("zone")
        if zone is not None and zone not in self.zones:
            self.fail(row, "zone", f"there is no zone {zone} (import or generate locations first)")


_ItemPlan = tuple[ItemSpec | None, ItemSpec]


class _ItemRun(ImportRun[_ItemPlan]):
    """Items by SKU: an item with all its unit rows is one document."""

    def __init__(self, uow: UnitOfWork, table: CsvTable, errors: list[str]) -> None:
        super().__init__(uow, table, errors)
        self.checks = _ItemChecks(uow, errors)
        self.by_sku: dict[str, list[_ItemRow]] = {}
        self.units: dict[str, dict[str, _ItemRow]] = {}

    def check(self, row: CsvRow) -> None:
        item = _item_from_row(Cells(row, self.errors), self.table.columns)
        if item is None:
            return
        rows = self.by_sku.setdefault(item.sku, [])
        if rows:
            self.checks.same_sku(item, rows[0], self.units[item.sku])
        self.checks.in_file(item)
        self.checks.in_database(item)
        rows.append(item)
        self.units.setdefault(item.sku, {})[item.uom] = item

    def plans(self) -> list[tuple[str, _ItemPlan]]:
        merged = []
        for sku, rows in self.by_sku.items():
            existing = self.uow.masterdata.item(sku)
            first = rows[0]
            base = first.fields.get("base_uom")
            if existing is not None and base is not None and base != existing.base_uom:
                self.checks.fail(
                    first, "base_uom",
                    f"SKU {shown(sku)} counts its stock in {existing.base_uom}; "
                    f"its base unit cannot change to {base}",
                )
                continue
            for row in rows:
                if row.factor is None and not _has_unit(existing, row.uom):
                    self.checks.fail(row, "factor",
                                     f"unit {row.uom} of SKU {shown(sku)} needs a factor")
            merged.append((sku, (existing, _merge_item(rows, existing, self.table.columns))))
        return merged

    def write(self, plan: _ItemPlan, report: ImportReport, dry_run: bool) -> None:
        existing, spec = plan
        before = None if existing is None else _normalised(existing)
        if report.count(before, spec) and not dry_run:
            self.uow.masterdata.save_item(spec)


# Upserts items by SKU, one row per item and unit (docs/import-formats.md).
import_items = ImportKind(
    "items", "item", "sku", ITEM_REQUIRED, ITEM_OPTIONAL, _ItemRun, upper_key=False
)


def _has_unit(existing: ItemSpec | None, uom: str) -> bool:
    return existing is not None and any(u.uom == uom for u in existing.units)
