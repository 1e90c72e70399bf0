"""Pack, ship and return values: cartons and what they hold, shipments, returns, settings.

Quantities are in the item's base unit; weights in kilograms, to the gram.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from wms_tui.domain.checkdigits import is_ascii_digits, make_sscc
from wms_tui.domain.errors import N_, BadInput
from wms_tui.domain.model import StockStatus

SHIPMENT_PREFIX = "SH"
RETURN_PREFIX = "RT"
CODE_DIGITS = 5
MAX_CARTON_TYPE = 12
# A carton on a hand truck weighs less than this; more is a keying slip (or a pallet).
MAX_CARTON_KG = Decimal("9999.999")
GRAM = Decimal("0.001")
RETURN_REASON = "RETURN"
SCRAP_REASON = "SCRAP"


class CartonStatus(enum.StrEnum):
    PACKED = "packed"
    LOADED = "loaded"
    SHIPPED = "shipped"


class ShipmentStatus(enum.StrEnum):
    OPEN = "open"
    SHIPPED = "shipped"


class WeightSource(enum.StrEnum):
    KEYED = "keyed"
    # A GS1 weight AI (310n/320n/330n/340n) scanned from a label.
    SCAN = "scan"
    SCALE = "scale"


class Disposition(enum.StrEnum):
    """What becomes of a returned line: back to stock, held for QC, or scrapped."""

    RESTOCK = "restock"
    QC_HOLD = "qc_hold"
    SCRAP = "scrap"


# The status a returned line is received in; scrap is received damaged, then adjusted out.
RETURN_STATUS = {
    Disposition.RESTOCK: StockStatus.AVAILABLE,
    Disposition.QC_HOLD: StockStatus.QC_HOLD,
    Disposition.SCRAP: StockStatus.DAMAGED,
}


@dataclass(frozen=True)
class SsccSettings:
    """How this site numbers SSCCs: the extension digit and its GS1 company prefix."""

    prefix: str
    extension: str = "0"

    def __post_init__(self) -> None:
        if not (is_ascii_digits(self.prefix) and 4 <= len(self.prefix) <= 12):
            raise BadInput(N_("GS1 company prefix must be 4 to 12 digits, not {prefix}"),
                           prefix=self.prefix[:20])
        if not (is_ascii_digits(self.extension) and len(self.extension) == 1):
            raise BadInput(N_("SSCC extension must be one digit, not {ext}"),
                           ext=self.extension[:20])

    def sscc(self, serial: int) -> str:
        try:
            return make_sscc(self.prefix, serial, self.extension)
        except ValueError:
            raise BadInput(N_("every SSCC serial under company prefix {prefix} is used"),
                           prefix=self.prefix) from None


def carton_weight(kilograms: Decimal) -> Decimal:
    """A carton's weight as stored: kilograms to the gram, above zero and plausible."""
    if not kilograms.is_finite() or kilograms <= 0:
        raise BadInput(N_("weight must be more than 0 kg"))
    grams = kilograms.quantize(GRAM, rounding=ROUND_HALF_UP)
    if grams <= 0 or grams > MAX_CARTON_KG:
        raise BadInput(N_("weight {kg} kg is not a carton's weight"), kg=f"{kilograms:f}"[:20])
    return grams


def carton_type(text: str) -> str:
    code = text.strip().upper()
    if not code or len(code) > MAX_CARTON_TYPE or not (code.isascii() and code.isprintable()):
        raise BadInput(N_("carton type is a code of 1 to 12 characters, not {code!r}"),
                       code=text[:20])
    return code


@dataclass(frozen=True)
class PackRequest:
    """Units the packer put in the carton: an item (SKU or any code), optionally its lot and
    serials; quantity in base units."""

    item: str
    quantity: int
    lot: str | None = None
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToteStock:
    """One item and lot in a tote, as packing sees it."""

    item_id: int
    lot_id: int | None
    quantity: int
    expiry: date | None = None
    lot: str | None = None


@dataclass(frozen=True)
class LineRoom:
    """An order line and how many of its picked units are not packed yet."""

    line_id: int
    line_no: int
    item_id: int
    room: int


