"""Inbound orders (ASN / PO): finding them by reference or pallet SSCC, receiving against their
lines, and importing them from CSV.

A receipt against an order line is one transaction: the stock posting (ledger row and balance)
and the line's received quantity change together or not at all, under one confirmation key.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, ClassVar, Protocol, cast

from wms_tui.domain import stock
from wms_tui.domain.checkdigits import is_valid_sscc
from wms_tui.domain.errors import (
    N_,
    BadInput,
    InvalidQuantity,
    NotFound,
    ScanRejected,
)
from wms_tui.domain.importing import Cells
from wms_tui.domain.model import (
    Actor,
    ItemRef,
    LocationRef,
    LocationType,
    LpnRef,
    StockStatus,
)
from wms_tui.domain.order_import import (
    ISO_DATE,
    MAX_REFERENCE,
    Fail,
    OrderKind,
    OrderRow,
    date_cell,
    order_import,
)
from wms_tui.domain.over_receipt import (
    OVER_RECEIPT_KIND,
    OVER_RECEIPT_REASONS,
    OverReceiptReason,
    over_receipt_reason,
)
from wms_tui.domain.permissions import Action, can, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.scan import normalize_scan, parse_gs1
from wms_tui.domain.units import to_base_units

BLIND_REFERENCE = "BLIND"
# Words the RF receive screen reads as commands, so no order may be called by them.
RESERVED_REFERENCES = frozenset({"BLIND", "LPN"})
# Units that are a whole pallet: each such receipt goes onto its own LPN.
PALLET_UNITS = frozenset({"PL", "PAL", "PLT", "PALLET"})
LPN_PREFIX = "LPN"
LPN_DIGITS = 7
MAX_TOLERANCE_PCT = 1000
# Lots are scanned (GS1 AI 10) or keyed: printable ASCII without spaces, as the lot table holds.
LOT_PATTERN = re.compile(r"[!-~]{1,20}")

ORDER_OPTIONAL = (
    "supplier", "expected_date", "uom", "tolerance_pct", "lot", "sscc", "order_sscc",
)


class InboundStatus(enum.StrEnum):
    OPEN = "open"
    RECEIVING = "receiving"
    CLOSED = "closed"


class OverReceipt(InvalidQuantity):
    """More than a line's tolerance allows, by someone who may not approve over-receipts."""


class UnconfirmedOverReceipt(InvalidQuantity):
    """More than a line's tolerance allows, by a supervisor who gave no over-receipt reason."""


@dataclass(frozen=True)
class InboundOrderRef:
    id: int
    reference: str
    supplier: str
    status: InboundStatus
    sscc: str | None = None
    expected_date: date | None = None


@dataclass(frozen=True)
class InboundLineRef:
    """One order line; quantities are in the item's base unit."""

    id: int
    order_id: int
    line_no: int
    item_id: int
    sku: str
    base_uom: str
    quantity: int
    received: int = 0
    tolerance_pct: int = 0
    lot: str | None = None
    sscc: str | None = None

    @property
    def remaining(self) -> int:
        return max(self.quantity - self.received, 0)

    @property
    def allowance(self) -> int:
        """The most this line may receive in total, tolerance included (rounded down)."""
        return self.quantity + self.quantity * self.tolerance_pct // 100

    @property
    def room(self) -> int:
        """How much more may be received before it is an over-receipt."""
        return max(self.allowance - self.received, 0)


@dataclass(frozen=True)
class InboundOrderSpec:
    """An order header as an import file describes it; the reference is its key."""

    reference: str
    supplier: str = ""
    expected_date: date | None = None
    sscc: str | None = None


@dataclass(frozen=True)
class InboundLineSpec:
    """An order line as an import file describes it; (reference, line_no) is its key."""

    line_no: int
    item_id: int
    quantity: int
    tolerance_pct: int = 0
    lot: str | None = None
    sscc: str | None = None


@dataclass(frozen=True)
class OrderMatch:
    """The order a scan named, and the pallet SSCC when it was found by one."""

    order: InboundOrderRef
    sscc: str | None = None


@dataclass(frozen=True)
class ReceiveLine:
    """Receive one item quantity, against an order line or (order_id None) blind.

    location_id is the dock the operator stands at (None: the first dock). sscc puts the
    stock on that pallet, lpn on an existing or named LPN, new_lpn on a freshly numbered
    one; a pallet-unit receipt without any of them always gets a fresh LPN.
    """

    item_id: int
    quantity: int | str
    uom: str | None = None
    order_id: int | None = None
    line_id: int | None = None
    location_id: int | None = None
    lot: str | None = None
    expiry: date | None = None
    sscc: str | None = None
    lpn: str | None = None
    new_lpn: bool = False
    # An over-receipt reason code (domain.over_receipt): needed beyond the line's allowance.
    reason_code: str | None = None


