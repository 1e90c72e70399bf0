"""Master data services: location and item imports and location generation.

Every import reads the whole file, checks every row and collects every problem as
"row N: column: reason" (see importing.py for the run every import shares). Only a file
without a single problem is written (or, partial, every clean document), in one transaction,
upserting by code: running the same file twice changes nothing the second time. A column
left out of the file leaves that field of an existing record as it is; an empty cell means
"none" (or the default).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from wms_tui.domain.checkdigits import location_check_digits, normalize_gtin
from wms_tui.domain.errors import BadInput, ScanRejected
from wms_tui.domain.import_files import CsvRow as CsvRow
from wms_tui.domain.import_files import CsvTable as CsvTable
from wms_tui.domain.import_files import read_csv as read_csv
from wms_tui.domain.import_files import show as _show
from wms_tui.domain.importing import MAX_CELL, Cells, ImportKind, ImportRun
from wms_tui.domain.importing import ImportReport as ImportReport
from wms_tui.domain.importing import Progress as Progress
from wms_tui.domain.model import ItemRef, LocationRef, LocationType, StockLine
from wms_tui.domain.ports import (
    ItemSpec,
    LedgerLine,
    LocationSpec,
    MasterDataRepository,
    UnitOfWork,
    UnitSpec,
)
from wms_tui.domain.stock import with_retry

UowFactory = Callable[[], UnitOfWork]

DEFAULT_WAREHOUSE = "WH1"
DEFAULT_WAREHOUSE_NAME = "Main warehouse"
MAX_FACTOR = 10**6
MAX_GENERATED = 100_000

_LOCATION_CODE = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")
_PREFIX = re.compile(r"[A-Z0-9._/-]*")
_ZONE = re.compile(r"[A-Z0-9][A-Z0-9_-]*")
_UOM = re.compile(r"[A-Z0-9]+")
# Barcodes and aliases are scanned, so printable ASCII without spaces.
_SCAN_CODE = re.compile(r"[!-~]+")
_COST = re.compile(r"[0-9]{1,10}(\.[0-9]{1,4})?")
_NUMBER = re.compile(r"[0-9]{1,4}")
_LETTER = re.compile(r"[A-Z]")

LOCATION_REQUIRED = ("code", "type", "zone", "walk_seq")
LOCATION_OPTIONAL = ("barcode", "aisle", "bay", "level", "capacity")
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


def _ensure_zones(
    md: MasterDataRepository, zones: set[str], report: ImportReport, *, write: bool
) -> None:
    """Zones named by locations are created on the way, in the default warehouse."""
    if not zones:
        return
    if write:
        _ensure_warehouse(md)
    for zone in sorted(zones - md.zone_codes()):
        report.zones_created.append(zone)
        if write:
            md.add_zone(zone)


def _ensure_warehouse(md: MasterDataRepository) -> str | None:
    if md.warehouse_codes():
        return None
    md.add_warehouse(DEFAULT_WAREHOUSE, DEFAULT_WAREHOUSE_NAME)
    return DEFAULT_WAREHOUSE


def ensure_default_warehouse(uow: UnitOfWork) -> str | None:
    """Create warehouse WH1 when there is none yet; returns its code if it was created."""
    with uow:
        created = _ensure_warehouse(uow.masterdata)
        uow.commit()
        return created


# Locations.


def _location_from_row(cells: Cells) -> LocationSpec | None:
    before = len(cells.errors)
    code = cells.text(
        "code", max_length=30, required=True, pattern=_LOCATION_CODE, upper=True,
        hint="may only hold letters, digits and . _ / -",
    )
    barcode = cells.text(
        "barcode", max_length=40, pattern=_SCAN_CODE, hint="must be printable ASCII, no spaces"
    )
    type_text = cells.text("type", max_length=12, required=True)
    kind = None
    if type_text is not None:
        try:
            kind = LocationType(type_text.lower())
        except ValueError:
            choices = ", ".join(t.value for t in LocationType)
            cells.fail("type", f"{_show(type_text)} must be one of {choices}")
    zone = cells.text(
        "zone", max_length=20, pattern=_ZONE, upper=True,
        hint="may only hold letters, digits, _ and -",
    )
    walk_seq = cells.integer("walk_seq", required=True)
    parts = {name: cells.text(name, max_length=10) or "" for name in ("aisle", "bay", "level")}
    capacity = cells.integer("capacity", minimum=1)
    if len(cells.errors) > before or code is None or kind is None or walk_seq is None:
        return None
    return LocationSpec(
        code=code, barcode=barcode or code, check_digits=location_check_digits(code), type=kind,
        walk_seq=walk_seq, zone=zone, capacity=capacity, **parts,
    )


def _keep_absent(
    spec: LocationSpec, existing: LocationSpec | None, columns: Sequence[str]
) -> LocationSpec:
    """Fields whose column the file leaves out keep their stored value."""
    if existing is None:
        return spec
    kept = {
        name: getattr(existing, name)
        for name in ("barcode", "aisle", "bay", "level", "capacity")
        if name not in columns
    }
    return replace(spec, **kept)


def _barcode_clash(md: MasterDataRepository, code: str, name: str) -> str | None:
    """The other location a code or barcode would also name, since a scan matches either."""
    owner = md.location_code_by_barcode(name)
    if owner is not None and owner != code:
        return owner
    if name != code and md.location(name) is not None:
        return name
    return None


class _LocationRun(ImportRun[tuple[LocationSpec | None, LocationSpec]]):
    """Locations by code: each row is one document."""

    def __init__(self, uow: UnitOfWork, table: CsvTable, errors: list[str]) -> None:
        super().__init__(uow, table, errors)
        self.md = uow.masterdata
        self.specs: list[tuple[str, tuple[LocationSpec | None, LocationSpec]]] = []
        self.names: dict[str, tuple[str, int]] = {}

    def check(self, row: CsvRow) -> None:
        cells = Cells(row, self.errors)
        spec = _location_from_row(cells)
        if spec is None:
            return
        existing = self.md.location(spec.code)
        spec = _keep_absent(spec, existing, self.table.columns)
        if _claim_names(cells, spec, self.names):
            for column, name in (("code", spec.code), ("barcode", spec.barcode)):
                other = _barcode_clash(self.md, spec.code, name)
                if other is not None:
                    cells.fail(column, f"{name} already names location {other}")
        self.specs.append((spec.code, (existing, spec)))

    def plans(self) -> list[tuple[str, tuple[LocationSpec | None, LocationSpec]]]:
        return self.specs

    def prepare(
        self, plans: Sequence[tuple[LocationSpec | None, LocationSpec]], report: ImportReport,
        dry_run: bool,
    ) -> None:
        zones = {spec.zone for _, spec in plans if spec.zone}
        _ensure_zones(self.md, zones, report, write=not dry_run)

    def write(
        self, plan: tuple[LocationSpec | None, LocationSpec], report: ImportReport, dry_run: bool
    ) -> None:
        existing, spec = plan
        if report.count(existing, spec) and not dry_run:
            self.md.save_location(spec)


# Upserts locations by code (docs/import-formats.md): import_locations(uow_factory, table).
import_locations = ImportKind(
    "locations", "location", "code", LOCATION_REQUIRED, LOCATION_OPTIONAL, _LocationRun
)


def _claim_names(cells: Cells, spec: LocationSpec, names: dict[str, tuple[str, int]]) -> bool:
    """Record the row's code and barcode; False when another row of the file has either."""
    clean = True
    for column, name in (("code", spec.code), ("barcode", spec.barcode)):
        owner = names.get(name)
        if owner is not None and (owner[0] != spec.code or column == "code"):
            what = "code" if owner[0] == name else f"barcode of {owner[0]}"
            cells.fail(column, f"{name} is a duplicate of row {owner[1]} ({what})")
            clean = False
        else:
            names.setdefault(name, (spec.code, cells.row.number))
    return clean


