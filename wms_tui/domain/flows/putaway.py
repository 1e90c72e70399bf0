"""Putaway: scan an LPN or item on the dock, go where the system directs, confirm by scanning.

Keys for one item on the happy path: scan item, Enter (all of it), scan the directed location.
An LPN skips the quantity: scan LPN, scan location. Check digits keyed instead of a scan count
as the directed location; any other location is an override for supervisors, with a reason.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date
from typing import ClassVar, TypedDict

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
    FlowState,
    InputKind,
    Step,
    Translate,
    iso,
    item_facts,
    lot_facts,
    no_translation,
    units_text,
)
from wms_tui.domain.flows.context import location_contents
from wms_tui.domain.model import (
    Actor,
    ItemRef,
    LocationRef,
    LocationType,
    LpnRef,
    PostResult,
    StockLine,
)
from wms_tui.domain.permissions import Action, can
from wms_tui.domain.putaway import PutawayServices
from wms_tui.domain.scan import normalize_scan, parse_gs1
from wms_tui.domain.status_words import status_word
from wms_tui.domain.stock import Move, MoveLpn, new_confirmation_key
from wms_tui.domain.units import read_quantity

AVAILABLE = "available"


class LocationState(TypedDict):
    """A location as JSON-safe state (type is LocationType's value)."""

    id: int
    code: str
    barcode: str
    check_digits: str
    type: str
    walk_seq: int
    zone: str | None
    capacity: int | None


def location_state(location: LocationRef) -> LocationState:
    """A location as JSON-safe state, so the directed location survives a resume unchanged."""
    return {"id": location.id, "code": location.code, "barcode": location.barcode,
            "check_digits": location.check_digits, "type": location.type.value,
            "walk_seq": location.walk_seq, "zone": location.zone, "capacity": location.capacity}


def location_from_state(data: LocationState) -> LocationRef:
    return LocationRef(data["id"], data["code"], data["barcode"], data["check_digits"],
                       LocationType(data["type"]), data["walk_seq"], data["zone"], data["capacity"])


class PutawayStep(enum.StrEnum):
    SOURCE = "source"
    FROM = "from"
    # A loose lot-tracked item: the lot shown (earliest expiry) is checked by scan or Enter.
    LOT = "lot"
    QTY = "qty"
    CONFIRM = "confirm"
    REASON = "reason"


class PutawayState(FlowState, total=False):
    """An LPN (lpn_id set, all its lines) or loose stock of one item, and where it goes."""

    lpn_id: int
    lpn: str
    items: int
    # The LPN's lines as [item_id, lot_id, quantity] when directed.
    lines: list[list[int | None]]
    item_id: int
    sku: str | None
    desc: str | None
    uom: str
    factor: int
    base_uom: str
    scan_lot: str | None
    from_id: int
    from_code: str
    lot: str | None
    lot_id: int | None
    # ISO date of the lot's expiry.
    expiry: str | None
    free: int
    # The lots free at the dock, [lot, lot_id, ISO expiry, free], when the lot is checked.
    lot_choices: list[list[str | int | None]]
    qty: int
    qty_uom: str | None
    to: LocationState | None
    override: LocationState
    reasons: list[str]


class PutawayFlow(Flow[PutawayState, PutawayStep]):
    name = "putaway"
    services: PutawayServices
    HELP: ClassVar[Mapping[str, str]] = {
        PutawayStep.SOURCE: N_("Scan the LPN or the item on the dock or QC bay."),
        PutawayStep.FROM: N_("The item is on several docks: scan the one you are at."),
        PutawayStep.LOT: N_("Check the lot on the goods: Enter if it is the lot shown, or scan "
                            "the lot you are putting away."),
        PutawayStep.QTY: N_("How many to put away, in the unit shown. Enter alone puts away "
                            "all."),
        PutawayStep.CONFIRM: N_("Take it to the location shown and scan its label, or key its "
                                "check digits if the label is damaged. Another location needs "
                                "a supervisor and a reason."),
        PutawayStep.REASON: N_("Why not the directed location: key the number of the reason."),
    }

    def __init__(self, actor: Actor, services: PutawayServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        super().__init__(actor, services, t, state)

    def first_step(self) -> PutawayStep:
        return PutawayStep.SOURCE

    def previous_step(self) -> PutawayStep | None:
        if self.step_name == PutawayStep.CONFIRM:
            return PutawayStep.SOURCE if self.state.get("lpn_id") else PutawayStep.QTY
        if self.step_name == PutawayStep.QTY and self.state.get("lot_choices"):
            return PutawayStep.LOT
        return {PutawayStep.FROM: PutawayStep.SOURCE, PutawayStep.LOT: PutawayStep.SOURCE,
                PutawayStep.QTY: PutawayStep.SOURCE,
                PutawayStep.REASON: PutawayStep.CONFIRM}.get(self.step_name)

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        if lpn := s.get("lpn"):
            facts.append(Fact(_("LPN"), lpn, FactKind.WRAPPED))
        if sku := s.get("sku"):
            facts.extend(item_facts(_, sku, s.get("desc")))
        elif items := s.get("items"):
            facts.append(Fact(_("Items"), str(items)))
        facts.extend(lot_facts(_, s.get("lot"), s.get("expiry")))
        if step in (PutawayStep.LOT, PutawayStep.QTY):
            facts.append(Fact(_("From"), s["from_code"]))
            facts.append(Fact(_("On dock"), self._free_text()))
        if step in (PutawayStep.CONFIRM, PutawayStep.REASON) and s.get("qty_uom"):
            facts.append(Fact(_("Qty"), self._qty_text()))
        message = ""
        if step == PutawayStep.CONFIRM:
            to = s.get("to")
            facts.append(Fact(_("To"), to["code"] if to else _("No room")))
            if to is None:
                message = _("No room: scan any location")
        if step == PutawayStep.REASON:
            facts.append(Fact(_("To"), s["override"]["code"]))
        prompts = {
            PutawayStep.SOURCE: (_("Scan LPN or item"), InputKind.SCAN),
            PutawayStep.FROM: (_("Scan dock location"), InputKind.SCAN),
            PutawayStep.LOT: (_("Scan lot or Enter"), InputKind.SCAN),
            PutawayStep.QTY: (_("Qty (Enter=all)"), InputKind.QUANTITY),
            PutawayStep.CONFIRM: (_("Scan location") if s.get("to") else _("Scan any location"),
                                  InputKind.SCAN),
            PutawayStep.REASON: (_("Reason number"), InputKind.CHOICE),
        }
        prompt, kind = prompts[step]
        choices: tuple[str, ...] = ()
        if step == PutawayStep.REASON:
            choices = tuple(f"{n} {code}" for n, code in enumerate(s["reasons"], start=1))
        return Step(
            flow=self.name, name=step, title=_("Putaway"), prompt=prompt, input=kind,
            facts=tuple(facts), message=message, choices=choices,
            unsaved_work=step != PutawayStep.SOURCE,
        )

    def _free_text(self) -> str:
        s = self.state
        return units_text(int(s["free"]), s["uom"], int(s["factor"]), s["base_uom"])

    def _qty_text(self) -> str:
        """The quantity put away, in the item's unit with base units beside it when loose
        (whether keyed in that unit or taken whole with Enter); an LPN's in its own unit."""
        s = self.state
        qty, qty_uom = int(s["qty"]), s["qty_uom"]
        if "factor" not in s or s.get("lpn"):
            return f"{qty} {qty_uom}"
        factor = int(s["factor"])
        base = qty * factor if qty_uom == s["uom"] else qty
        return units_text(base, s["uom"], factor, s["base_uom"])

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def _on_source(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind == "lpn" and found.lpn is not None:
            self._start_lpn(found.lpn)
        elif found.kind == "item" and found.item is not None:
            self._start_item(found.item, found.lot)
        else:
            raise ScanRejected(N_("Scan an LPN or item, not {scan}"), scan=text[:20])

    def _start_lpn(self, lpn: LpnRef) -> None:
        lines = self.services.putaway_lines(lpn_id=lpn.id)
        if not lines:
            here = [] if lpn.location_id is None else [
                ln for ln in self.services.stock_at(lpn.location_id) if ln.lpn_id == lpn.id]
            if not here:
                raise ScanRejected(N_("LPN {code} is empty: scan another"), code=lpn.code)
            raise ScanRejected(N_("LPN {code} not on a dock: use Move"), code=lpn.code)
        held = [ln for ln in lines if ln.status != AVAILABLE]
        if held:
            raise ScanRejected(N_("LPN {code}: {status}, scan another"), code=lpn.code,
                               status=status_word(held[0].status))
        if any(ln.reserved for ln in lines):
            raise ScanRejected(N_("LPN {code} reserved: scan another"), code=lpn.code)
        items = {ln.item_id for ln in lines}
        lots = {ln.lot_id for ln in lines}
        single = len(items) == 1
        item_id = lines[0].item_id if single else None
        lot_id = lines[0].lot_id if single and len(lots) == 1 else None
        quantity = sum(ln.quantity for ln in lines)
        to = self.services.suggest_putaway(lines[0].location_id, quantity, item_id, lot_id)
        self.state = {
            "step": PutawayStep.CONFIRM, "lpn_id": lpn.id, "lpn": lpn.code,
            "from_id": lines[0].location_id, "from_code": lines[0].location,
            "sku": lines[0].sku if single else None, "items": len(items),
            "desc": lines[0].description if single else None,
            "lot": lines[0].lot if lot_id is not None else None,
            "expiry": iso(lines[0].expiry) if lot_id is not None else None,
            "qty": quantity, "qty_uom": lines[0].uom if single else None,
            # The lines as they were when directed, so an override posts exactly these.
            "lines": [[ln.item_id, ln.lot_id, ln.quantity] for ln in lines],
            "to": None if to is None else location_state(to), "key": new_confirmation_key(),
        }

    def _loose_lines(self, item_id: int, lot: str | None) -> list[StockLine]:
        lines = [ln for ln in self.services.putaway_lines(item_id=item_id) if ln.lpn_id is None]
        return [ln for ln in lines if lot is None or ln.lot == lot]

    def _start_item(self, item: ItemRef, lot: str | None) -> None:
        lines = self._loose_lines(item.id, lot)
        free = [ln for ln in lines if ln.status == AVAILABLE and ln.quantity > ln.reserved]
        if not free:
            if lines:
                raise ScanRejected(N_("{sku}: {status}, scan another"), sku=item.sku,
                                   status=status_word(lines[0].status))
            if self.services.putaway_lines(item_id=item.id):
                raise ScanRejected(N_("{sku} is on an LPN: scan it"), sku=item.sku)
            raise ScanRejected(N_("No {sku} on the dock: scan another"), sku=item.sku)
        self.state = {
            "step": PutawayStep.FROM, "item_id": item.id, "sku": item.sku,
            "desc": item.description, "uom": item.uom or item.base_uom, "factor": item.factor,
            "base_uom": item.base_uom,
            "scan_lot": lot,
        }
        if len({ln.location_id for ln in free}) == 1:
            self._choose_line(free)

    def _on_from(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind != "location" or found.location is None:
            raise ScanRejected(N_("Scan a location, not {scan}"), scan=text[:20])
        s = self.state
        free = [ln for ln in self._loose_lines(s["item_id"], s.get("scan_lot"))
                if ln.location_id == found.location.id and ln.status == AVAILABLE
                and ln.quantity > ln.reserved]
        if not free:
            raise ScanRejected(N_("No free {sku} at {loc}: scan other"), sku=s["sku"],
                               loc=found.location.code)
        self._choose_line(free)

    def _choose_line(self, lines: list[StockLine]) -> None:
        """Several lots at one dock and none scanned: the earliest expiry is shown first (FEFO)
        and the operator checks it against the goods (Enter) or scans the lot in hand."""
        line = min(lines, key=lambda ln: (ln.expiry or date.max, ln.lot or ""))
        self.state.update({"from_id": line.location_id, "from_code": line.location,
                           "lot": line.lot, "lot_id": line.lot_id, "expiry": iso(line.expiry),
                           "free": line.quantity - line.reserved})
        if line.lot is None or self.state.get("scan_lot"):
            self.goto(PutawayStep.QTY)
            return
        self.state["lot_choices"] = [[ln.lot, ln.lot_id, iso(ln.expiry), ln.quantity - ln.reserved]
                                     for ln in lines if ln.location_id == line.location_id]
        self.goto(PutawayStep.LOT)

    def _on_lot(self, text: str) -> None:
        s = self.state
        if text.strip():
            scan = normalize_scan(text)
            gs1 = parse_gs1(scan) if scan.gs1 else None
            lot = gs1.lot if gs1 is not None and gs1.lot else scan.text.strip()
            found = [c for c in s.get("lot_choices", []) if c[0] == lot]
            if not found:
                raise ScanRejected(N_("Lot {lot} not free here: scan {shown} or Enter"),
                                   lot=lot[:20], shown=s.get("lot") or "")
            chosen, lot_id, expiry, free = found[0]
            s.update({"lot": str(chosen), "lot_id": int(lot_id) if lot_id is not None else None,
                      "expiry": None if expiry is None else str(expiry),
                      "free": int(free or 0)})
        self.goto(PutawayStep.QTY)

    def _on_qty(self, text: str) -> None:
        s = self.state
        free = int(s["free"])
        if not text.strip():
            qty, uom, base = free, s["base_uom"], free
        else:
            typed = read_quantity(text)
            if typed != typed.to_integral_value():
                raise InvalidQuantity(N_("Key whole {uom} only"), uom=s["uom"])
            qty, uom, base = int(typed), s["uom"], int(typed) * int(s["factor"])
            if base > free:
                # In the unit keyed, as that is what the operator keys again.
                raise InvalidQuantity(N_("Only {free} on dock: key less"),
                                      free=f"{free // int(s['factor'])} {s['uom']}")
        to = self.services.suggest_putaway(s["from_id"], base, s["item_id"], s.get("lot_id"))
        self.state.update({"qty": qty, "qty_uom": uom,
                           "to": None if to is None else location_state(to),
                           "key": new_confirmation_key()})
        self.goto(PutawayStep.CONFIRM)

    def _on_confirm(self, text: str) -> None:
        s = self.state
        to = s.get("to")
        directed = None if to is None else location_from_state(to)
        found = self.services.resolve(text, expected_location=directed)
        if directed is not None and (found.kind == "check_digits" or (
                found.kind == "location" and found.location is not None
                and found.location.id == directed.id)):
            self._post(directed.id, directed.code, None)
            return
        if found.kind != "location" or found.location is None:
            if directed is not None and is_ascii_digits(text.strip()) and len(text.strip()) <= 4:
                raise ScanRejected(N_("Wrong check digits: key them again"))
            raise ScanRejected(N_("Scan a location, not {scan}"), scan=text[:20])
        if not can(self.actor.role, Action.PUTAWAY_OVERRIDE):
            raise PermissionDenied(N_("Scan the directed location") if directed is not None
                                   else N_("No room: call a supervisor"))
        if found.location.id == s["from_id"]:
            raise ScanRejected(N_("Same as from: scan another location"))
        reasons = self.services.override_reasons()
        if not reasons:
            raise ScanRejected(N_("No override reasons: call a supervisor"))
        self.state.update({"override": location_state(found.location), "reasons": reasons})
        self.goto(PutawayStep.REASON)

    def _on_reason(self, text: str) -> None:
        reasons: list[str] = self.state["reasons"]
        answer = text.strip().upper()
        if is_ascii_digits(answer) and 1 <= int(answer) <= len(reasons):
            code = reasons[int(answer) - 1]
        elif answer in reasons:
            code = answer
        else:
            raise BadInput(N_("Key 1 to {n}"), n=len(reasons))
        to = self.state["override"]
        self._post(to["id"], to["code"], code)

    def _post(self, to_id: int, to_code: str, reason: str | None) -> None:
        _ = self.t
        s = self.state
        key = s["key"]
        reference = f"PUTAWAY-{s.get('lpn') or s['sku']}"
        command: Move | MoveLpn
        if s.get("lpn_id"):
            command = MoveLpn(s["lpn_id"], to_id, reference, reason_code=reason)
        else:
            command = Move(s["item_id"], s["qty"], s["from_id"], to_id, reference,
                           uom=s["qty_uom"], lot_id=s.get("lot_id"), reason_code=reason)
        self.services.post(self.actor, command, key)
        self.state = {"step": PutawayStep.SOURCE}
        self.posted_as(key, _("Put away to {to}").format(to=to_code))

    def context(self) -> tuple[Fact, ...]:
        """Beside the location to scan on a wide screen: what is already there."""
        s = self.state
        to = {PutawayStep.CONFIRM: s.get("to"),
              PutawayStep.REASON: s.get("override")}.get(self.step_name)
        return () if to is None else tuple(
            location_contents(self.t, self.services, to["id"], to["code"]))

    def committed_summary(self, result: PostResult) -> str:
        """Posted from the directed location's step, or from the reason for another one."""
        s = self.state
        to = s.get("override") if self.step_name == PutawayStep.REASON else s.get("to")
        if to is None:
            return super().committed_summary(result)
        return self.t("Put away to {to}").format(to=to["code"])
