"""Opening stock: what already stands on a new site's shelves, loaded from one file at go-live.

Each row (sku, location, quantity and optionally uom, lot, expiry, lpn or sscc, status,
serials) becomes one receipt with reason OPENING, posted through the ledger like any other.
The file is read twice and never held whole: first every row is checked (against the file's
other rows and the database) and every problem is reported as "row N: column: reason", then
the good rows are posted in batches, one transaction each. By default nothing is posted when
any row has a problem; with partial the good rows are posted and the others reported.

Each row carries a confirmation key made from its row number and its cells, stored with its
movement through `exactly_once`, so running the same file again (after a crash half-way, or
by mistake) posts only the rows that are not in the ledger yet.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from wms_tui.domain.checkdigits import is_valid_sscc
from wms_tui.domain.errors import BadInput, InvalidQuantity, UnknownUnit, WmsError
from wms_tui.domain.import_files import CsvRow, CsvTable, show
from wms_tui.domain.import_stream import BrokenRow, RowSource
from wms_tui.domain.importing import Cells, check_columns
from wms_tui.domain.inbound.model import LOT_PATTERN
from wms_tui.domain.model import Actor, ItemRef, LocationRef, PostResult, StockStatus
from wms_tui.domain.once import IdempotencyStore, exactly_once
from wms_tui.domain.order_import import UOM, date_cell, find_item
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import StockRepository, UnitOfWork
from wms_tui.domain.stock import Receive, apply_in, with_retry
from wms_tui.domain.units import MAX_QUANTITY, to_base_units

OPENING_REASON = "OPENING"
OPERATION = "opening"
REQUIRED = ("sku", "location", "quantity")
OPTIONAL = ("uom", "lot", "expiry", "lpn", "sscc", "status", "serials")
DEFAULT_BATCH = 1000
MAX_BATCH = 10_000
# A serial-tracked line lists one serial per unit, so its cell may be far longer than others.
MAX_SERIALS_CELL = 64 * 1024
LPN_PATTERN = re.compile(r"[!-~]{1,30}")
SERIAL_PATTERN = re.compile(r"[!-~]{1,40}")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ROW = re.compile(r"row (\d+):")
STATUSES = ", ".join(status.value for status in StockStatus)


class OpeningStockRepository(StockRepository, Protocol):
    def moved_besides(self, reason_code: str) -> bool:
        """True when the ledger holds a movement whose reason is not reason_code."""
        ...


class OpeningUnitOfWork(UnitOfWork, Protocol):
    @property
    def stock(self) -> OpeningStockRepository: ...


class Progress(Protocol):
    """Where a long import shows how far it is: a stage (total None when unknown), then steps."""

    def stage(self, label: str, total: int | None) -> None: ...
    def advance(self, steps: int) -> None: ...


@dataclass(frozen=True)
class OpeningLine:
    """One checked row: the receipt to post under its confirmation key."""

    number: int
    key: str
    command: Receive
    serials: tuple[str, ...] = ()


@dataclass
class OpeningReport:
    """What an opening stock import did (or, in a dry run, would do)."""

    dry_run: bool = False
    partial: bool = False
    lines: int = 0
    valid: int = 0
    posted: int = 0
    already: int = 0
    rejected: int = 0
    # The row whose posting failed after earlier batches were committed.
    stopped_at: int | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort_errors(self) -> None:
        self.errors.sort(key=lambda e: int(m.group(1)) if (m := _ROW.match(e)) else 0)

    def summary(self) -> str:
        if self.stopped_at is not None:
            return (f"posting stopped at row {self.stopped_at}: {self.posted} line(s) posted, "
                    f"{self.already} already posted before it; fix the row and run the same "
                    "file again to post the rest")
        if self.errors and not self.partial:
            prefix = "dry run: " if self.dry_run else ""
            return (f"{prefix}{len(self.errors)} error(s) in {self.lines} line(s); "
                    "nothing was posted")
        rejected = f"{self.rejected} line(s) rejected; " if self.partial else ""
        if self.dry_run:
            return (f"dry run, nothing was posted: {rejected}{self.valid} line(s) valid: "
                    f"{self.valid - self.already} to post, {self.already} already posted")
        return (f"opening stock: {rejected}{self.posted} line(s) posted, "
                f"{self.already} already posted")


def line_key(row: CsvRow) -> str:
    """The row's confirmation key: its number and its non-empty cells, in column order by name,
    so the same row of the same file gets the same key however the file was saved again."""
    digest = hashlib.sha256(str(row.number).encode())
    for column in sorted(row.cells):
        value = row.cells[column].strip()
        if value:
            digest.update(f"\x1e{column}\x1f{value}".encode("utf-8", "surrogatepass"))
    return f"{OPERATION}-{digest.hexdigest()[:64]}"


class _Checker:
    """Reads rows into lines; remembers look-ups and what earlier rows claimed (first row wins).

    Every claim is keyed by row number, so reading a row again (to post it) finds its own
    claims and agrees with itself.
    """

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        self.items: dict[str, ItemRef | None] = {}
        self.units: dict[int, dict[str, int]] = {}
        self.locations: dict[str, LocationRef | None] = {}
        self.lpn_places: dict[str, tuple[int, int]] = {}
        self.lpn_ssccs: dict[str, tuple[str, int]] = {}
        self.ssccs: dict[str, str | None] = {}
        self.lot_expiries: dict[tuple[int, str], tuple[date, int]] = {}
        self.stored_lots: dict[tuple[int, str], date | None] = {}
        self.lpns_checked: set[tuple[str, int]] = set()
        self.serial_rows: dict[tuple[int, str], int] = {}
        self.serials_given = False

    def line(self, uow: OpeningUnitOfWork, row: CsvRow) -> OpeningLine | None:
        """The row's receipt, or None with every problem recorded."""
        before = len(self.errors)
        others = CsvRow(row.number, {k: v for k, v in row.cells.items() if k != "serials"})
        cells = Cells(others, self.errors)
        sku = cells.text("sku", max_length=48, required=True)
        code = cells.text("location", max_length=40, required=True)
        quantity = _quantity(cells)
        uom = cells.text("uom", max_length=8, pattern=UOM, upper=True,
                         hint="must be letters and digits")
        lot = cells.text("lot", max_length=20, pattern=LOT_PATTERN,
                         hint="must be printable ASCII, no spaces")
        expiry = date_cell(cells, "expiry")
        lpn = cells.text("lpn", max_length=30, pattern=LPN_PATTERN,
                         hint="must be printable ASCII, no spaces")
        sscc = _sscc(cells)
        status = _status(cells)
        serials = self._serials(row)
        item = self._item(uow, cells, sku)
        location = self._location(uow, cells, code)
        base = None
        if item is not None and quantity is not None:
            unit = uom or item.uom or item.base_uom
            try:
                base = to_base_units(quantity, unit, item.base_uom, self._units(uow, item.id))
            except (UnknownUnit, InvalidQuantity) as exc:
                cells.fail("uom" if isinstance(exc, UnknownUnit) else "quantity", str(exc))
        if item is not None:
            if item.lot_tracked and not lot:
                cells.fail("lot", f"{item.sku} is lot-tracked: a lot is needed")
            if item.expiry_tracked and expiry is None and "expiry" not in cells.bad:
                cells.fail("expiry", f"{item.sku} is expiry-tracked: an expiry date is needed")
            if base is not None and serials is not None:
                self._check_serials(cells, item, base, serials)
        if lot is None and expiry is not None:
            lot = f"EXP{expiry:%Y%m%d}"
        code_on_label = self._lpn(uow, cells, lpn, sscc, location)
        if item is not None and lot is not None:
            self._check_lot(uow, cells, item, lot, expiry)
        if (len(self.errors) > before or item is None or location is None or base is None
                or status is None or serials is None):
            return None
        self._claim(row.number, item, location, lot, expiry, code_on_label, sscc, serials)
        command = Receive(
            item.id, base, location.id, f"OPENING row {row.number}", lot=lot, expiry=expiry,
            lpn=code_on_label, sscc=sscc, status=status, reason_code=OPENING_REASON,
            serials=serials,
        )
        return OpeningLine(row.number, line_key(row), command, serials)

    def _item(self, uow: UnitOfWork, cells: Cells, sku: str | None) -> ItemRef | None:
        if sku is None:
            return None
        if sku not in self.items:
            self.items[sku] = find_item(uow.catalog, sku)
        item = self.items[sku]
        if item is None:
            cells.fail("sku", f"no item with SKU, alias or GTIN {show(sku, 48)}")
        return item

    def _units(self, uow: UnitOfWork, item_id: int) -> dict[str, int]:
        if item_id not in self.units:
            self.units[item_id] = uow.catalog.units(item_id)
        return self.units[item_id]

    def _location(self, uow: UnitOfWork, cells: Cells, code: str | None) -> LocationRef | None:
        if code is None:
            return None
        if code not in self.locations:
            found = uow.catalog.location_by_code(code)
            if found is None and code != code.upper():
                found = uow.catalog.location_by_code(code.upper())
            self.locations[code] = found
        location = self.locations[code]
        if location is None:
            cells.fail("location", f"no location {show(code, 40)}")
        return location

    def _serials(self, row: CsvRow) -> tuple[str, ...] | None:
        """The row's serials (none when the column is absent or empty), or None when refused."""
        value = row.cells.get("serials", "")
        fail = Cells(CsvRow(row.number, {}), self.errors).fail
        hit = _CONTROL.search(value)
        if hit is not None:
            fail("serials", f"control character 0x{ord(hit.group()):02X} at position "
                            f"{hit.start() + 1}")
            return None
        if len(value) > MAX_SERIALS_CELL:
            fail("serials", f"{len(value)} characters, more than {MAX_SERIALS_CELL}")
            return None
        serials = tuple(s.strip() for s in value.split(";") if s.strip())
        for serial in serials:
            if not SERIAL_PATTERN.fullmatch(serial):
                fail("serials", f"{show(serial)} must be 1 to 40 printable ASCII characters, "
                                "no spaces")
                return None
        twice = sorted({s for s in serials if serials.count(s) > 1})
        if twice:
            fail("serials", f"{show(twice[0])} is listed twice")
            return None
        return serials

    def _check_serials(self, cells: Cells, item: ItemRef, base: int,
                       serials: tuple[str, ...]) -> None:
        if not item.serial_tracked:
            if serials:
                cells.fail("serials", f"{item.sku} is not serial-tracked: leave serials empty")
            return
        if len(serials) != base:
            cells.fail("serials", f"{item.sku} is serial-tracked: {base} {item.base_uom} need "
                                  f"{base} serial(s), {len(serials)} given")
            return
        for serial in serials:
            other = self.serial_rows.get((item.id, serial), cells.row.number)
            if other != cells.row.number:
                cells.fail("serials", f"serial {show(serial)} of {item.sku} is also on row "
                                      f"{other}")
                return

    def _lpn(self, uow: UnitOfWork, cells: Cells, lpn: str | None, sscc: str | None,
             location: LocationRef | None) -> str | None:
        """The LPN code the stock goes onto (an SSCC alone names its pallet by itself)."""
        if lpn is None and sscc is None:
            return None
        code = lpn or sscc
        assert code is not None
        if sscc is not None:
            if sscc not in self.ssccs:
                stored = uow.catalog.lpn_by_code(sscc)
                self.ssccs[sscc] = None if stored is None else stored.code
            owner = self.ssccs[sscc]
            if owner is not None and owner != code:
                if lpn is not None:
                    cells.fail("sscc", f"SSCC {sscc} is already on LPN {show(owner)}")
                    return None
                code = owner
            claimed = self.lpn_ssccs.get(sscc)
            if claimed is not None and claimed[0] != code and claimed[1] != cells.row.number:
                cells.fail("sscc", f"SSCC {sscc} is on LPN {show(claimed[0])} on row "
                                   f"{claimed[1]}")
                return None
        if location is None:
            return code
        place = self.lpn_places.get(code)
        if place is not None and place[0] != location.id and place[1] != cells.row.number:
            cells.fail("lpn", f"LPN {show(code)} is at another location on row {place[1]}")
            return None
        if (code, location.id) not in self.lpns_checked:
            stored_lpn = uow.catalog.lpn_by_code(code)
            if stored_lpn is not None:
                elsewhere = [r.key.location_id for r in uow.stock.balances_on_lpn(stored_lpn.id)
                             if r.quantity > 0 and r.key.location_id != location.id]
                if elsewhere:
                    where = uow.catalog.location(elsewhere[0]).code
                    cells.fail("lpn", f"LPN {show(code)} is at {show(where)} with stock on it")
                    return None
            self.lpns_checked.add((code, location.id))
        return code

    def _check_lot(self, uow: UnitOfWork, cells: Cells, item: ItemRef, lot: str,
                   expiry: date | None) -> None:
        if expiry is None:
            return
        first = self.lot_expiries.get((item.id, lot))
        if first is not None and first[0] != expiry and first[1] != cells.row.number:
            cells.fail("expiry", f"lot {show(lot)} of {item.sku} expires {first[0]} on row "
                                 f"{first[1]}, not {expiry}")
            return
        if (item.id, lot) not in self.stored_lots:
            lot_id = uow.stock.lot_id(item.id, lot, None, create=False)
            self.stored_lots[item.id, lot] = (
                None if lot_id is None else uow.stock.lot_expiry(lot_id))
        known = self.stored_lots[item.id, lot]
        if known is not None and known != expiry:
            cells.fail("expiry", f"lot {show(lot)} of {item.sku} expires {known}, not {expiry}")

    def _claim(self, number: int, item: ItemRef, location: LocationRef, lot: str | None,
               expiry: date | None, lpn: str | None, sscc: str | None,
               serials: tuple[str, ...]) -> None:
        """What a good row settles for the rows after it."""
        if lpn is not None:
            self.lpn_places.setdefault(lpn, (location.id, number))
        if sscc is not None and lpn is not None:
            self.lpn_ssccs.setdefault(sscc, (lpn, number))
        if lot is not None and expiry is not None:
            self.lot_expiries.setdefault((item.id, lot), (expiry, number))
        for serial in serials:
            self.serial_rows.setdefault((item.id, serial), number)
        self.serials_given = self.serials_given or bool(serials)


