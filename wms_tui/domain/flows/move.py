"""Move: from a location (an item quantity) or a whole LPN, to another location."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from wms_tui.domain.errors import N_, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.base import Fact, Flow, InputKind, Step
from wms_tui.domain.stock import Move, MoveLpn, new_confirmation_key
from wms_tui.domain.units import parse_quantity


class MoveFlow(Flow):
    name = "move"
    HELP: ClassVar[Mapping[str, str]] = {
        "from": N_("Scan the location the stock is in, or an LPN to move the whole pallet."),
        "item": N_("Scan the item to move. A lot on its label moves that lot."),
        "qty": N_("Key how many to move, in the unit of the barcode you scanned; at most "
                  "the free quantity shown."),
        "to": N_("Scan the location it goes to. The move is posted when you scan it."),
    }

    def first_step(self) -> str:
        return "from"

    def previous_step(self) -> str | None:
        if self.step_name == "to" and self.state.get("lpn"):
            return "from"
        return {"item": "from", "qty": "item", "to": "qty"}.get(self.step_name)

    def render(self) -> Step:
        _ = self.t
        s = self.state
        facts: list[Fact] = []
        if s.get("from_code"):
            facts.append(Fact(_("From"), s["from_code"]))
        if s.get("lpn"):
            facts.append(Fact(_("LPN"), s["lpn"]))
        if s.get("sku"):
            facts.append(Fact(_("Item"), s["sku"]))
        if s.get("lot"):
            facts.append(Fact(_("Lot"), s["lot"]))
        if s.get("qty"):
            facts.append(Fact(_("Qty"), f"{s['qty']} {s['uom']}"))
        elif s.get("free") is not None and self.step_name == "qty":
            facts.append(Fact(_("Free"), f"{s['free'] // s['factor']} {s['uom']}"))
        prompts = {
            "from": (_("Scan from location or LPN"), InputKind.SCAN),
            "item": (_("Scan item"), InputKind.SCAN),
            "qty": (_("Quantity"), InputKind.QUANTITY),
            "to": (_("Scan to location"), InputKind.SCAN),
        }
        prompt, kind = prompts[self.step_name]
        return Step(
            flow=self.name, name=self.step_name, title=_("Move"), prompt=prompt, input=kind,
            facts=tuple(facts), unsaved_work=self.step_name != "from",
        )

    def on_input(self, text: str) -> None:
        getattr(self, f"_on_{self.step_name}")(text)

    def _on_from(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind == "location" and found.location is not None:
            self.state = {"step": "item", "from_id": found.location.id,
                          "from_code": found.location.code}
        elif found.kind == "lpn" and found.lpn is not None:
            lpn = found.lpn
            if lpn.location_id is None or not self.services.stock_at(lpn.location_id):
                raise ScanRejected(N_("LPN {code} is empty"), code=lpn.code)
            here = self.services.stock_at(lpn.location_id)
            self.state = {"step": "to", "from_id": lpn.location_id, "lpn_id": lpn.id,
                          "lpn": lpn.code, "from_code": here[0].location,
                          "key": new_confirmation_key()}
        else:
            raise ScanRejected(N_("Not a location or LPN: {scan}"), scan=text[:20])

    def _on_item(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind != "item" or found.item is None:
            raise ScanRejected(N_("Not an item: {scan}"), scan=text[:20])
        item = found.item
        lines = [ln for ln in self.services.stock_at(self.state["from_id"], item.id)
                 if ln.status == "available" and ln.lpn_id is None]
        if found.lot:
            lines = [ln for ln in lines if ln.lot == found.lot]
        if not lines:
            raise ScanRejected(N_("No free {sku} here"), sku=item.sku)
        line = max(lines, key=lambda ln: ln.quantity - ln.reserved)
        uom = item.uom or item.base_uom
        self.goto("qty", item_id=item.id, sku=item.sku, uom=uom, factor=item.factor,
                  lot=line.lot, lot_id=line.lot_id, free=line.quantity - line.reserved)

    def _on_qty(self, text: str) -> None:
        qty = parse_quantity(text)
        if qty != qty.to_integral_value():
            raise InvalidQuantity(N_("Whole {uom} only"), uom=self.state["uom"])
        if int(qty) * int(self.state["factor"]) > int(self.state["free"]):
            raise InvalidQuantity(N_("Only {n} {uom} free"),
                                  n=self.state["free"] // self.state["factor"],
                                  uom=self.state["uom"])
        self.goto("to", qty=int(qty), key=new_confirmation_key())

    def _on_to(self, text: str) -> None:
        _ = self.t
        found = self.services.resolve(text)
        if found.kind != "location" or found.location is None:
            raise ScanRejected(N_("Not a location: {scan}"), scan=text[:20])
        to = found.location
        if to.id == self.state["from_id"]:
            raise ScanRejected(N_("Same as the from location"))
        s = self.state
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
        self.state = {"step": "from"}
        self.succeed(done)
