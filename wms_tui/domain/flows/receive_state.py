"""The receive flow's saved state: what outlives a line, the line being received, and the
order lines of its item, all JSON-safe so a dropped terminal resumes exactly there."""

from __future__ import annotations

from datetime import date
from typing import NotRequired, TypedDict

from wms_tui.domain.flows.base import FlowState
from wms_tui.domain.inbound import InboundLineRef, announced_expiry, choose_line
from wms_tui.domain.stock import new_confirmation_key


class InboundLineState(TypedDict):
    """An order line (InboundLineRef's fields) as JSON-safe state."""

    id: int
    order_id: int
    line_no: int
    item_id: int
    sku: str
    base_uom: str
    quantity: int
    # InboundLineRef has defaults for these, so states saved without them still load.
    received: NotRequired[int]
    tolerance_pct: NotRequired[int]
    lot: NotRequired[str | None]
    sscc: NotRequired[str | None]
    # ISO date: the lot's expiry the ASN announced.
    expiry: NotRequired[str | None]


def inbound_line_state(line: InboundLineRef) -> InboundLineState:
    return {"id": line.id, "order_id": line.order_id, "line_no": line.line_no,
            "item_id": line.item_id, "sku": line.sku, "base_uom": line.base_uom,
            "quantity": line.quantity, "received": line.received,
            "tolerance_pct": line.tolerance_pct, "lot": line.lot, "sscc": line.sscc,
            "expiry": None if line.expiry is None else line.expiry.isoformat()}


def inbound_line_ref(data: InboundLineState) -> InboundLineRef:
    expiry = data.get("expiry")
    return InboundLineRef(
        id=data["id"], order_id=data["order_id"], line_no=data["line_no"],
        item_id=data["item_id"], sku=data["sku"], base_uom=data["base_uom"],
        quantity=data["quantity"], received=data.get("received", 0),
        tolerance_pct=data.get("tolerance_pct", 0), lot=data.get("lot"), sscc=data.get("sscc"),
        expiry=date.fromisoformat(expiry) if expiry else None,
    )


class ReceiveState(FlowState, total=False):
    """What outlives a line (order or blind, dock, pallet), then the line being received."""

    order_id: int
    order_ref: str
    blind: bool
    dock_id: int
    dock_code: str
    sscc: str | None
    lpn: str | None
    new_lpn: bool
    item_id: int
    sku: str
    desc: str
    uom: str
    factor: int
    base_uom: str
    lot_tracked: bool
    expiry_tracked: bool
    # The order's lines of this item (none blind), as they were when it was scanned.
    lines: list[InboundLineState]
    qty: int
    lot: str
    # ISO date.
    expiry: str
    # The line steps asked so far (ReceiveStep values), so Back asks them again in turn.
    asked: list[str]
    over_reason: str
    serial_tracked: bool
    # One per base unit, asked after everything else (flows.serial_step).
    serials: list[str]


def receipt_expiry(state: ReceiveState, today: date) -> str | None:
    """The line's expiry (ISO): the one given by a GS1 label or keyed, else the one the ASN
    announced for the lot received, so that expiry is not asked.

    A label's date wins over the announced one, as it is what the goods carry; the announced
    one is read from the lines each time, so a lot keyed again never keeps a stale date.
    """
    given = state.get("expiry")
    if given or not state.get("expiry_tracked"):
        return given or None
    lot = state.get("lot")
    lines = [inbound_line_ref(data) for data in state.get("lines", [])]
    if not lot or not lines:
        return None
    line = choose_line(lines, state["item_id"], lot, state.get("sscc"))
    expiry = announced_expiry(line, lot, today)
    return None if expiry is None else expiry.isoformat()


def next_line_state(state: ReceiveState) -> ReceiveState:
    """The item step of a new line: the order (or blind), dock and pallet stay, unless None,
    and the line gets a new confirmation key."""
    kept: ReceiveState = {"step": "item"}
    if (order_id := state.get("order_id")) is not None:
        kept["order_id"] = order_id
    if (order_ref := state.get("order_ref")) is not None:
        kept["order_ref"] = order_ref
    if (blind := state.get("blind")) is not None:
        kept["blind"] = blind
    if (dock_id := state.get("dock_id")) is not None:
        kept["dock_id"] = dock_id
    if (dock_code := state.get("dock_code")) is not None:
        kept["dock_code"] = dock_code
    if (sscc := state.get("sscc")) is not None:
        kept["sscc"] = sscc
    if (lpn := state.get("lpn")) is not None:
        kept["lpn"] = lpn
    if (new_lpn := state.get("new_lpn")) is not None:
        kept["new_lpn"] = new_lpn
    kept["key"] = new_confirmation_key()
    return kept
