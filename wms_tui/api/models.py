"""The documents the API reads and writes, as they appear in /openapi.json.

Requests refuse unknown fields and values of the wrong JSON type; the warehouse's own rules
(codes, units, GTIN check digits, what an order may still change) are the imports' rules,
checked by the same code as `wms … import`, and reported by row and field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

Text = Annotated[str, Field(max_length=200)]
MAX_ROWS = 10_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Master data.


class UnitIn(Strict):
    """A unit of measure of an item: how many base units it holds, and its barcodes."""

    uom: Annotated[str, Field(min_length=1, max_length=8, examples=["CS"])]
    factor: Annotated[StrictInt, Field(ge=1, le=10**6)] | None = None
    gtin: Annotated[str, Field(max_length=14, examples=["19501101530000"])] | None = None
    barcode: Annotated[str, Field(max_length=48)] | None = None


class ItemIn(Strict):
    """An item, upserted by SKU; a field no item of the request sets keeps its stored value."""

    sku: Annotated[str, Field(min_length=1, max_length=40, examples=["WIDGET"])]
    description: Annotated[str, Field(max_length=120)]
    base_uom: Annotated[str, Field(min_length=1, max_length=8, examples=["EA"])]
    lot_tracked: StrictBool | None = None
    expiry_tracked: StrictBool | None = None
    serial_tracked: StrictBool | None = None
    requires_qc: StrictBool | None = None
    abc_class: Literal["A", "B", "C"] | None = None
    min_qty: Annotated[StrictInt, Field(ge=0, le=10**9)] | None = None
    max_qty: Annotated[StrictInt, Field(ge=0, le=10**9)] | None = None
    zone: Annotated[str, Field(max_length=20)] | None = None
    unit_cost: Annotated[str, Field(max_length=16, examples=["12.50"])] | None = None
    aliases: Annotated[list[Annotated[str, Field(max_length=48)]], Field(max_length=20)] = []
    units: Annotated[list[UnitIn], Field(max_length=20)] = []


class LocationIn(Strict):
    """A location, upserted by code; its zone is created in the default warehouse if new."""

    code: Annotated[str, Field(min_length=1, max_length=30, examples=["A-01-02-1"])]
    type: Annotated[str, Field(max_length=12, examples=["reserve"])]
    zone: Annotated[str, Field(max_length=20, examples=["RES"])]
    walk_seq: Annotated[StrictInt, Field(ge=0, le=10**9)]
    barcode: Annotated[str, Field(max_length=40)] | None = None
    aisle: Annotated[str, Field(max_length=20)] | None = None
    bay: Annotated[str, Field(max_length=20)] | None = None
    level: Annotated[str, Field(max_length=20)] | None = None
    capacity: Annotated[StrictInt, Field(ge=0, le=10**9)] | None = None


class UserIn(Strict):
    """A user, upserted by user ID, never with a PIN: a new user gets a random one nobody
    knows, so it signs in only after `wms user reset-pin`."""

    login: Annotated[str, Field(min_length=1, max_length=20, examples=["OP7"])]
    name: Annotated[str, Field(max_length=80)] | None = None
    role: Literal["operator", "supervisor", "admin"] | None = None
    language: Literal["en", "zh_CN"] | None = None
    active: StrictBool | None = None


class ImportOut(BaseModel):
    """What a bulk upsert did; with partial=true, rejected rows are in errors."""

    what: str
    rows: int
    created: int
    updated: int
    unchanged: int
    imported: int | None = None
    rejected: list[str] = []
    errors: list[dict[str, object]] = []
    notes: list[str] = []
    notes_cut: bool = False


# Orders.


class OutboundLineIn(Strict):
    line_no: Annotated[StrictInt, Field(ge=1, le=9999)]
    sku: Annotated[str, Field(min_length=1, max_length=48, description="SKU, alias or GTIN")]
    quantity: Annotated[StrictInt, Field(ge=1, le=10**9)]
    uom: Annotated[str, Field(max_length=8, description="default: the item's base unit")] | None \
        = None


class OutboundOrderIn(Strict):
    """A customer order; its reference is its key."""

    reference: Annotated[str, Field(min_length=1, max_length=40, examples=["SO-1001"])]
    customer: Annotated[str, Field(max_length=80)] | None = None
    ship_date: date | None = None
    priority: Annotated[StrictInt, Field(ge=1, le=9)] | None = None
    lines: Annotated[list[OutboundLineIn], Field(min_length=1, max_length=MAX_ROWS)]


class InboundLineIn(Strict):
    line_no: Annotated[StrictInt, Field(ge=1, le=9999)]
    sku: Annotated[str, Field(min_length=1, max_length=48, description="SKU, alias or GTIN")]
    quantity: Annotated[StrictInt, Field(ge=1, le=10**9)]
    uom: Annotated[str, Field(max_length=8)] | None = None
    tolerance_pct: Annotated[StrictInt, Field(ge=0, le=1000)] | None = None
    lot: Annotated[str, Field(max_length=20)] | None = None
    expiry: date | None = Field(None, description="the lot's expiry as announced")
    sscc: Annotated[str, Field(max_length=18, description="the pallet this line arrives on")] \
        | None = None


class InboundOrderIn(Strict):
    """An ASN or purchase order; its reference is its key."""

    reference: Annotated[str, Field(min_length=1, max_length=40, examples=["PO-77"])]
    supplier: Annotated[str, Field(max_length=80)] | None = None
    expected_date: date | None = None
    sscc: Annotated[str, Field(max_length=18, description="the whole order's pallet")] \
        | None = None
    lines: Annotated[list[InboundLineIn], Field(min_length=1, max_length=MAX_ROWS)]


class CancelIn(Strict):
    reason: Annotated[str, Field(max_length=120)] | None = None
    picked: Literal["return-to-stock", "keep"] | None = Field(
        None, description="outbound only: what happens to units already picked")
    to_location: Annotated[str, Field(max_length=30)] | None = Field(
        None, description="with picked=return-to-stock: where they go")


class OrderWritten(BaseModel):
    kind: Literal["inbound", "outbound"]
    reference: str
    status: str
    lines: int = 0
    created: bool = False


class CancelOut(BaseModel):
    kind: Literal["inbound", "outbound"]
    reference: str
    status: str
    tasks_cancelled: int = 0
    released: int = 0
    picked: int = 0
    returned: int = 0


class OrderLineOut(BaseModel):
    line_no: int
    sku: str
    uom: str
    ordered: int
    allocated: int | None = None
    picked: int | None = None
    short: int | None = None
    received: int | None = None
    lot: str | None = None
    expiry: date | None = Field(None, description="inbound: the lot's announced expiry")


class OrderOut(BaseModel):
    kind: Literal["inbound", "outbound"]
    reference: str
    party: str = Field(description="supplier or customer")
    status: str
    due: date | None = Field(None, description="expected or ship date")
    priority: int | None = None
    wave: str | None = None
    quantity: int
    done: int = Field(description="units received or picked")
    created_at: datetime
    lines: list[OrderLineOut] = []


# Reads.


class StockLineOut(BaseModel):
    sku: str
    description: str
    location: str
    lot: str | None = None
    expiry: date | None = None
    lpn: str | None = None
    status: str
    quantity: int
    reserved: int
    uom: str


class MovementOut(BaseModel):
    id: int
    time: datetime
    kind: str
    sku: str
    quantity: int
    uom: str
    from_location: str | None = None
    to_location: str | None = None
    lot: str | None = None
    from_lpn: str | None = None
    to_lpn: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    user: str
    terminal: str
    reference: str
    reason: str | None = None
    approved_by: str | None = None


class MovementPage(BaseModel):
    movements: list[MovementOut]
    next_after_id: int = Field(description="pass as after_id for the next page")


class CountTaskOut(BaseModel):
    id: int
    location: str
    status: str
    trigger: str
    attempt: int
    sku: str | None = None
    due: date | None = None
    created_at: datetime | None = None


class VarianceLineOut(BaseModel):
    sku: str
    lot: str | None = None
    expected: int
    counted: int
    first_count: int | None = None
    variance: int
    moved_since: int


class PendingCountOut(BaseModel):
    task: int
    location: str
    counted_by: str
    counted_at: datetime | None = None
    lines: list[VarianceLineOut]


class EventOut(BaseModel):
    cursor: str
    event: str
    movement_id: int
    time: datetime
    sku: str
    quantity: int
    lot: str | None = None
    from_location: str | None = None
    to_location: str | None = None
    lpn: str | None = None
    reference: str | None = None
    reason: str | None = None
    user: str | None = None
    # A shipment event's detail (written at ship confirm); null on every other event.
    order: str | None = None
    order_line: int | None = None
    unit: str | None = None
    expiry: str | None = Field(default=None, description="ISO date of the lot's expiry")
    serials: str | None = Field(default=None, description="serial numbers, space-separated")
    sscc: str | None = None
    weight_kg: str | None = Field(default=None, description="the carton's gross weight, decimal")
    shipment: str | None = None


class EventPage(BaseModel):
    cursor: str = Field(description="pass as cursor for the next page")
    events: list[EventOut]
    warnings: list[str] = []
