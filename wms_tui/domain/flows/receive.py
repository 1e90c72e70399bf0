"""Receive: against an inbound order (its reference or a pallet SSCC) or blind, item by item.

Keys for one line on the happy path: scan the order once, then per line scan the item and key
the quantity + Enter; it posts at once (no confirm step). A GS1 label carrying lot, expiry and
quantity posts on the item scan alone. Lot and expiry are asked only when the item tracks them
and the scan did not give them; the expiry neither when the lot is the one the ASN line
announced with an expiry (a label's own expiry wins over the announced one).

Words a VT220 can type: BLIND at the order prompt (F5 where the terminal has it) receives
without an order, for users allowed to; LPN at the item prompt puts the next receipts on a new
numbered pallet. Scanning a pallet SSCC puts them on that pallet; scanning a dock location
receives at that dock instead of the default one.

More than the line allows (quantity + tolerance) is refused for operators. A supervisor is
told by how much it is over and asked to confirm (1 Yes, 2 No: back to the quantity), then for
an over-receipt reason by number; only then does it post.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date
from typing import ClassVar, Literal, Protocol

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import (
    N_,
    BadInput,
    InvalidQuantity,
    PermissionDenied,
    ScanRejected,
)
from wms_tui.domain.flows.base import (
    Fact,
    FactKind,
    Flow,
    InputKind,
    Step,
    Translate,
    item_facts,
    no_translation,
    units_text,
)
from wms_tui.domain.flows.context import receive_context
from wms_tui.domain.flows.receive_state import (
    InboundLineState,
    ReceiveState,
    inbound_line_ref,
    inbound_line_state,
    next_line_state,
    receipt_expiry,
)
from wms_tui.domain.flows.serial_step import check_serial_count, new_serial, receivable
from wms_tui.domain.flows.services import RfServices
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
    parse_expiry,
    quantity_in,
    valid_lot,
)
from wms_tui.domain.inbound.model import FINAL_INBOUND_STATUSES
from wms_tui.domain.model import Actor, LocationType, PostResult, StockStatus
from wms_tui.domain.over_receipt import OVER_RECEIPT_REASONS
from wms_tui.domain.permissions import Action, can
from wms_tui.domain.scan import GS, normalize_scan, parse_gs1
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.units import not_a_quantity, parse_quantity

BLIND_WORD = "BLIND"
NEW_LPN_WORD = "LPN"
YES, NO = "1", "2"


class ReceiveStep(enum.StrEnum):
    ORDER = "order"
    ITEM = "item"
    QTY = "qty"
    LOT = "lot"
    EXPIRY = "expiry"
    OVER = "over"
    REASON = "reason"
    SERIAL = "serial"


# The line's steps in the order they are asked; any may be skipped when a scan answered it.
LINE_STEPS = (ReceiveStep.ITEM, ReceiveStep.QTY, ReceiveStep.LOT, ReceiveStep.EXPIRY)
# The line steps whose answer state keeps under the step's own name.
ANSWER_KEYS: dict[ReceiveStep, Literal["qty", "lot", "expiry"]] = {
    ReceiveStep.QTY: "qty", ReceiveStep.LOT: "lot", ReceiveStep.EXPIRY: "expiry",
}
# A supervisor's over-receipt: confirm it, then give a reason; asked after every line field.
OVER_STEPS = (ReceiveStep.OVER, ReceiveStep.REASON)
LineKey = Literal["item_id", "sku", "uom", "factor", "base_uom", "lot_tracked", "expiry_tracked",
                  "lines", "qty", "lot", "expiry", "asked", "over_reason", "serial_tracked",
                  "serials"]
LINE_KEYS: tuple[LineKey, ...] = (
    "item_id", "sku", "uom", "factor", "base_uom", "lot_tracked", "expiry_tracked", "lines",
    "qty", "lot", "expiry", "asked", "over_reason", "serial_tracked", "serials",
)


class ReceiveServices(RfServices, Protocol):
    """What receiving needs beyond RfServices; domain.inbound.InboundServicesMixin provides it."""

    def receiving_dock(self) -> str | None:
        """The dock a receipt goes to when none is scanned; None when there is none."""
        ...

    def find_order(self, raw: str) -> OrderMatch | None: ...
    def order_lines(self, order_id: int) -> list[InboundLineRef]: ...
    def orders_with_sscc(self, sscc: str) -> list[InboundOrderRef]: ...
    def receive(self, actor: Actor, command: ReceiveLine, key: str) -> Receipt: ...
    def today(self) -> date: ...


def _shown(text: str) -> str:
    """Scanned text fit for the message line: trimmed, GS shown as a space."""
    return text.strip().replace(GS, " ")[:20]


class ReceiveFlow(Flow[ReceiveState, ReceiveStep]):
    name = "receive"
    services: ReceiveServices
    HELP: ClassVar[Mapping[str, str]] = {
        ReceiveStep.ORDER: N_("Scan the ASN/PO barcode or a pallet SSCC. Supervisors: key BLIND "
                              "(or F5) to receive without an order."),
        ReceiveStep.ITEM: N_("Scan any barcode of the item; a GS1 label fills lot, expiry and "
                             "quantity. Scan a dock to change dock, a pallet SSCC to receive "
                             "onto it, or key LPN for a new pallet."),
        ReceiveStep.QTY: N_("Key the quantity in the unit shown. For another unit, press Esc "
                            "and scan that unit's barcode."),
        ReceiveStep.LOT: N_("Scan or key the lot: up to 20 characters, no spaces."),
        ReceiveStep.EXPIRY: N_("Key the expiry date as YYMMDD or YYYY-MM-DD. Past dates are "
                               "refused."),
        ReceiveStep.OVER: N_("More than the order allows, tolerance included. 1 receives it "
                             "anyway and asks why; 2 goes back to the quantity. Nothing is "
                             "posted before the reason."),
        ReceiveStep.REASON: N_("Why more than the order allows: key the number of the reason. "
                               "The receipt posts with it and shows among the supervisor's "
                               "exceptions."),
        ReceiveStep.SERIAL: N_("Scan the serial of each unit, one by one; a GS1 label's serial "
                               "(21) counts. The receipt posts after the last one."),
    }

    def __init__(self, actor: Actor, services: ReceiveServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        super().__init__(actor, services, t, state)

    def first_step(self) -> ReceiveStep:
        return ReceiveStep.ORDER

    def previous_step(self) -> ReceiveStep | None:
        step = self.step_name
        if step == ReceiveStep.ITEM:
            return ReceiveStep.ORDER
        if step == ReceiveStep.REASON:
            return ReceiveStep.OVER
        if step == ReceiveStep.SERIAL and self.state.get("over_reason"):
            return ReceiveStep.REASON
        if step in (ReceiveStep.OVER, ReceiveStep.SERIAL):
            asked = self.state.get("asked", [ReceiveStep.ITEM])
            return ReceiveStep(max(asked, key=LINE_STEPS.index))
        if step in LINE_STEPS:
            index = LINE_STEPS.index(step)
            before = [s for s in self.state.get("asked", []) if LINE_STEPS.index(s) < index]
            return ReceiveStep(before[-1]) if before else ReceiveStep.ITEM
        return None

    def back(self) -> Step | None:
        if self.step_name == ReceiveStep.SERIAL:
            # Serials are asked again from the first, as is the reason they came after.
            self.state.pop("serials", None)
            self.state.pop("over_reason", None)
        step = super().back()
        if step is None or self.step_name in (ReceiveStep.ORDER, *OVER_STEPS):
            return step
        # Asking a field again forgets it and everything asked after it.
        if self.step_name == ReceiveStep.ITEM:
            self._clear_line()
        else:
            index = LINE_STEPS.index(self.step_name)
            asked = self.state.get("asked", [])
            for name in asked:
                if LINE_STEPS.index(name) >= index:
                    self.state.pop(ANSWER_KEYS[ReceiveStep(name)], None)
            self.state["asked"] = [s for s in asked if LINE_STEPS.index(s) <= index]
        return self.current()

    def committed_summary(self, result: PostResult) -> str:
        """The receipt as the state tells it; a quantity keyed as it posted is not in it."""
        s = self.state
        sku = s.get("sku")
        if sku is None:
            return super().committed_summary(result)
        if (qty := s.get("qty")) is None:
            return self.t("Rcvd {sku}").format(sku=sku)
        return self.t("Rcvd {qty} {uom} {sku}").format(qty=qty, uom=s["uom"], sku=sku)

    def move_on(self, notice: str) -> None:
        """A receipt that had committed: the operator stays on the order, for the next line."""
        state = next_line_state(self.state)
        state.pop("new_lpn", None)
        self.state = state
        if not state.get("blind"):
            match = self.services.find_order(state["order_ref"])
            if match is None or match.order.status in FINAL_INBOUND_STATUSES:
                # That receipt was the order's last, or it was cancelled: nothing is left on it.
                self.state = {"step": ReceiveStep.ORDER}
        self.succeed(notice)

    def on_exception_key(self) -> None:
        if self.step_name == ReceiveStep.ORDER:
            self._start_blind()
        else:
            super().on_exception_key()

    # Rendering.

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        prompts = {
            ReceiveStep.ORDER: (_("Scan order or SSCC"), InputKind.SCAN),
            ReceiveStep.ITEM: (_("Scan item"), InputKind.SCAN),
            ReceiveStep.QTY: (_("Qty in {uom}").format(uom=s.get("uom", "")), InputKind.QUANTITY),
            ReceiveStep.LOT: (_("Scan or key lot"), InputKind.SCAN),
            ReceiveStep.EXPIRY: (_("Expiry YYMMDD"), InputKind.TEXT),
            ReceiveStep.OVER: (_("Receive over?"), InputKind.YESNO),
            ReceiveStep.REASON: (_("Reason number"), InputKind.CHOICE),
            ReceiveStep.SERIAL: (_("Serial {n} of {total}").format(
                n=len(s.get("serials", [])) + 1, total=self._units()), InputKind.SCAN),
        }
        prompt, kind = prompts[step]
        choices: tuple[str, ...] = ()
        if step == ReceiveStep.OVER:
            choices = (f"{YES} " + _("Yes"), f"{NO} " + _("No"))
        elif step == ReceiveStep.REASON:
            choices = tuple(f"{n} {r.code}" for n, r in enumerate(OVER_RECEIPT_REASONS, start=1))
        return Step(
            flow=self.name, name=step, title=_("Receive"), prompt=prompt, input=kind,
            facts=tuple(self._over_facts() if step in OVER_STEPS else self._facts()),
            choices=choices,
            unsaved_work=step in (*LINE_STEPS[1:], *OVER_STEPS, ReceiveStep.SERIAL),
        )

    def _facts(self) -> list[Fact]:
        _ = self.t
        s = self.state
        facts: list[Fact] = []
        if self.step_name == ReceiveStep.ORDER:
            return facts
        facts.append(Fact(_("Order"), s["order_ref"] if not s.get("blind") else _("Blind")))
        if sku := s.get("sku"):
            facts.extend(item_facts(_, sku, s.get("desc")))
        if dock_code := s.get("dock_code"):
            # After the item, so a handheld's few rows name the item first.
            facts.append(Fact(_("Dock"), dock_code))
        if sku:
            line = self._line()
            if line is not None:
                facts.append(Fact(_("Expected"), self._in_units(line.quantity)))
                facts.append(Fact(_("Left"), self._in_units(line.remaining)))
            if (qty := s.get("qty")) is not None:
                facts.append(Fact(_("Qty"), self._in_units(qty * s["factor"])))
            if serials := s.get("serials"):
                facts.append(Fact(_("Serial"), serials[-1]))
            if lot := s.get("lot"):
                facts.append(Fact(_("Lot"), lot))
            if expiry := receipt_expiry(s, self.services.today()):
                facts.append(Fact(_("Expiry"), expiry))
        pallet = s.get("lpn") or s.get("sscc") or (_("new") if s.get("new_lpn") else None)
        if pallet:
            facts.append(Fact(_("LPN"), pallet, FactKind.WRAPPED))
        return facts

    def _in_units(self, base: int) -> str:
        s = self.state
        return units_text(base, s["uom"], s["factor"], s["base_uom"])

    def context(self) -> tuple[Fact, ...]:
        """Beside the step on a wide screen: the dock and the order's lines."""
        return () if self.step_name == ReceiveStep.ORDER else receive_context(self)

    def _over_facts(self) -> list[Fact]:
        """By how much (in the unit keyed, then in the base unit when they differ), then what
        it is measured against; at most four, so 8x40 shows them and the answers in two
        columns of 20."""
        _ = self.t
        s = self.state
        uom, factor, base = s["uom"], s["factor"], s["base_uom"]
        over = self._excess()
        if uom == base or factor <= 1 or over % factor:
            facts = [Fact(_("Over by"), f"{over} {base}")]
        else:
            facts = [Fact(_("Over by"), f"{over // factor} {uom}"),
                     Fact(_("In {uom}").format(uom=base), str(over))]
        line = self._line()
        if line is not None and self.step_name == ReceiveStep.OVER:
            facts.append(Fact(_("Qty"), f"{s['qty']} {uom}"))
            facts.append(Fact(_("Expected"), quantity_in(line.quantity, uom, factor, base)))
        facts.append(Fact(_("Item"), s["sku"]))
        return facts[:4]

    # Input.

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def _on_order(self, text: str) -> None:
        if text.strip().upper() == BLIND_WORD:
            self._start_blind()
            return
        match = self.services.find_order(text)
        if match is None:
            raise ScanRejected(N_("No order {scan}: scan the ASN"), scan=_shown(text))
        order = match.order
        if order.status == InboundStatus.CANCELLED:
            raise ScanRejected(N_("Order {ref} cancelled: scan another"), ref=order.reference)
        if order.status == InboundStatus.CLOSED:
            raise ScanRejected(N_("Order {ref} closed: scan another"), ref=order.reference)
        if not self.services.order_lines(order.id):
            raise ScanRejected(N_("{ref} has no lines: scan another"), ref=order.reference)
        self.state = {"step": ReceiveStep.ITEM, "order_id": order.id,
                      "order_ref": order.reference, "sscc": match.sscc,
                      "key": new_confirmation_key()}
        self._default_dock()

    def _default_dock(self) -> None:
        """The dock a receipt goes to when none is scanned, named and then posted to, so the
        dock shown is the dock received onto (QC items still go to the QC area)."""
        code = self.services.receiving_dock()
        found = self.services.resolve(code) if code else None
        if found is not None and found.location is not None:
            self.state.update({"dock_id": found.location.id, "dock_code": found.location.code})

    def _start_blind(self) -> None:
        if not can(self.actor.role, Action.RECEIVE_BLIND):
            raise PermissionDenied(N_("No blind receipts: scan the order"))
        self.state = {"step": ReceiveStep.ITEM, "blind": True, "key": new_confirmation_key()}
        self._default_dock()

    def _on_item(self, text: str) -> None:
        _ = self.t
        if text.strip().upper() == NEW_LPN_WORD:
            self.state.update({"new_lpn": True, "lpn": None, "sscc": None})
            self.succeed(_("Next receipt: new LPN"))
            return
        found = self.services.resolve(text)
        if found.kind == "location" and found.location is not None:
            if found.location.type != LocationType.DOCK:
                raise ScanRejected(N_("Scan a dock, not {code}"), code=found.location.code)
            self.state.update({"dock_id": found.location.id, "dock_code": found.location.code})
            self.succeed(_("Dock {code}").format(code=found.location.code))
            return
        lpn = found.lpn.code if found.lpn is not None else None
        sscc = found.gs1.sscc if found.gs1 is not None and lpn is None else None
        item = found.item
        if item is None:
            if lpn is None and sscc is None:
                raise ScanRejected(N_("Scan an item, not {scan}"), scan=_shown(text))
            self._set_pallet(lpn, sscc)
            self.succeed(_("Pallet {code}").format(code=lpn or sscc))
            return
        lines: list[InboundLineState] = []
        if not self.state.get("blind"):
            lines = [inbound_line_state(ln)
                     for ln in self.services.order_lines(self.state["order_id"])
                     if ln.item_id == item.id]
            if not lines:
                raise ScanRejected(N_("{sku} not on order: set it aside"), sku=item.sku)
        if lpn is not None or sscc is not None:
            self._set_pallet(lpn, sscc)
        self._clear_line()
        self.state.update({
            "item_id": item.id, "sku": item.sku, "desc": item.description,
            "uom": item.uom or item.base_uom,
            "factor": item.factor, "base_uom": item.base_uom, "lot_tracked": item.lot_tracked,
            "expiry_tracked": item.expiry_tracked, "lines": lines, "asked": [ReceiveStep.ITEM],
            "serial_tracked": item.serial_tracked,
        })
        if item.serial_tracked and found.serial is not None:
            self.state["serials"] = [receivable(self.services, found.serial, item.id)]
        if item.lot_tracked and found.lot is not None:
            self._set_lot(found.lot)
        if item.expiry_tracked and found.expiry is not None:
            self._set_expiry(found.expiry)
        line = self._line()
        if line is not None and line.room == 0 and not self._may_over_receive():
            raise InvalidQuantity(N_("{sku} fully received: scan next item"), sku=item.sku)
        if found.quantity is not None:
            self._set_qty(found.quantity)
        self._advance()

    def _on_qty(self, text: str) -> None:
        try:
            qty = parse_quantity(text)
        except InvalidQuantity:
            raise not_a_quantity(_shown(text)) from None
        if qty != qty.to_integral_value():
            raise InvalidQuantity(N_("Key whole {uom} only"), uom=self.state["uom"])
        self._set_qty(int(qty))
        self._advance()

    def _on_lot(self, text: str) -> None:
        scan = normalize_scan(text)
        gs1 = parse_gs1(scan) if scan.gs1 else None
        if gs1 is not None and gs1.lot is not None:
            self._set_lot(gs1.lot)
            if gs1.expiry is not None and self.state["expiry_tracked"]:
                self._set_expiry(gs1.expiry)
        else:
            self._set_lot(scan.text.strip())
        self._advance()

    def _on_over(self, text: str) -> None:
        answer = text.strip()
        if answer == NO:
            # Back to the quantity only: item, lot and expiry stay as answered.
            self.state.pop("qty", None)
            self._ask(ReceiveStep.QTY)
        elif answer == YES:
            self.goto(ReceiveStep.REASON)
        else:
            raise BadInput(N_("Key 1 (Yes) or 2 (No)"))

    def _on_reason(self, text: str) -> None:
        answer = text.strip()
        if not (is_ascii_digits(answer) and 1 <= int(answer) <= len(OVER_RECEIPT_REASONS)):
            raise BadInput(N_("Key 1 to {n}"), n=len(OVER_RECEIPT_REASONS))
        self.state["over_reason"] = OVER_RECEIPT_REASONS[int(answer) - 1].code
        self._advance()

    def _on_serial(self, text: str) -> None:
        serials = self.state.setdefault("serials", [])
        serials.append(new_serial(self.services, text, self.state["item_id"], serials))
        self._advance()

    def _units(self) -> int:
        """Base units keyed, one serial each."""
        return self.state.get("qty", 0) * self.state.get("factor", 1)

    def _on_expiry(self, text: str) -> None:
        scan = normalize_scan(text)
        gs1 = parse_gs1(scan) if scan.gs1 else None
        today = self.services.today()
        expiry = gs1.expiry if gs1 is not None else parse_expiry(scan.text, today)
        if expiry is None:
            raise BadInput(N_("Bad date: use YYMMDD"))
        self._set_expiry(expiry)
        self._advance()

    # Fields and their checks.

    def _set_pallet(self, lpn: str | None, sscc: str | None) -> None:
        """The pallet the next receipts go onto; an SSCC another order announced is refused."""
        if sscc is not None:
            others = [o for o in self.services.orders_with_sscc(sscc)
                      if o.id != self.state.get("order_id")
                      and o.status not in FINAL_INBOUND_STATUSES]
            if others:
                raise ScanRejected(N_("SSCC is on {ref}: scan that order"), ref=others[0].reference)
        self.state.update({"lpn": lpn, "sscc": sscc, "new_lpn": False})

    def _set_lot(self, lot: str) -> None:
        if not valid_lot(lot):
            raise BadInput(N_("Key a lot of 1-20 chars, no spaces"))
        self.state["lot"] = lot
        if (qty := self.state.get("qty")) is not None:
            self._check_room(qty)

    def _set_expiry(self, expiry: date) -> None:
        if expiry < self.services.today():
            raise BadInput(N_("Expired {date}: set it aside"), date=expiry.isoformat())
        self.state["expiry"] = expiry.isoformat()

    def _set_qty(self, qty: int) -> None:
        if qty <= 0:
            raise InvalidQuantity(N_("Key a quantity above 0"))
        if is_pallet_unit(self.state["uom"]) and qty != 1:
            raise InvalidQuantity(N_("Key 1: one pallet at a time"))
        self._check_room(qty)
        if self.state.get("serial_tracked"):
            check_serial_count(qty * self.state["factor"])
        self.state["qty"] = qty

    def _check_room(self, qty: int) -> None:
        """Refuse an over-receipt before posting; the posting checks again, race-safe."""
        line = self._line()
        s = self.state
        if line is None or qty * s["factor"] <= line.room or self._may_over_receive():
            return
        # In the unit keyed, whole units of it, as that is what the operator keys next.
        room = f"{line.room // s['factor']} {s['uom']}"
        raise InvalidQuantity(N_("Over receipt: key {room} at most"), room=room)

    def _may_over_receive(self) -> bool:
        return can(self.actor.role, Action.OVER_RECEIPT)

    def _excess(self) -> int:
        """Base units beyond what the line still allows (0 blind or within it)."""
        line = self._line()
        qty = self.state.get("qty")
        if line is None or qty is None:
            return 0
        return max(qty * self.state["factor"] - line.room, 0)

    def item_lines(self) -> list[InboundLineRef]:
        """The order's lines of the item scanned, as they were then (none blind)."""
        return [inbound_line_ref(data) for data in self.state.get("lines", [])]

    def _line(self) -> InboundLineRef | None:
        s = self.state
        lines = self.item_lines()
        return choose_line(lines, s["item_id"], s.get("lot"), s.get("sscc")) if lines else None

    def _advance(self) -> None:
        """Ask the next field nobody answered yet; with none left, post (an over-receipt
        is confirmed first)."""
        s = self.state
        if s.get("qty") is None:
            self._ask(ReceiveStep.QTY)
        elif s["lot_tracked"] and not s.get("lot"):
            self._ask(ReceiveStep.LOT)
        elif s["expiry_tracked"] and not receipt_expiry(s, self.services.today()):
            self._ask(ReceiveStep.EXPIRY)
        elif self._excess() > 0 and not s.get("over_reason"):
            self.goto(ReceiveStep.OVER)
        elif s.get("serial_tracked") and len(s.get("serials", [])) < self._units():
            self.goto(ReceiveStep.SERIAL)
        else:
            self._post()

    def _ask(self, step: ReceiveStep) -> None:
        asked = self.state.setdefault("asked", [ReceiveStep.ITEM])
        if step not in asked:
            asked.append(step)
        self.goto(step)

    def _post(self) -> None:
        _ = self.t
        s = self.state
        line = self._line()
        pallet_unit = is_pallet_unit(s["uom"])
        expiry = receipt_expiry(s, self.services.today())
        command = ReceiveLine(
            item_id=s["item_id"], quantity=s["qty"], uom=s["uom"], order_id=s.get("order_id"),
            line_id=line.id if line is not None else None, location_id=s.get("dock_id"),
            lot=s.get("lot"), expiry=date.fromisoformat(expiry) if expiry else None,
            sscc=s.get("sscc"), lpn=s.get("lpn"), new_lpn=bool(s.get("new_lpn")),
            reason_code=s.get("over_reason"), serials=tuple(s.get("serials", ())),
        )
        key = s["key"]
        try:
            receipt = self.services.receive(self.actor, command, key)
        except UnconfirmedOverReceipt:
            # Another receipt used the line's room since the item was scanned: ask as usual.
            s["lines"] = [inbound_line_state(ln) for ln in self.services.order_lines(s["order_id"])
                          if ln.item_id == s["item_id"]]
            s.pop("over_reason", None)
            self.goto(ReceiveStep.OVER)
            return
        done = _("Rcvd {qty} {uom} {sku}").format(qty=s["qty"], uom=s["uom"], sku=s["sku"])
        if receipt.status == StockStatus.QC_HOLD:
            done += " " + _("QC hold")
        order_done = receipt.order_status == InboundStatus.CLOSED
        if order_done:
            done += " " + _("Order done")
        elif receipt.lpn:
            done += " " + _("on {lpn}").format(lpn=receipt.lpn)
        if order_done:
            self.state = {"step": ReceiveStep.ORDER}
        else:
            next_line = next_line_state(self.state)
            if pallet_unit:
                # A whole pallet is finished: the next receipt starts a pallet of its own.
                next_line.update({"lpn": None, "sscc": None, "new_lpn": False})
            elif receipt.lpn:
                next_line.update({"lpn": receipt.lpn, "new_lpn": False})
            self.state = next_line
        self.posted_as(key, done)

    def _clear_line(self) -> None:
        for key in LINE_KEYS:
            self.state.pop(key, None)