@dataclass(frozen=True)
class Receipt:
    """What one receive confirmation did; a resubmitted key returns this same value."""

    confirmation: str
    movement_ids: list[int]
    sku: str
    quantity: int
    base_uom: str
    location: str
    status: StockStatus
    lpn: str | None = None
    line_received: int | None = None
    order_status: InboundStatus | None = None
    replayed: bool = False


class InboundRepository(Protocol):
    """Inbound orders and lines; it never commits."""

    def order(self, order_id: int) -> InboundOrderRef: ...
    def order_by_reference(self, reference: str) -> InboundOrderRef | None: ...
    def orders_by_sscc(self, sscc: str) -> list[InboundOrderRef]:
        """Orders announcing this pallet SSCC on the order or on any of its lines."""
        ...
    def lines(self, order_id: int) -> list[InboundLineRef]:
        """The order's lines by line number."""
        ...
    def add_received(self, line_id: int, quantity: int, limit: int | None) -> bool:
        """Add to a line's received quantity unless that would pass limit; False if it would."""
        ...
    def set_status(self, order_id: int, status: InboundStatus) -> None: ...
    def save_order(self, spec: InboundOrderSpec) -> int:
        """Insert the order (status open) or update the header of the one with this reference."""
        ...
    def save_line(self, order_id: int, spec: InboundLineSpec) -> None:
        """Insert the line or update the one with this line number; received is kept."""
        ...
    def first_location(self, kind: LocationType) -> LocationRef | None:
        """The active location of this type first in walk sequence (the default dock, QC)."""
        ...
    def next_lpn_code(self) -> str:
        """An unused LPN code: LPN + zero-padded sequence."""
        ...
    def ensure_reason(self, reason: OverReceiptReason, kind: str) -> None:
        """Add the reason code unless it exists (an existing one is kept as it is)."""
        ...


class InboundUnitOfWork(UnitOfWork, Protocol):
    inbound: InboundRepository


UowFactory = Callable[[], InboundUnitOfWork]


# Rules shared by the RF flow and the posting.


def is_pallet_unit(uom: str | None) -> bool:
    return uom is not None and uom.upper() in PALLET_UNITS


def valid_lot(text: str) -> bool:
    return LOT_PATTERN.fullmatch(text) is not None


