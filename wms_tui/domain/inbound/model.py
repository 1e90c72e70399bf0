"""Inbound's values: orders and lines as stored and as an import file describes them, a receipt
command and what it did, and the refusals an over-receipt gets."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from wms_tui.domain.errors import InvalidQuantity
from wms_tui.domain.model import StockStatus

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
    "supplier", "expected_date", "uom", "tolerance_pct", "lot", "expiry", "sscc", "order_sscc",
)


class InboundStatus(enum.StrEnum):
    OPEN = "open"
    RECEIVING = "receiving"
    CLOSED = "closed"
    CANCELLED = "cancelled"


# Orders nothing more can be received against: received in full or cancelled by a supervisor.
FINAL_INBOUND_STATUSES = frozenset({InboundStatus.CLOSED, InboundStatus.CANCELLED})


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
    # The lot's expiry as announced (an ASN's); None when nothing was announced.
    expiry: date | None = None

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
    expiry: date | None = None


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
    # One serial per base unit of a serial-tracked item (domain.serials).
    serials: tuple[str, ...] = ()


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