def _quantity(cells: Cells) -> Decimal | None:
    value = cells.raw("quantity")
    if value is None:
        return None
    if not value:
        cells.fail("quantity", "is empty")
        return None
    if len(value) > 15 or not _NUMBER.fullmatch(value):
        cells.fail("quantity", f"{show(value)} is not a number")
        return None
    number = Decimal(value)
    if number <= 0:
        cells.fail("quantity", f"must be more than 0, not {show(value)}")
        return None
    if number > MAX_QUANTITY:
        cells.fail("quantity", f"{show(value)} is more than {MAX_QUANTITY}")
        return None
    return number


def _sscc(cells: Cells) -> str | None:
    value = cells.text("sscc", max_length=18)
    if value is not None and not is_valid_sscc(value):
        cells.fail("sscc", f"{show(value)} is not an SSCC (18 digits with a right check digit)")
        return None
    return value


def _status(cells: Cells) -> StockStatus | None:
    value = cells.raw("status")
    if value is None:
        return None if "status" in cells.bad else StockStatus.AVAILABLE
    if not value:
        return StockStatus.AVAILABLE
    try:
        return StockStatus(value.lower())
    except ValueError:
        cells.fail("status", f"{show(value)} must be one of {STATUSES}")
        return None


class _BatchCommit:
    """The unit of work as exactly_once sees it inside a batch: the batch commits, once."""

    def __init__(self, uow: OpeningUnitOfWork) -> None:
        self._uow = uow

    @property
    def idempotency(self) -> IdempotencyStore:
        return self._uow.idempotency

    def commit(self) -> None:
        """Deferred: the key is still stored in the same transaction as its movement."""


