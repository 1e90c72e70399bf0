"""Replenish: directed moves from reserve to a pick face that fell below its minimum.

Keys per task on the happy path: Enter (next task) once, then per task scan the reserve
location, scan the item, Enter (all of it), scan the pick face. Check digits keyed count as
the scan of either location. Fewer than asked finishes the task and frees the rest.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import ClassVar, NotRequired, Protocol, TypedDict

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import N_, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.base import (
    Fact,
    Flow,
    FlowState,
    InputKind,
    Step,
    Translate,
    iso,
    item_facts,
    lot_facts,
    no_translation,
)
from wms_tui.domain.flows.context import location_contents
from wms_tui.domain.flows.putaway import LocationState, location_from_state, location_state
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, LocationRef, PostResult
from wms_tui.domain.outbound import ReplenishResult, TaskRef, quantity_text
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.units import read_quantity


class ReplenishServices(RfServices, Protocol):
    def next_replenishment(self, actor: Actor) -> TaskRef | None: ...
    def confirm_replenishment(
        self, actor: Actor, task_id: int, quantity: int, key: str
    ) -> ReplenishResult: ...


class ReplenishStep(enum.StrEnum):
    START = "start"
    FROM = "from"
    ITEM = "item"
    LOT = "lot"
    QTY = "qty"
    TO = "to"


# "from" is a keyword, so this TypedDict is spelt as a call.
ReplenishTaskState = TypedDict("ReplenishTaskState", {
    "id": int, "item_id": int, "sku": str, "base_uom": str, "lot": str | None,
    "lot_tracked": bool, "remaining": int, "from": LocationState, "to": LocationState,
    # States saved before descriptions and expiries were shown do not have them.
    "desc": NotRequired[str], "expiry": NotRequired[str | None],
})


class ReplenishState(FlowState, total=False):
    task: ReplenishTaskState
    qty: int


class ReplenishFlow(Flow[ReplenishState, ReplenishStep]):
    name = "replenish"
    services: ReplenishServices
    HELP: ClassVar[Mapping[str, str]] = {
        ReplenishStep.START: N_("Enter takes the next replenishment: stock from reserve to a "
                                "pick face below its minimum."),
        ReplenishStep.FROM: N_("Go to the reserve location shown and scan it, or key its "
                               "check digits."),
        ReplenishStep.ITEM: N_("Scan the item to take."),
        ReplenishStep.LOT: N_("Scan or key the lot shown, or Enter to take it."),
        ReplenishStep.QTY: N_("Enter alone takes all asked. Fewer finishes the task; more is "
                              "refused."),
        ReplenishStep.TO: N_("Take it to the pick face shown and scan it, or key its check "
                             "digits."),
    }

    def __init__(self, actor: Actor, services: ReplenishServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        super().__init__(actor, services, t, state)

    def first_step(self) -> ReplenishStep:
        return ReplenishStep.START

    def previous_step(self) -> ReplenishStep | None:
        return {ReplenishStep.FROM: ReplenishStep.START, ReplenishStep.ITEM: ReplenishStep.FROM,
                ReplenishStep.LOT: ReplenishStep.ITEM, ReplenishStep.QTY: ReplenishStep.ITEM,
                ReplenishStep.TO: ReplenishStep.QTY}.get(self.step_name)

    def committed_summary(self, result: PostResult) -> str:
        s = self.state
        if "qty" not in s or "task" not in s:
            return super().committed_summary(result)
        return self.t("Moved {qty} to {to}").format(qty=self._qty_text(s["qty"]),
                                                    to=s["task"]["to"]["code"])

    def move_on(self, notice: str) -> None:
        """A committed replenishment: the next task follows, as it would have."""
        self.state = {"step": ReplenishStep.START}
        self._next_task(notice)

    def _qty_text(self, base: int) -> str:
        task = self.state["task"]
        return quantity_text(base, task["base_uom"], 1, task["base_uom"])

    def context(self) -> tuple[Fact, ...]:
        """Beside a task on a wide screen: what is already on the pick face, then what is at
        the reserve location."""
        task = self.state.get("task")
        if task is None:
            return ()
        return tuple(fact for loc in (task["to"], task["from"])
                     for fact in location_contents(self.t, self.services, loc["id"], loc["code"]))

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        if step != ReplenishStep.START:
            task = s["task"]
            if step == ReplenishStep.FROM:
                facts.append(Fact(_("From"), task["from"]["code"]))
            facts.extend(item_facts(_, task["sku"], task.get("desc")))
            facts.append(Fact(_("Qty"), self._qty_text(s.get("qty") or task["remaining"])))
            facts.extend(lot_facts(_, task["lot"], task.get("expiry")))
            if step in (ReplenishStep.QTY, ReplenishStep.TO):
                facts.append(Fact(_("To"), task["to"]["code"]))
        prompts = {
            ReplenishStep.START: (_("Enter for next task"), InputKind.SCAN),
            ReplenishStep.FROM: (_("Scan location"), InputKind.SCAN),
            ReplenishStep.ITEM: (_("Scan item"), InputKind.SCAN),
            ReplenishStep.LOT: (_("Scan lot or Enter"), InputKind.SCAN),
            ReplenishStep.QTY: (_("Qty (Enter=all)"), InputKind.QUANTITY),
            ReplenishStep.TO: (_("Scan pick face"), InputKind.SCAN),
        }
        prompt, kind = prompts[step]
        return Step(flow=self.name, name=step, title=_("Replenish"), prompt=prompt, input=kind,
                    facts=tuple(facts),
                    unsaved_work=step in (ReplenishStep.ITEM, ReplenishStep.LOT,
                                          ReplenishStep.QTY, ReplenishStep.TO))

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def _on_start(self, text: str) -> None:
        self._next_task()

    def _next_task(self, notice: str = "") -> None:
        _ = self.t
        task = self.services.next_replenishment(self.actor)
        if task is None:
            self.state = {"step": ReplenishStep.START}
            # One message: what posted, then that nothing is left, as pick says it.
            self.succeed(_("{notice}: no more tasks").format(notice=notice) if notice
                         else _("No replenishments"))
            return
        assert task.to_location is not None
        self.state = {"step": ReplenishStep.FROM, "task": {
            "id": task.id, "item_id": task.item_id, "sku": task.sku, "desc": task.description,
            "expiry": iso(task.expiry), "base_uom": task.base_uom, "lot": task.lot,
            "lot_tracked": task.lot_tracked,
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
        if is_ascii_digits(text.strip()) and len(text.strip()) <= 4:
            raise ScanRejected(N_("Wrong check digits: key them again"))
        raise ScanRejected(N_("Scan a location, not {scan}"), scan=text[:20])

    def _on_from(self, text: str) -> None:
        self._at(text, location_from_state(self.state["task"]["from"]))
        self.goto(ReplenishStep.ITEM)

    def _on_item(self, text: str) -> None:
        task = self.state["task"]
        found = self.services.resolve(text)
        if found.kind != "item" or found.item is None:
            raise ScanRejected(N_("Scan an item, not {scan}"), scan=text[:20])
        if found.item.id != task["item_id"]:
            raise ScanRejected(N_("Wrong item: take {sku}"), sku=task["sku"])
        if not task["lot"]:
            self.goto(ReplenishStep.QTY)
        elif found.lot:
            self._on_lot(found.lot)
        else:
            self.goto(ReplenishStep.LOT)

    def _on_lot(self, text: str) -> None:
        lot = self.state["task"]["lot"]
        # The task names one lot, shown on the screen: Enter takes it, as pick's offer does.
        if text.strip() not in ("", lot):
            raise ScanRejected(N_("Wrong lot: take {lot}"), lot=lot)
        self.goto(ReplenishStep.QTY)

    def _on_qty(self, text: str) -> None:
        remaining = int(self.state["task"]["remaining"])
        if not text.strip():
            qty = remaining
        else:
            typed = read_quantity(text)
            if typed != typed.to_integral_value():
                raise InvalidQuantity(N_("Key whole {uom} only"),
                                      uom=self.state["task"]["base_uom"])
            qty = int(typed)
        if qty > remaining:
            raise InvalidQuantity(N_("Only {qty} asked: key less"), qty=self._qty_text(remaining))
        self.state.update({"qty": qty, "key": new_confirmation_key()})
        self.goto(ReplenishStep.TO)

    def _on_to(self, text: str) -> None:
        _ = self.t
        s = self.state
        task = s["task"]
        self._at(text, location_from_state(task["to"]))
        key = s["key"]
        result = self.services.confirm_replenishment(self.actor, task["id"], s["qty"], key)
        notice = _("Moved {qty} to {to}").format(qty=self._qty_text(result.quantity),
                                                 to=result.to_location)
        self.posted_as(key, notice)
        self._next_task(notice)

