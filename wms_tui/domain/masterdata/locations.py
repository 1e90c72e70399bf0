"""Importing locations: upserts by code, one row per location."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.import_files import CsvRow, CsvTable
from wms_tui.domain.import_files import show as _show
from wms_tui.domain.importing import Cells, ImportKind, ImportReport, ImportRun
from wms_tui.domain.masterdata.warehouse import SCAN_CODE, ZONE_CODE, ensure_zones
from wms_tui.domain.model import LocationType
from wms_tui.domain.ports import LocationSpec, MasterDataRepository, UnitOfWork
from wms_tui.domain.text import shown

LOCATION_REQUIRED = ("code", "type", "zone", "walk_seq")
LOCATION_OPTIONAL = ("barcode", "aisle", "bay", "level", "capacity")
_LOCATION_CODE = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")


def _location_from_row(cells: Cells) -> LocationSpec | None:
    before = len(cells.errors)
    code = cells.text(
        "code", max_length=30, required=True, pattern=_LOCATION_CODE, upper=True,
        hint="may only hold letters, digits and . _ / -",
    )
    barcode = cells.text(
        "barcode", max_length=40, pattern=SCAN_CODE, hint="must be printable ASCII, no spaces"
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
        "zone", max_length=20, pattern=ZONE_CODE, upper=True,
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


def barcode_clash(md: MasterDataRepository, code: str, name: str) -> str | None:
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
                other = barcode_clash(self.md, spec.code, name)
                if other is not None:
                    cells.fail(column, f"{name} already names location {shown(other)}")
        self.specs.append((spec.code, (existing, spec)))

    def plans(self) -> list[tuple[str, tuple[LocationSpec | None, LocationSpec]]]:
        return self.specs

    def prepare(
        self, plans: Sequence[tuple[LocationSpec | None, LocationSpec]], report: ImportReport,
        dry_run: bool,
    ) -> None:
        zones = {spec.zone for _, spec in plans if spec.zone}
        ensure_zones(self.md, zones, report, write=not dry_run)

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
