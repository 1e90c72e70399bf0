"""An in-memory receiving dock for receive-flow unit tests: orders, lines and receipts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from tests.flow_fakes import DOCK, MILK, OPERATOR, SUPERVISOR, WIDGET, FakeServices
from wms_tui.domain.errors import InvalidQuantity, PermissionDenied
from wms_tui.domain.inbound import (
    InboundLineRef,
    InboundOrderRef,
    InboundStatus,
    OrderMatch,
    Receipt,
    ReceiveLine,
    UnconfirmedOverReceipt,
    choose_line,
    is_pallet_unit,
)
from wms_tui.domain.model import Actor, LocationRef, LocationType, PostResult, StockStatus
from wms_tui.domain.over_receipt import over_receipt_reason
from wms_tui.domain.permissions import Action, can
from wms_tui.domain.scan import normalize_scan, parse_gs1

TODAY = date(2026, 1, 15)
DOCK2 = LocationRef(9, "DOCK-2", "DOCK-2", "77", LocationType.DOCK, 5)
SCREW = replace(WIDGET, id=3, sku="SCREW", description="Screw", requires_qc=True)
# Valid SSCCs: the first is announced by ASN-2, the second by line 1 of ASN-4.
SSCC_ASN = "095011015300000010"
SSCC_LINE = "095011015300000027"
SSCC_FREE = "095011015300000034"

PO1 = InboundOrderRef(1, "PO-1", "ACME", InboundStatus.OPEN)
ASN2 = InboundOrderRef(2, "ASN-2", "ACME", InboundStatus.OPEN, sscc=SSCC_ASN)
CLOSED3 = InboundOrderRef(3, "PO-3", "ACME", InboundStatus.CLOSED)
ASN4 = InboundOrderRef(4, "ASN-4", "ACME", InboundStatus.RECEIVING)
EMPTY5 = InboundOrderRef(5, "PO-5", "ACME", InboundStatus.OPEN)

__all__ = ["OPERATOR", "SUPERVISOR", "TODAY", "FakeReceiving"]


def _lines() -> list[InboundLineRef]:
    return [
        InboundLineRef(11, 1, 1, WIDGET.id, "WIDGET", "EA", 24),
        InboundLineRef(12, 1, 2, MILK.id, "MILK", "EA", 12, tolerance_pct=10),
        InboundLineRef(13, 1, 3, SCREW.id, "SCREW", "EA", 5),
        InboundLineRef(21, 2, 1, WIDGET.id, "WIDGET", "EA", 12),
        InboundLineRef(31, 3, 1, WIDGET.id, "WIDGET", "EA", 1, received=1),
        InboundLineRef(41, 4, 1, WIDGET.id, "WIDGET", "EA", 6, received=6, sscc=SSCC_LINE),
    ]


@dataclass
class FakeReceiving(FakeServices):
    orders: dict[int, InboundOrderRef] = field(default_factory=dict)
    inbound: list[InboundLineRef] = field(default_factory=list)
    receipts: dict[str, tuple[ReceiveLine, Receipt]] = field(default_factory=dict)
    lpn_counter: int = 0

    @classmethod
    def receiving(cls) -> FakeReceiving:
        base = FakeServices.standard()
        base.catalog.items["SCREW"] = SCREW
        base.catalog.gtins["05901234123457"] = MILK
        base.catalog.gtins["39501101530004"] = replace(WIDGET, uom="PL", factor=480)
        base.catalog.locations[DOCK2.code] = DOCK2
        orders = {o.id: o for o in (PO1, ASN2, CLOSED3, ASN4, EMPTY5)}
        return cls(base.catalog, base.lines, base.posts, orders, _lines())

    def today(self) -> date:
        return TODAY

    def find_order(self, raw: str) -> OrderMatch | None:
        scan = normalize_scan(raw)
        for order in self.orders.values():
            if order.reference == scan.text.strip().upper():
                return OrderMatch(order)
        gs1 = parse_gs1(scan)
        if gs1 is not None and gs1.sscc is not None:
            found = self.orders_with_sscc(gs1.sscc)
            return OrderMatch(found[0], gs1.sscc) if found else None
        return None

    def order_lines(self, order_id: int) -> list[InboundLineRef]:
        return [ln for ln in self.inbound if ln.order_id == order_id]

    def orders_with_sscc(self, sscc: str) -> list[InboundOrderRef]:
        ids = {ln.order_id for ln in self.inbound if ln.sscc == sscc}
        return [o for o in self.orders.values() if o.sscc == sscc or o.id in ids]

    def receive(self, actor: Actor, command: ReceiveLine, key: str) -> Receipt:
        """The posting rules the flow relies on, in memory: replay, permission, tolerance,
        a reason for a supervisor's over-receipt."""
        if key in self.receipts:
            return replace(self.receipts[key][1], replayed=True)
        if command.order_id is None and not can(actor.role, Action.RECEIVE_BLIND):
            raise PermissionDenied("may not receive blind")
        item = next(i for i in self.catalog.items.values() if i.id == command.item_id)
        factor = {None: 1, item.base_uom: 1, "CS": 12, "PL": 480}[command.uom]
        qty = int(command.quantity) * factor
        line = None
        if command.order_id is not None:
            lines = self.order_lines(command.order_id)
            line = next((ln for ln in lines if ln.id == command.line_id), None) or choose_line(
                lines, item.id, command.lot, command.sscc)
            assert line is not None and line.item_id == item.id
            if line.received + qty > line.allowance:
                if not can(actor.role, Action.OVER_RECEIPT):
                    raise InvalidQuantity("over-receipt")
                if over_receipt_reason(command.reason_code or "") is None:
                    raise UnconfirmedOverReceipt("over-receipt without a reason")
            index = self.inbound.index(line)
            line = self.inbound[index] = replace(line, received=line.received + qty)
        lpn = command.lpn or command.sscc
        if lpn is None and (command.new_lpn or is_pallet_unit(command.uom)):
            self.lpn_counter += 1
            lpn = f"LPN{self.lpn_counter:07d}"
        status = StockStatus.QC_HOLD if item.requires_qc else StockStatus.AVAILABLE
        order_status = None
        if command.order_id is not None:
            done = all(ln.received >= ln.quantity for ln in self.order_lines(command.order_id))
            order_status = InboundStatus.CLOSED if done else InboundStatus.RECEIVING
            self.orders[command.order_id] = replace(self.orders[command.order_id],
                                                    status=order_status)
        location = DOCK2 if command.location_id == DOCK2.id else DOCK
        receipt = Receipt(key, [len(self.receipts) + 1], item.sku, qty, item.base_uom,
                          location.code, status, lpn,
                          line.received if line is not None else None, order_status)
        self.receipts[key] = (command, receipt)
        return receipt

    def posted(self, key: str) -> PostResult | None:
        found = self.receipts.get(key)
        if found is None:
            return super().posted(key)
        return PostResult(key, found[1].movement_ids, "receive")

    def received(self) -> list[ReceiveLine]:
        return [command for command, _ in self.receipts.values()]