@dataclass(frozen=True)
class PackChunk:
    """Units of one item and lot packed against one order line."""

    item_id: int
    lot_id: int | None
    line_id: int
    quantity: int


@dataclass(frozen=True)
class CartonLineRef:
    id: int
    order_line_id: int
    line_no: int
    item_id: int
    sku: str
    description: str
    base_uom: str
    quantity: int
    lot_id: int | None = None
    lot: str | None = None
    expiry: date | None = None
    serials: tuple[str, ...] = ()
    ship_movement_id: int | None = None


@dataclass(frozen=True)
class CartonRef:
    id: int
    sscc: str
    lpn_id: int
    order_id: int
    order_ref: str
    customer: str
    tote: str
    carton_type: str
    status: CartonStatus
    location_id: int | None = None
    location: str | None = None
    weight_kg: Decimal | None = None
    weight_source: WeightSource | None = None
    shipment_id: int | None = None
    shipment: str | None = None
    lines: tuple[CartonLineRef, ...] = ()


@dataclass(frozen=True)
class ShipmentRef:
    id: int
    code: str
    dock_id: int
    dock: str
    status: ShipmentStatus
    created_at: datetime
    shipped_at: datetime | None = None


@dataclass(frozen=True)
class PackExceptionRef:
    order_ref: str
    tote: str
    sku: str
    quantity: int
    uom: str
    reason: str
    user: str
    lot: str | None = None


@dataclass(frozen=True)
class OrderLeft:
    """An order line on a shipment's orders and what of it has not shipped."""

    order_ref: str
    line_no: int
    sku: str
    uom: str
    quantity: int
    picked: int
    packed: int
    shipped: int
    short: int

    @property
    def left(self) -> int:
        return self.quantity - self.shipped - self.short


@dataclass(frozen=True)
class ShipmentView:
    """`wms ship show`: the shipment, its cartons, the packed cartons of its orders not on it,
    the orders' lines with what is left, and pack exceptions."""

    shipment: ShipmentRef
    cartons: tuple[CartonRef, ...]
    unloaded: tuple[CartonRef, ...]
    lines: tuple[OrderLeft, ...]
    exceptions: tuple[PackExceptionRef, ...] = ()


@dataclass(frozen=True)
class ShipmentRow:
    """One shipment in `wms ship list`."""

    code: str
    dock: str
    status: ShipmentStatus
    cartons: int
    orders: str
    weight_kg: Decimal | None
    created_at: datetime
    shipped_at: datetime | None = None


@dataclass(frozen=True)
class ReturnLineRequest:
    item: str
    quantity: int
    disposition: Disposition
    lot: str | None = None
    expiry: date | None = None
    serials: tuple[str, ...] = ()


# Results, stored with their confirmation key (once.exactly_once): flat fields only.


@dataclass(frozen=True)
class PackResult:
    confirmation: str
    sscc: str
    tote: str
    order: str
    location: str
    movement_ids: list[int]
    units: int
    weight_kg: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class ShortResult:
    confirmation: str
    tote: str
    order: str
    sku: str
    quantity: int
    reason: str
    replayed: bool = False


@dataclass(frozen=True)
class ShipmentCreated:
    confirmation: str
    shipment: str
    dock: str
    replayed: bool = False


@dataclass(frozen=True)
class LoadResult:
    confirmation: str
    shipment: str
    ssccs: list[str]
    movement_ids: list[int]
    replayed: bool = False


@dataclass(frozen=True)
class ShipResult:
    confirmation: str
    shipment: str
    ssccs: list[str]
    movement_ids: list[int]
    shipped_orders: list[str]
    # One line per order line still open after this shipment: "SO-1 line 2 WIDGET 3 EA left".
    left: list[str]
    # Packed cartons of these orders that stayed behind (confirmed with allow_unloaded).
    unloaded: list[str]
    replayed: bool = False


@dataclass(frozen=True)
class ReturnResult:
    confirmation: str
    code: str
    order: str | None
    movement_ids: list[int]
    lines: list[str]
    replayed: bool = False
