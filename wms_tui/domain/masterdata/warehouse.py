"""The warehouse and its zones, made on the way by the imports, and the code patterns every
master-data record shares."""

from __future__ import annotations

import re
from collections.abc import Callable

from wms_tui.domain.importing import ImportReport
from wms_tui.domain.ports import MasterDataRepository, UnitOfWork

UowFactory = Callable[[], UnitOfWork]

DEFAULT_WAREHOUSE = "WH1"
DEFAULT_WAREHOUSE_NAME = "Main warehouse"

ZONE_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]*")
# Barcodes and aliases are scanned, so printable ASCII without spaces.
SCAN_CODE = re.compile(r"[!-~]+")


def ensure_zones(
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
