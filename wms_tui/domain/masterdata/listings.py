"""Listings for admins: an item or location by any code, stock on hand and the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from wms_tui.domain.checkdigits import normalize_gtin
from wms_tui.domain.errors import BadInput, ScanRejected
from wms_tui.domain.import_files import show as _show
from wms_tui.domain.model import ItemRef, LocationRef, StockLine
from wms_tui.domain.ports import LedgerLine, UnitOfWork


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
    after_id: int | None = None,
) -> list[LedgerLine]:
    """Ledger rows oldest first; since is inclusive, until exclusive, limit keeps the newest,
    or with after_id the first that many above that id (the API's pages)."""
    start = parse_instant(since, "--since") if since else None
    end = parse_instant(until, "--until") if until else None
    if limit is not None and limit < 0:
        raise BadInput("--limit must be 0 (no limit) or more")
    with uow:
        item_id = find_item(uow, item).id if item else None
        location_id = find_location(uow, location).id if location else None
        return uow.masterdata.ledger_lines(
            item_id=item_id, location_id=location_id, since=start, until=end, limit=limit or None,
            after_id=after_id,
        )
