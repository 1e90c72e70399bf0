"""Replenish: directed moves from reserve to a pick face that fell below its minimum.

Keys per task on the happy path: Enter (next task) once, then per task scan the reserve
location, scan the item, Enter (all of it), scan the pick face. Check digits keyed count as
the scan of either location. Fewer than asked finishes the task and frees the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from wms_tui.domain.errors import N_, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.base import Fact, Flow, InputKind, Step, Translate, no_translation
from wms_tui.domain.flows.putaway import location_from_state, location_state
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, LocationRef
from wms_tui.domain.outbound import ReplenishResult, TaskRef, quantity_text
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.units import parse_quantity


class ReplenishServices(RfServices, Protocol):
    def next_replenishment(self, actor: Actor) -> TaskRef | None: ...
    def confirm_replenishment(
        self, actor: Actor, task_id: int, quantity: int, key: str
    ) -> ReplenishResult: ...


class ReplenishFlow(Flow):
    name = "replenish"
    services: ReplenishServices
    HELP: ClassVar[Mapping[str, str]] = {
        "start": N_("Enter takes the next replenishment: stock from reserve to a pick face "
                    "below its minimum."),
        "from": N_("Go to the reserve location shown and scan it, or key its check digits."),
        "item": N_("Scan the item to take."),
        "lot": N_("Scan or key the lot shown."),
        "qty": N_("Enter alone takes all asked. Fewer finishes the task; more is refused."),
        "to": N_("Take it to the pick face shown and scan it, or key its check digits."),
    }

    def __init__(self, actor: Actor, services: ReplenishServices,
                 t: Translate = no_translation, state: dict[str, Any] | None = None) -> None:
        super().__init__(actor, services, t, state)

    def first_step(self) -> str:
        return "start"

    def previous_step(self) -> str | None:
        return {"from": "start", "item": "from", "lot": "item", "qty": "item",
                "to": "qty"}.get(self.step_name)

    def resume(self) -> Step:
        key = self.state.get("key")
        if key and self.services.posted(key) is not None:
            self.state = {"step": "start"}
            self.succeed(self.t("Last confirmation was already posted"))
            self._next_task(self.message)
        return self.current()

    def _qty_text(self, base: int) -> str:
        task = self.state["task"]
        return quantity_text(base, task["base_uom"], 1, task["base_uom"])

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        if step != "start":
            task = s["task"]
            if step == "from":
                facts.append(Fact(_("From"), task["from"]["code"]))
            facts.append(Fact(_("Item"), task["sku"]))
            facts.append(Fact(_("Qty"), self._qty_text(s.get("qty") or task["remaining"])))
            if task["lot"]:
                facts.append(Fact(_("Lot"), task["lot"]))
            if step in ("qty", "to"):
                facts.append(Fact(_("To"), task["to"]["code"]))
        prompts = {
            "start": (_("Enter for next task"), InputKind.SCAN),
            "from": (_("Scan location"), InputKind.SCAN),
            "item": (_("Scan item"), InputKind.SCAN),
            "lot": (_("Scan or key lot"), InputKind.SCAN),
            "qty": (_("Qty (Enter=all)"), InputKind.QUANTITY),
            "to": (_("Scan pick face"), InputKind.SCAN),
        }
        prompt, kind = prompts[step]
        return Step(flow=self.name, name=step, title=_("Replenish"), prompt=prompt, input=kind,
                    facts=tuple(facts),
                    unsaved_work=step in ("item", "lot", "qty", "to"))

    def on_input(self, text: str) -> None:
        getattr(self, f"_on_{self.step_name}")(text)

    def _on_start(self, text: str) -> None:
        self._next_task()

    def _next_task(self, notice: str = "") -> None:
        _ = self.t
        task = self.services.next_replenishment(self.actor)
        if task is None:
            self.state = {"step": "start"}
            done = _("No replenishments")
            self.succeed(f"{notice} {done}" if notice else done)
            return
        assert task.to_location is not None
        self.state = {"step": "from", "task": {
            "id": task.id, "item_id": task.item_id, "sku": task.sku,
            "base_uom": task.base_uom, "lot": task.lot, "lot_tracked": task.lot_tracked,
            "remaining": task.remaining, "from": location_state(task.location),
            "to": location_state(task.to_location),
        }}
        if notice:
            self.succeed(notice)

    def _at(self, text: str, expected: LocationRef) -> None:
        found = self.services.resolve(text, expected_location=expected)
        if found.kind == "check_digits" or (
                found.kind == "location" and found.location is not None
                and found.location.id == expected.id):
            return
        if found.kind == "location":
            raise ScanRejected(N_("Wrong location: go to {loc}"), loc=expected.code)
        if text.strip().isdigit() and len(text.strip()) <= 4:
            raise ScanRejected(N_("Wrong check digits"))
        raise ScanRejected(N_("Not a location: {scan}"), scan=text[:20])

    def _on_from(self, text: str) -> None:
        self._at(text, location_from_state(self.state["task"]["from"]))
        self.goto("item")

    def _on_item(self, text: str) -> None:
        task = self.state["task"]
        found = self.services.resolve(text)
        if found.kind != "item" or found.item is None:
            raise ScanRejected(N_("Not an item: {scan}"), scan=text[:20])
        if found.item.id != task["item_id"]:
            raise ScanRejected(N_("Wrong item: take {sku}"), sku=task["sku"])
        if not task["lot"]:
            self.goto("qty")
        elif found.lot:
            self._on_lot(found.lot)
        else:
            self.goto("lot")

    def _on_lot(self, text: str) -> None:
        lot = self.state["task"]["lot"]
        if text.strip() != lot:
            raise ScanRejected(N_("Wrong lot: take {lot}"), lot=lot)
        self.goto("qty")

    def _on_qty(self, text: str) -> None:
        remaining = int(self.state["task"]["remaining"])
        if not text.strip():
            qty = remaining
        else:
            typed = parse_quantity(text)
            if typed != typed.to_integral_value():
                raise InvalidQuantity(N_("Whole {uom} only"),
                                      uom=self.state["task"]["base_uom"])
            qty = int(typed)
        if qty > remaining:
            raise InvalidQuantity(N_("Only {qty} asked"), qty=self._qty_text(remaining))
        self.goto("to", qty=qty, key=new_confirmation_key())

    def _on_to(self, text: str) -> None:
        _ = self.t
        s = self.state
        task = s["task"]
        self._at(text, location_from_state(task["to"]))
        result = self.services.confirm_replenishment(self.actor, task["id"], s["qty"],
                                                     s["key"])
        notice = _("Moved {qty} to {to}").format(qty=self._qty_text(result.quantity),
                                                 to=result.to_location)
        self._next_task(notice)