def _expand(text: str, option: str, *, letters: bool) -> list[str]:
    """'1-10', 'A-C' or lists such as 'A,C,F-H' into labels, in the order written."""
    labels: list[str] = []
    for token in (t.strip().upper() for t in text.split(",")):
        low, dash, high = token.partition("-")
        high = high if dash else low
        if _NUMBER.fullmatch(low) and _NUMBER.fullmatch(high):
            first, last = int(low), int(high)
            if first > last:
                raise BadInput(f"{option}: range {token} runs backwards")
            if last - first >= 1000:
                raise BadInput(f"{option}: {token} is more than 1000 values")
            labels.extend(str(n) for n in range(first, last + 1))
        elif letters and _LETTER.fullmatch(low) and _LETTER.fullmatch(high):
            if high < low:
                raise BadInput(f"{option}: range {token} runs backwards")
            labels.extend(chr(c) for c in range(ord(low), ord(high) + 1))
        else:
            kind = "numbers or single letters" if letters else "numbers"
            raise BadInput(f"{option}: {_show(token)} is not a range of {kind} such as 1-10")
    if len(set(labels)) != len(labels):
        raise BadInput(f"{option}: {text} names a value twice")
    return labels


def _pad(labels: list[str], minimum: int) -> list[str]:
    """Zero-pad numbers to one width so codes sort as they read."""
    width = max([minimum, *(len(x) for x in labels if x.isdigit())])
    return [x.zfill(width) if x.isdigit() else x for x in labels]