UowFactory = Callable[[], OpeningUnitOfWork]


def import_opening_stock(
    uow_factory: UowFactory,
    actor: Actor,
    source: RowSource,
    *,
    dry_run: bool = False,
    partial: bool = False,
    allow_existing: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> OpeningReport:
    """Check every row, then post the good ones in batches (all of them, or with partial the
    ones without a problem); a row posted by an earlier run is skipped."""
    check_columns(CsvTable(source.source, source.columns, ()), REQUIRED, OPTIONAL)
    require(actor, Action.ADJUST)
    if not 1 <= batch_size <= MAX_BATCH:
        raise BadInput(f"batch size must be 1 to {MAX_BATCH}, not {batch_size}")
    report = OpeningReport(dry_run=dry_run, partial=partial)
    checker = _Checker(report.errors)
    bad = _check_all(uow_factory, source, checker, report, allow_existing, progress)
    report.sort_errors()
    report.rejected = len(bad)
    if (report.errors and not partial) or dry_run:
        return report
    if progress is not None:
        progress.stage("posting", report.valid)
    batch: list[CsvRow] = []
    for line in source.lines():
        if isinstance(line, BrokenRow) or line.number in bad:
            continue
        batch.append(line)
        if len(batch) >= batch_size:
            if not _post_batch(uow_factory, actor, checker, batch, report, progress):
                return report
            batch = []
    if batch:
        _post_batch(uow_factory, actor, checker, batch, report, progress)
    return report


def _check_all(uow_factory: UowFactory, source: RowSource, checker: _Checker,
               report: OpeningReport, allow_existing: bool,
               progress: Progress | None) -> set[int]:
    """Read every row once, recording every problem; the numbers of the rows that have one."""
    bad: set[int] = set()
    if progress is not None:
        progress.stage("checking", None)
    with uow_factory() as uow:
        if not uow.catalog.reason_exists(OPENING_REASON):
            raise BadInput(f"reason code {OPENING_REASON} is missing: run `wms db upgrade`")
        if not allow_existing and uow.stock.moved_besides(OPENING_REASON):
            raise BadInput(
                "this site already has stock movements other than opening stock: the file "
                "would add to the stock they left; pass --allow-existing if that is meant"
            )
        for line in source.lines():
            report.lines += 1
            if progress is not None:
                progress.advance(1)
            if isinstance(line, BrokenRow):
                report.errors.append(line.error)
                bad.add(line.number)
                continue
            checked = checker.line(uow, line)
            if checked is None:
                bad.add(line.number)
                continue
            report.valid += 1
            if report.dry_run and uow.idempotency.get(checked.key) is not None:
                report.already += 1
    return bad


def _post_batch(uow_factory: UowFactory, actor: Actor, checker: _Checker, rows: list[CsvRow],
                report: OpeningReport, progress: Progress | None) -> bool:
    """Post one batch in one transaction; False (with the error recorded) when a row fails."""
    current = [rows[0].number]

    def work() -> tuple[int, int]:
        posted = already = 0
        with uow_factory() as uow:
            for row in rows:
                current[0] = row.number
                before = len(report.errors)
                line = checker.line(uow, row)
                if line is None:
                    found = report.errors[before:]
                    del report.errors[before:]
                    raise BadInput(f"the file changed while it was imported ({found[0]})")
                if _post_line(uow, actor, line).replayed:
                    already += 1
                else:
                    posted += 1
            uow.commit()
        return posted, already

    try:
        posted, already = with_retry(work)
    except WmsError as exc:
        report.errors.append(f"row {current[0]}: {exc}")
        report.stopped_at = current[0]
        return False
    report.posted += posted
    report.already += already
    if progress is not None:
        progress.advance(len(rows))
    return True


def _post_line(uow: OpeningUnitOfWork, actor: Actor, line: OpeningLine) -> PostResult:
    def work() -> PostResult:
        ids = apply_in(uow, actor, line.command, line.key)
        return PostResult(confirmation=line.key, movement_ids=ids,
                          message=line.command.reference)

    return exactly_once(_BatchCommit(uow), actor.user_id, line.key, OPERATION, PostResult, work,
                        describe=lambda result: result.message)


__all__ = [
    "DEFAULT_BATCH", "MAX_BATCH", "OPENING_REASON", "OPTIONAL", "REQUIRED",
    "OpeningLine", "OpeningReport", "OpeningStockRepository", "OpeningUnitOfWork", "Progress",
    "import_opening_stock", "line_key",
]
