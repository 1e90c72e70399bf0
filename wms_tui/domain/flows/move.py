"""Move: from a location (an item quantity) or a whole LPN, to another location."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import ClassVar

from wms_tui.domain.errors import N_, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.base import (
    Fact,
    FactKind,
    Flow,
    FlowState,
    InputKind,
    Step,
    iso,
    item_facts,
    lot_facts,
    units_text,
)
from wms_tui.domain.flows.context import location_contents
from wms_tui.domain.model import PostResult
from wms_tui.domain.stock import Move, MoveLpn, new_confirmation_key
from wms_tui.domain.units import read_quantity


class MoveStep(enum.StrEnum):
    FROM = "from"
    ITEM = "item"
    QTY = "qty"
    TO = "to"


class MoveState(FlowState, total=False):
    """Where from, then either a whole LPN (lpn_id set) or an item quantity."""

    from_id: int
    from_code: str
    lpn_id: int
    lpn: str
    item_id: int
    sku: str
    desc: str
    uom: str
    factor: int
    # States saved before quantities showed their base units do not have it.
    base_uom: str
    lot: str | None
    lot_id: int | None
    # ISO date of the lot's expiry.
    expiry: str | None
    free: int
    qty: int


class MoveFlow(Flow[MoveState, MoveStep]):
    name = "move"
    HELP: ClassVar[Mapping[str, str]] = {
        MoveStep.FROM: N_("Scan the location the stock is in, or an LPN to move the whole "
                          "pallet."),
        MoveStep.ITEM: N_("Scan the item to move. A lot on its label moves that lot."),
        MoveStep.QTY: N_("Key how many to move, in the unit of the barcode you scanned; at "
                         "most the free quantity shown."),
        MoveStep.TO: N_("Scan the location it goes to. The move is posted when you scan it."),
    }

    def first_step(self) -> MoveStep:
        return MoveStep.FROM

    def previous_step(self) -> MoveStep | None:
        if self.step_name == MoveStep.TO and self.state.get("lpn"):
            return MoveStep.FROM
        return {MoveStep.ITEM: MoveStep.FROM, MoveStep.QTY: MoveStep.ITEM,
                MoveStep.TO: MoveStep.QTY}.get(self.step_name)

    def context(self) -> tuple[Fact, ...]:
        """Beside the step on a wide screen: what is at the location being moved from."""
        s = self.state
        if self.step_name == MoveStep.FROM or "from_id" not in s:
            return ()
        return tuple(location_contents(self.t, self.services, s["from_id"], s["from_code"]))

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        if from_code := s.get("from_code"):
            facts.append(Fact(_("From"), from_code))
        if lpn := s.get("lpn"):
            facts.append(Fact(_("LPN"), lpn, FactKind.WRAPPED))
        if sku := s.get("sku"):
            facts.extend(item_facts(_, sku, s.get("desc")))
        facts.extend(lot_facts(_, s.get("lot"), s.get("expiry")))
        base_uom = s.get("base_uom") or s.get("uom", "")
        if s.get("qty"):
            facts.append(Fact(_("Qty"), units_text(s["qty"] * s["factor"], s["uom"], s["factor"],
                                                   base_uom)))
        elif s.get("free") is not None and step == MoveStep.QTY:
            facts.append(Fact(_("Free"), units_text(s["free"], s["uom"], s["factor"], base_uom)))
        prompts = {
            MoveStep.FROM: (_("Scan from location or LPN"), InputKind.SCAN),
            MoveStep.ITEM: (_("Scan item"), InputKind.SCAN),
            MoveStep.QTY: (_("Qty in {uom}").format(uom=s.get("uom", "")), InputKind.QUANTITY),
            MoveStep.TO: (_("Scan to location"), InputKind.SCAN),
        }
        prompt, kind = prompts[step]
        return Step(
            flow=self.name, name=step, title=_("Move"), prompt=prompt, input=kind,
            facts=tuple(facts), unsaved_work=step != MoveStep.FROM,
        )

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def _on_from(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind == "location" and found.location is not None:
            self.state = {"step": MoveStep.ITEM, "from_id": found.location.id,
                          "from_code": found.location.code}
        elif found.kind == "lpn" and found.lpn is not None:
            lpn = found.lpn
            if lpn.location_id is None or not self.services.stock_at(lpn.location_id):
                raise ScanRejected(N_("LPN {code} is empty: scan another"), code=lpn.code)
            here = self.services.stock_at(lpn.location_id)
            self.state = {"step": MoveStep.TO, "from_id": lpn.location_id, "lpn_id": lpn.id,
                          "lpn": lpn.code, "from_code": here[0].location,
                          "key": new_confirmation_key()}
        else:
            raise ScanRejected(N_("Scan a loc or LPN, not {scan}"), scan=text[:20])

    def _on_item(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind != "item" or found.item is None:
            raise ScanRejected(N_("Scan an item, not {scan}"), scan=text[:20])
        item = found.item
        lines = [ln for ln in self.services.stock_at(self.state["from_id"], item.id)
                 if ln.status == "available" and ln.lpn_id is None]
        if found.lot:
            lines = [ln for ln in lines if ln.lot == found.lot]
        if not lines:
            raise ScanRejected(N_("No free {sku} here: scan another"), sku=item.sku)
        line = max(lines, key=lambda ln: ln.quantity - ln.reserved)
        self.state.update({"item_id": item.id, "sku": item.sku, "desc": item.description,
                           "uom": item.uom or item.base_uom, "expiry": iso(line.expiry),
                           "factor": item.factor, "base_uom": item.base_uom,
                           "lot": line.lot, "lot_id": line.lot_id,
                           "free": line.quantity - line.reserved})
        self.goto(MoveStep.QTY)

    def _on_qty(self, text: str) -> None:
        s = self.state
        qty = read_quantity(text)
        if qty != qty.to_integral_value():
            raise InvalidQuantity(N_("Key whole {uom} only"), uom=s["uom"])
        if int(qty) * s["factor"] > s["free"]:
            raise InvalidQuantity(N_("Only {n} {uom} free: key less"), n=s["free"] // s["factor"],
                                  uom=s["uom"])
        s.update({"qty": int(qty), "key": new_confirmation_key()})
        self.goto(MoveStep.TO)

    def _on_to(self, text: str) -> None:
        _ = self.t
        found = self.services.resolve(text)
        if found.kind != "location" or found.location is None:
            raise ScanRejected(N_("Scan a location, not {scan}"), scan=text[:20])
        to = found.location
        s = self.state
        if to.id == s["from_id"]:
            raise ScanRejected(N_("Same as from: scan another location"))
        key = s["key"]
        if s.get("lpn_id"):
            self.services.post(self.actor, MoveLpn(s["lpn_id"], to.id, f"MOVE-{s['lpn']}"),
                               s["key"])
            done = _("Moved LPN {lpn} to {to}").format(lpn=s["lpn"], to=to.code)
        else:
            uom = s["uom"]
            command = Move(s["item_id"], s["qty"], s["from_id"], to.id, f"MOVE-{s['from_code']}",
                           uom=uom, lot_id=s.get("lot_id"))
            self.services.post(self.actor, command, s["key"])
            done = _("Moved {qty} {uom} to {to}").format(qty=s["qty"], uom=uom, to=to.code)
        self.state = {"step": MoveStep.FROM}
        self.posted_as(key, done)

    def committed_summary(self, result: PostResult) -> str:
        """The destination was the scan that posted, so the state does not hold it."""
        s = self.state
        if lpn := s.get("lpn"):
            return self.t("Moved LPN {lpn}").format(lpn=lpn)
        if "qty" in s and "uom" in s:
            return self.t("Moved {qty} {uom}").format(qty=s["qty"], uom=s["uom"])
        return super().committed_summary(result)