@dataclass(frozen=True)
class GridSlot:
    code: str
    aisle: str
    bay: str
    level: str


def serpentine(
    aisles: Sequence[str],
    bays: Sequence[str],
    levels: Sequence[str],
    positions: Sequence[str] = ("1",),
    prefix: str = "",
) -> list[GridSlot]:
    """The slots of a rack grid in serpentine walk order.

    Aisles are walked in the order given. In the 1st, 3rd, 5th... aisle the bays go up;
    in the 2nd, 4th... they come back down, so the picker never walks an aisle empty.
    Inside a bay the levels go up, inside a level the positions go up. The code of a slot
    is prefix + aisle-bay-level-position, e.g. A-01-02-3.
    """
    slots = []
    for index, aisle in enumerate(aisles):
        walk = bays if index % 2 == 0 else list(reversed(bays))
        for bay in walk:
            for level in levels:
                for position in positions:
                    code = f"{prefix}{aisle}-{bay}-{level}-{position}"
                    slots.append(GridSlot(code, aisle, bay, level))
    return slots


def generate_locations(
    uow_factory: UowFactory,
    *,
    zone: str,
    location_type: str,
    aisles: str,
    bays: str,
    levels: str,
    positions: str = "1",
    prefix: str = "",
    capacity: int | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Create a rack grid's locations in serpentine walk order (see serpentine()).

    New locations get walk sequences continuing after the highest one in the warehouse;
    locations that already exist keep their walk sequence and barcode, so running the
    same command twice changes nothing.
    """
    zone_code = zone.strip().upper()
    if not _ZONE.fullmatch(zone_code) or len(zone_code) > 20:
        raise BadInput(f"zone {_show(zone)} must be 1-20 letters, digits, _ or -")
    try:
        kind = LocationType(location_type.strip().lower())
    except ValueError:
        choices = ", ".join(t.value for t in LocationType)
        raise BadInput(f"type {_show(location_type)} must be one of {choices}") from None
    prefix = prefix.strip().upper()
    if not _PREFIX.fullmatch(prefix) or len(prefix) > 10:
        raise BadInput(f"prefix {_show(prefix)} must be up to 10 letters, digits, . _ / or -")
    if capacity is not None and capacity < 1:
        raise BadInput("capacity must be at least 1")
    grid = [
        _pad(_expand(aisles, "aisles", letters=True), 2),
        _pad(_expand(bays, "bays", letters=False), 2),
        _pad(_expand(levels, "levels", letters=False), 2),
        _pad(_expand(positions, "positions", letters=False), 1),
    ]
    total = len(grid[0]) * len(grid[1]) * len(grid[2]) * len(grid[3])
    if total > MAX_GENERATED:
        raise BadInput(f"that is {total} locations; generate at most {MAX_GENERATED} at once")
    slots = serpentine(grid[0], grid[1], grid[2], grid[3], prefix)
    too_long = [s.code for s in slots if len(s.code) > 30]
    if too_long:
        raise BadInput(f"location code {too_long[0]} is longer than 30 characters")

    def work() -> ImportReport:
        report = ImportReport(
            "locations", rows=len(slots), dry_run=dry_run, counted="location(s)"
        )
        with uow_factory() as uow:
            md = uow.masterdata
            next_seq = md.max_walk_seq() + 1
            specs = []
            for slot in slots:
                existing = md.location(slot.code)
                if existing is None:
                    other = _barcode_clash(md, slot.code, slot.code)
                    if other is not None:
                        report.errors.append(f"{slot.code}: already names location {other}")
                        continue
                    spec = LocationSpec(
                        code=slot.code, barcode=slot.code,
                        check_digits=location_check_digits(slot.code), type=kind,
                        walk_seq=next_seq, zone=zone_code, capacity=capacity,
                    )
                    next_seq += 1
                else:
                    spec = replace(
                        existing, type=kind, zone=zone_code,
                        capacity=existing.capacity if capacity is None else capacity,
                    )
                specs.append((existing, replace(
                    spec, aisle=slot.aisle, bay=slot.bay, level=slot.level,
                )))
            if report.errors:
                report.sort_errors()
                return report
            _ensure_zones(md, {zone_code}, report, write=not dry_run)
            new = [spec for existing, spec in specs if existing is None]
            for existing, spec in specs:
                if report.count(existing, spec) and not dry_run:
                    md.save_location(spec)
            if new:
                report.notes.append(
                    f"new: {new[0].code} .. {new[-1].code}, "
                    f"walk sequence {new[0].walk_seq}..{new[-1].walk_seq}"
                )
            if not dry_run:
                uow.commit()
            return report

    return with_retry(work)


# Items.


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
        "barcode", max_length=48, pattern=_SCAN_CODE, hint="must be printable ASCII, no spaces"
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
        "zone", max_length=20, pattern=_ZONE, upper=True,
        hint="may only hold letters, digits, _ and -",
    )
    aliases: list[str] = []
    for alias in (cells.text("aliases", max_length=MAX_CELL) or "").split(";"):
        alias = alias.strip()
        if not alias:
            continue
        if len(alias) > 48 or not _SCAN_CODE.fullmatch(alias):
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
                self.fail(row, name, f"differs from row {first.number} for SKU {row.sku}")
        if row.uom in units:
            other = units[row.uom].number
            self.fail(row, "uom", f"{row.uom} of SKU {row.sku} is already on row {other}")

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
                self.fail(row, column, f"{code} is also on row {other.number} (SKU {other.sku})")

    def _clash(self, row: _ItemRow, column: str, code: str, hit: ItemRef | None) -> None:
        if hit is not None and (hit.sku != row.sku or hit.uom not in (None, row.uom)):
            unit = f" ({hit.uom})" if hit.uom else ""
            self.fail(row, column, f"{code} is already used by SKU {hit.sku}{unit}")
            return
        location: LocationRef | None = self.uow.catalog.location_by_code(code)
        if location is not None:
            self.fail(row, column, f"{code} is already the code of location {location.code}")

    def in_database(self, row: _ItemRow) -> None:
        catalog = self.uow.catalog
        if row.gtin is not None:
            self._clash(row, "gtin", row.gtin, catalog.item_by_gtin(row.gtin))
        hit = catalog.item_by_code(row.sku)
        if hit is not None and hit.sku != row.sku:
            self.fail(row, "sku", f"{row.sku} is already a barcode or alias of SKU {hit.sku}")
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
                    f"SKU {sku} counts its stock in {existing.base_uom}; "
                    f"its base unit cannot change to {base}",
                )
                continue
            for row in rows:
                if row.factor is None and not _has_unit(existing, row.uom):
                    self.checks.fail(row, "factor", f"unit {row.uom} of SKU {sku} needs a factor")
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


# Listings.


def find_item(uow: UnitOfWork, code: str) -> ItemRef:
    """An item by SKU, unit barcode, alias or GTIN, for filters typed by an admin."""
    code = code.strip()
    item = uow.catalog.item_by_code(code)
    if item is None and code.isascii() and code.isdigit():
        try:
            item = uow.catalog.item_by_gtin(normalize_gtin(code))
        except ScanRejected:
            item = None
    if item is None:
        raise BadInput(f"no item {_show(code)}")
    return item


def find_location(uow: UnitOfWork, code: str) -> LocationRef:
    location = uow.catalog.location_by_code(code.strip())
    if location is None:
        raise BadInput(f"no location {_show(code)}")
    return location


def stock_listing(
    uow: UnitOfWork, *, item: str | None = None, location: str | None = None
) -> list[StockLine]:
    """Balances with stock, optionally for one item and/or one location."""
    with uow:
        item_id = find_item(uow, item).id if item else None
        location_id = find_location(uow, location).id if location else None
        return uow.inquiry.stock_lines(item_id=item_id, location_id=location_id)


def parse_instant(text: str, option: str) -> datetime:
    """An ISO date or date-time; without a zone it is taken as UTC, as the ledger is."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(
            f"{option}: {_show(text)} is not an ISO date or time such as 2024-05-01T08:00"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def movement_listing(
    uow: UnitOfWork,
    *,
    item: str | None = None,
    location: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> list[LedgerLine]:
    """Ledger rows oldest first; since is inclusive, until exclusive, limit keeps the newest."""
    start = parse_instant(since, "--since") if since else None
    end = parse_instant(until, "--until") if until else None
    if limit is not None and limit < 0:
        raise BadInput("--limit must be 0 (no limit) or more")
    with uow:
        item_id = find_item(uow, item).id if item else None
        location_id = find_location(uow, location).id if location else None
        return uow.masterdata.ledger_lines(
            item_id=item_id, location_id=location_id, since=start, until=end, limit=limit or None,
        )