def parse_expiry(text: str, today: date) -> date | None:
    """YYMMDD as GS1 reads it, or YYYY-MM-DD; None if it is not a real date.

    GS1's rules for YYMMDD: the century puts the year within 49 years back and 50 ahead of
    today's, and day 00 means the last day of the month.
    """
    text = text.strip()
    try:
        if ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if len(text) == 6 and text.isascii() and text.isdigit():
            year = today.year - today.year % 100 + int(text[:2])
            if year - today.year >= 51:
                year -= 100
            elif year - today.year <= -50:
                year += 100
            month, day = int(text[2:4]), int(text[4:])
            if day == 0 and 1 <= month <= 12:
                following = date(year + month // 12, month % 12 + 1, 1)
                return date.fromordinal(following.toordinal() - 1)
            return date(year, month, day)
    except ValueError:
        return None
    return None


def choose_line(
    lines: Sequence[InboundLineRef], item_id: int, lot: str | None = None,
    sscc: str | None = None,
) -> InboundLineRef | None:
    """The line a receipt of this item counts against: one with quantity left first, then
    one announcing this pallet and lot (ASN pallet and lot are advice, never a refusal)."""
    candidates = [ln for ln in lines if ln.item_id == item_id]
    if not candidates:
        return None

    def rank(line: InboundLineRef) -> tuple[bool, bool, bool, int]:
        other_pallet = sscc is not None and line.sscc is not None and line.sscc != sscc
        other_lot = lot is not None and line.lot is not None and line.lot != lot
        return (line.remaining == 0, other_pallet, other_lot, line.line_no)

    return min(candidates, key=rank)


def quantity_in(base_quantity: int, uom: str, factor: int, base_uom: str) -> str:
    """A base quantity shown in the scanned unit when it divides evenly, else in base units."""
    if factor > 1 and base_quantity % factor == 0:
        return f"{base_quantity // factor} {uom}"
    return f"{base_quantity} {base_uom}"


# Finding orders.


def find_order(
    uow: InboundUnitOfWork, raw: str, separator: str | None = None
) -> OrderMatch | None:
    """The order whose reference a scan is, or whose pallet SSCC it carries; None if neither.

    Raises ScanRejected for a malformed scan or an SSCC announced on several open orders.
    """
    scan = normalize_scan(raw, separator=separator)
    text = scan.text.strip().upper()
    if 0 < len(text) <= MAX_REFERENCE:
        order = uow.inbound.order_by_reference(text)
        if order is not None:
            return OrderMatch(order)
    gs1 = parse_gs1(scan)
    if gs1 is None or gs1.sscc is None:
        return None
    orders = uow.inbound.orders_by_sscc(gs1.sscc)
    open_orders = [o for o in orders if o.status != InboundStatus.CLOSED] or orders
    if len(open_orders) > 1:
        refs = ", ".join(o.reference for o in open_orders[:3])
        raise ScanRejected(N_("SSCC {sscc} is on orders {refs}: scan the order"),
                           sscc=gs1.sscc, refs=refs)
    return OrderMatch(open_orders[0], gs1.sscc) if open_orders else None


def open_lines(uow: InboundUnitOfWork, order_id: int) -> list[InboundLineRef]:
    """Lines with quantity still to receive."""
    return [line for line in uow.inbound.lines(order_id) if line.remaining > 0]


# Receiving.


def receive_line(
    uow_factory: UowFactory,
    actor: Actor,
    command: ReceiveLine,
    key: str | None = None,
    *,
    today: date | None = None,
) -> Receipt:
    """Post one receipt and its order-line progress in one transaction, exactly once per key."""
    key = key or stock.new_confirmation_key()
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")
    require(actor, Action.RECEIVE)
    if command.order_id is None:
        require(actor, Action.RECEIVE_BLIND)
    if command.lot is not None and not valid_lot(command.lot):
        raise BadInput(N_("lot {lot!r} must be 1-20 printable characters, no spaces"),
                       lot=command.lot[:20])
    if command.expiry is not None and command.expiry < (today or date.today()):
        raise BadInput(N_("expiry {expiry} is in the past"), expiry=command.expiry)
    if command.reason_code is not None and over_receipt_reason(command.reason_code) is None:
        raise BadInput(N_("{code} is not an over-receipt reason ({codes})"),
                       code=command.reason_code[:12],
                       codes=", ".join(r.code for r in OVER_RECEIPT_REASONS))
    return stock.with_retry(lambda: _receive_once(uow_factory(), actor, command, key))


def _receive_once(
    uow: InboundUnitOfWork, actor: Actor, cmd: ReceiveLine, key: str
) -> Receipt:
    with uow:
        stored = uow.idempotency.get(key)
        if stored is not None:
            return _replayed(stored)
        item = uow.catalog.item(cmd.item_id)
        qty = to_base_units(cmd.quantity, cmd.uom, item.base_uom, uow.catalog.units(item.id))
        # Lots and dates of items that do not track them would only split balances.
        lot = cmd.lot if item.lot_tracked else None
        expiry = cmd.expiry if item.expiry_tracked else None
        order, line, limit = _order_line(uow, actor, cmd, item, qty, lot)
        location, status = _destination(uow, cmd, item)
        lpn, sscc = _pallet(uow, cmd, location)
        # No limit on an order line means an over-receipt the supervisor gave a reason for.
        over = line is not None and limit is None
        reason = over_receipt_reason(cmd.reason_code or "") if over else None
        if reason is not None:
            uow.inbound.ensure_reason(reason, OVER_RECEIPT_KIND)
        receive = stock.Receive(
            item.id, qty, location.id, order.reference if order else BLIND_REFERENCE,
            lot=lot, expiry=expiry, lpn=lpn, sscc=sscc, status=status,
            reason_code=reason.code if reason else None,
            approved_by=actor.user_id if reason else None,
        )
        # stock.apply_in is the posting core without its own transaction, so the line
        # progress below commits (or rolls back) together with the ledger row.
        movement_ids = stock.apply_in(uow, actor, receive, key)
        line_received = order_status = None
        if order is not None and line is not None:
            if not uow.inbound.add_received(line.id, qty, limit):
                raise _over_receipt(order, line, qty)
            lines = uow.inbound.lines(order.id)
            done = all(ln.received >= ln.quantity for ln in lines)
            order_status = InboundStatus.CLOSED if done else InboundStatus.RECEIVING
            if order_status != order.status:
                uow.inbound.set_status(order.id, order_status)
            line_received = next(ln.received for ln in lines if ln.id == line.id)
        receipt = Receipt(
            confirmation=key, movement_ids=movement_ids, sku=item.sku, quantity=qty,
            base_uom=item.base_uom, location=location.code, status=status, lpn=lpn,
            line_received=line_received, order_status=order_status,
        )
        uow.idempotency.put(key, actor.user_id, "receive", _dump(receipt, receive.reference))
        uow.commit()
        return receipt


def _order_line(
    uow: InboundUnitOfWork, actor: Actor, cmd: ReceiveLine, item: ItemRef, qty: int,
    lot: str | None,
) -> tuple[InboundOrderRef | None, InboundLineRef | None, int | None]:
    """The order and line a receipt counts against, and the received limit (None: no limit)."""
    if cmd.order_id is None:
        return None, None, None
    order = uow.inbound.order(cmd.order_id)
    if order.status == InboundStatus.CLOSED:
        raise BadInput(N_("order {ref} is closed"), ref=order.reference)
    lines = uow.inbound.lines(order.id)
    if cmd.line_id is not None:
        line = next((ln for ln in lines if ln.id == cmd.line_id), None)
    else:
        line = choose_line(lines, item.id, lot, cmd.sscc)
    if line is None or line.item_id != item.id:
        raise NotFound(N_("{sku} is not on order {ref}"), sku=item.sku, ref=order.reference)
    if line.received + qty <= line.allowance:
        return order, line, line.allowance
    if not can(actor.role, Action.OVER_RECEIPT):
        raise _over_receipt(order, line, qty)
    if cmd.reason_code is None:
        raise UnconfirmedOverReceipt(
            N_("over-receipt: {qty} {uom} of {sku} is {over} over line {line} of {ref}; "
               "confirm it with a reason"),
            qty=qty, uom=line.base_uom, sku=line.sku, over=qty - line.room, line=line.line_no,
            ref=order.reference)
    return order, line, None


def _over_receipt(order: InboundOrderRef, line: InboundLineRef, qty: int) -> OverReceipt:
    return OverReceipt(
        N_("over-receipt: line {line} of {ref} takes {room} {uom} more of {sku}, not {qty} "
           "(a supervisor may allow it)"),
        line=line.line_no, ref=order.reference, room=line.room, uom=line.base_uom,
        sku=line.sku, qty=qty,
    )


def _destination(
    uow: InboundUnitOfWork, cmd: ReceiveLine, item: ItemRef
) -> tuple[LocationRef, StockStatus]:
    """Items needing inspection go on QC hold, in the QC area when there is one."""
    status = StockStatus.QC_HOLD if item.requires_qc else StockStatus.AVAILABLE
    location = uow.inbound.first_location(LocationType.QC) if item.requires_qc else None
    if location is None and cmd.location_id is not None:
        location = uow.catalog.location(cmd.location_id)
    if location is None:
        location = uow.inbound.first_location(LocationType.DOCK)
    if location is None:
        raise NotFound(N_("there is no dock location to receive into"))
    return location, status


def _pallet(
    uow: InboundUnitOfWork, cmd: ReceiveLine, location: LocationRef
) -> tuple[str | None, str | None]:
    """The LPN code (and SSCC) the stock goes onto, or (None, None) for loose stock."""
    if cmd.sscc is not None:
        if not is_valid_sscc(cmd.sscc):
            raise BadInput(N_("SSCC {sscc!r} is not 18 digits with a right check digit"),
                           sscc=cmd.sscc[:20])
        existing = uow.catalog.lpn_by_code(cmd.sscc)
        if existing is None:
            return cmd.sscc, cmd.sscc
        _check_lpn_here(uow, existing, location)
        return existing.code, existing.sscc
    if cmd.lpn is not None:
        existing = uow.catalog.lpn_by_code(cmd.lpn)
        if existing is not None:
            _check_lpn_here(uow, existing, location)
            return existing.code, None
        if not 0 < len(cmd.lpn) <= 30 or not cmd.lpn.isprintable():
            raise BadInput(N_("LPN code {code!r} must be 1-30 printable characters"),
                           code=cmd.lpn[:30])
        return cmd.lpn, None
    if cmd.new_lpn or is_pallet_unit(cmd.uom):
        return uow.inbound.next_lpn_code(), None
    return None, None


def _check_lpn_here(uow: InboundUnitOfWork, lpn: LpnRef, location: LocationRef) -> None:
    if lpn.location_id is None:
        uow.stock.set_lpn_location(lpn.id, location.id)
    elif lpn.location_id != location.id:
        where = uow.catalog.location(lpn.location_id).code
        raise BadInput(N_("LPN {code} is at {where}, not at {loc}"),
                       code=lpn.code, where=where, loc=location.code)


def _dump(receipt: Receipt, reference: str) -> str:
    data = asdict(replace(receipt, replayed=False))
    # "message" keeps the record readable by RfServices.posted(), as stock.post's are.
    data["message"] = f"receive {reference}"
    return json.dumps(data, default=str)


def _replayed(stored: str) -> Receipt:
    data = json.loads(stored)
    order_status = data.get("order_status")
    return Receipt(
        confirmation=data["confirmation"], movement_ids=list(data["movement_ids"]),
        sku=data["sku"], quantity=data["quantity"], base_uom=data["base_uom"],
        location=data["location"], status=StockStatus(data["status"]), lpn=data["lpn"],
        line_received=data["line_received"],
        order_status=InboundStatus(order_status) if order_status else None, replayed=True,
    )


# Importing orders.


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
        if "sscc" in columns:
            fields["sscc"] = _sscc_cell(cells, "sscc")
        return fields

    def check_row(self, row: OrderRow, fail: Fail) -> None:
        """One order per pallet SSCC, in the file and in the database."""
        ssccs = [s for s in (row.header.get("sscc"), row.fields.get("sscc")) if s]
        for sscc in ssccs:
            owner = self.ssccs.setdefault(sscc, (row.reference, row.number))
            if owner[0] != row.reference:
                fail(row, "sscc", f"SSCC {sscc} is also on row {owner[1]} (order {owner[0]})")
        for sscc in ssccs:
            others = [o.reference for o in self.inbound.orders_by_sscc(sscc)
                      if o.reference != row.reference]
            if others:
                fail(row, "sscc", f"SSCC {sscc} is already announced on order {others[0]}")

    def new_header(self, reference: str) -> InboundOrderSpec:
        return InboundOrderSpec(reference)

    def stored_header(self, order: InboundOrderRef) -> InboundOrderSpec:
        return InboundOrderSpec(order.reference, order.supplier, order.expected_date, order.sscc)

    def stored_line(self, line: InboundLineRef) -> InboundLineSpec:
        return InboundLineSpec(line.line_no, line.item_id, line.quantity, line.tolerance_pct,
                               line.lot, line.sscc)

    def line_spec(self, row: OrderRow, stored: InboundLineRef | None) -> InboundLineSpec:
        kept = {} if stored is None else {
            "tolerance_pct": stored.tolerance_pct, "lot": stored.lot, "sscc": stored.sscc}
        return InboundLineSpec(row.line_no, row.item.id, row.quantity, **{**kept, **row.fields})

    def check_line(
        self, row: OrderRow, stored: InboundLineRef, new: InboundLineSpec, fail: Fail
    ) -> None:
        """A line with receipts keeps its item and cannot drop below what was received."""
        if stored.received <= 0:
            return
        if stored.item_id != new.item_id:
            fail(row, "sku", f"line {row.line_no} of {row.reference} already has "
                 f"receipts of {stored.sku}; its item cannot change")
        elif new.quantity < stored.received:
            fail(row, "quantity", f"{new.quantity} {stored.base_uom} is below the "
                 f"{stored.received} {stored.base_uom} already received")

    def frozen(self, order: InboundOrderRef) -> bool:
        return order.status == InboundStatus.CLOSED


# Upserts inbound orders and lines by (reference, line_no) (docs/import-inbound.md); a closed
# order cannot change.
import_inbound_orders = order_import(_InboundOrders)


# Services for the RF receive flow.


class InboundServicesMixin:
    """The receive flow's services (flows.receive.ReceiveServices) over WarehouseServices."""

    uow_factory: Callable[[], UnitOfWork]
    read_factory: Callable[[], UnitOfWork]
    separator: str | None

    def _inbound_uow(self, factory: Callable[[], UnitOfWork]) -> InboundUnitOfWork:
        # The SQL unit of work carries .inbound; ports.UnitOfWork does not name it (yet).
        return cast(InboundUnitOfWork, factory())

    def find_order(self, raw: str) -> OrderMatch | None:
        with self._inbound_uow(self.read_factory) as uow:
            return find_order(uow, raw, self.separator)

    def order_lines(self, order_id: int) -> list[InboundLineRef]:
        with self._inbound_uow(self.read_factory) as uow:
            return uow.inbound.lines(order_id)

    def orders_with_sscc(self, sscc: str) -> list[InboundOrderRef]:
        with self._inbound_uow(self.read_factory) as uow:
            return uow.inbound.orders_by_sscc(sscc)

    def receive(self, actor: Actor, command: ReceiveLine, key: str) -> Receipt:
        return receive_line(lambda: self._inbound_uow(self.uow_factory), actor, command, key,
                            today=self.today())

    def today(self) -> date:
        """The warehouse's date, which expiry dates are checked against."""
        return date.today()
