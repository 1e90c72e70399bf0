"""Count: a blind cycle count of one location, item by item, then "location done".

Keys on the happy path: Enter (next task), scan the location, then per item scan it and key
the quantity + Enter; Enter alone at the item prompt (or the word DONE) and 1 = location done.
A GS1 label fills the lot; a lot-tracked item without one asks for it. A serial-tracked item
asks, after the quantity, the serial of each unit counted (flows.serial_step), so the books
learn which units are here when the count posts. The same item scanned twice (two stacks) is
added up. The book quantity never reaches this flow: the services take
the count and answer only "posted", "recount needed" or "sent for approval".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar, Literal, Protocol, TypedDict

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.counting import (
    CountResult,
    CountStatus,
    CountTaskChanged,
    CountTaskRef,
)
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.base import (
    Fact,
    Flow,
    FlowState,
    InputKind,
    Step,
    Tone,
    Translate,
    item_facts,
    lot_facts,
    no_translation,
)
from wms_tui.domain.flows.putaway import LocationState, location_from_state, location_state
from wms_tui.domain.flows.serial_step import check_serial_count, scanned_serial
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.inbound import valid_lot
from wms_tui.domain.model import Actor, PostResult
from wms_tui.domain.scan import GS, normalize_scan, parse_gs1
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.units import not_a_quantity, parse_quantity

DONE_WORD = "DONE"
MAX_LINES = 200
MAX_QTY = 1_000_000
ZERO = re.compile(r"0+(?:\.0*)?")
# Everything about the item being counted; cleared when its quantity is keyed.
ItemKey = Literal["item_id", "sku", "desc", "uom", "factor", "lot_tracked", "lot", "lot_id",
                  "asked_lot", "serial_tracked", "qty", "keyed", "serials"]
ITEM_KEYS: tuple[ItemKey, ...] = ("item_id", "sku", "desc", "uom", "factor", "lot_tracked", "lot",
                                  "lot_id", "asked_lot", "serial_tracked", "qty", "keyed",
                                  "serials")


class CountStep(enum.StrEnum):
    TASK = "task"
    LOC = "loc"
    ITEM = "item"
    LOT = "lot"
    QTY = "qty"
    SERIAL = "serial"
    DONE = "done"


class CountTaskState(TypedDict):
    id: int
    location: str
    attempt: int
    # Set when the task counts one item only.
    item_id: int | None
    sku: str | None


class CountLineState(TypedDict):
    """One counted stack, in base units."""

    item_id: int
    lot_id: int | None
    sku: str
    lot: str | None
    qty: int
    # The units' serials, for a serial-tracked item.
    serials: list[str]


class CountState(FlowState, total=False):
    task: CountTaskState
    where: LocationState
    lines: list[CountLineState]
    # The ledger position when counting began: later movements happened during the count.
    started_at: int
    item_id: int
    sku: str
    desc: str
    uom: str
    factor: int
    lot_tracked: bool
    lot: str
    lot_id: int
    # The lot step was asked (the scan gave none), so Back from the quantity returns to it.
    asked_lot: bool
    # A serial-tracked item: the quantity counted (base units and as keyed) waits for the
    # serial of each unit.
    serial_tracked: bool
    qty: int
    keyed: int
    serials: list[str]


class CountServices(RfServices, Protocol):
    """What counting needs beyond RfServices; domain.counting.CountingServicesMixin provides it."""

    def count_tasks(self, actor: Actor, location_id: int | None = None) -> list[CountTaskRef]:
        """Tasks this operator may count now, in the order to do them."""
        ...

    def ledger_position(self) -> int: ...

    def submit_count(
        self, actor: Actor, task_id: int, lines: Sequence[tuple[int, int | None, int]],
        key: str, *, attempt: int | None = None, started_at: int | None = None,
        serials: Mapping[tuple[int, int | None], Sequence[str]] | None = None,
    ) -> CountResult: ...


def _shown(text: str) -> str:
    return text.strip().replace(GS, " ")[:20]


class CountFlow(Flow[CountState, CountStep]):
    name = "count"
    services: CountServices
    HELP: ClassVar[Mapping[str, str]] = {
        CountStep.TASK: N_("Enter alone takes the next count task; or scan the location you "
                           "are at to count its task."),
        CountStep.LOC: N_("Go to the location shown and scan its label, or key its check "
                          "digits if the label is damaged."),
        CountStep.ITEM: N_("Scan each item in the location and key how many you count. Count "
                           "everything you see. Enter alone when the location is done."),
        CountStep.LOT: N_("Scan or key the lot on the label: up to 20 characters, no spaces."),
        CountStep.QTY: N_("Key how many you count, in the unit shown. 0 if there are none."),
        CountStep.SERIAL: N_("Scan the serial of each unit you counted, one by one; a GS1 "
                             "label's serial (21) counts."),
        CountStep.DONE: N_("1 sends the count. 2 goes back to count more items."),
    }

    def __init__(self, actor: Actor, services: CountServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        super().__init__(actor, services, t, state)

    def first_step(self) -> CountStep:
        return CountStep.TASK

    def previous_step(self) -> CountStep | None:
        if self.step_name == CountStep.QTY and self.state.get("asked_lot"):
            return CountStep.LOT
        return {CountStep.LOC: CountStep.TASK, CountStep.ITEM: CountStep.TASK,
                CountStep.LOT: CountStep.ITEM, CountStep.QTY: CountStep.ITEM,
                CountStep.SERIAL: CountStep.QTY,
                CountStep.DONE: CountStep.ITEM}.get(self.step_name)

    def back(self) -> Step | None:
        leaving = self.step_name
        step = super().back()
        if step is not None and leaving == CountStep.SERIAL:
            # Serials are asked again from the first, after the quantity.
            self.state.pop("serials", None)
        return step

    # Rendering.

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        if step != CountStep.TASK:
            task = s["task"]
            facts.append(Fact(_("Loc"), task["location"]))
            if task["attempt"] > 0:
                facts.append(Fact(_("Count"), _("Recount")))
            only = task.get("sku")
            if only and step in (CountStep.LOC, CountStep.ITEM):
                facts.append(Fact(_("Only"), only))
        if step in (CountStep.LOT, CountStep.QTY, CountStep.SERIAL):
            facts.extend(item_facts(_, s["sku"], s.get("desc")))
            facts.extend(lot_facts(_, s.get("lot"), None))
        if step == CountStep.SERIAL and (serials := s.get("serials")):
            facts.append(Fact(_("Serial"), serials[-1]))
        if step in (CountStep.ITEM, CountStep.DONE):
            facts.append(Fact(_("Lines"), str(len(s.get("lines", [])))))
        prompts = {
            CountStep.TASK: (_("Scan loc or Enter"), InputKind.SCAN),
            CountStep.LOC: (_("Scan location"), InputKind.SCAN),
            CountStep.ITEM: (_("Scan item/Enter=done"), InputKind.SCAN),
            CountStep.LOT: (_("Scan or key lot"), InputKind.SCAN),
            CountStep.QTY: (_("Qty in {uom}").format(uom=s.get("uom", "")), InputKind.QUANTITY),
            CountStep.SERIAL: (_("Serial {n} of {total}").format(
                n=len(s.get("serials", [])) + 1, total=s.get("qty", 0)), InputKind.SCAN),
            CountStep.DONE: (_("Location done?"), InputKind.YESNO),
        }
        prompt, kind = prompts[step]
        return Step(
            flow=self.name, name=step, title=_("Count"), prompt=prompt, input=kind,
            facts=tuple(facts),
            choices=("1 " + _("Yes"), "2 " + _("No")) if step == CountStep.DONE else (),
            unsaved_work=bool(s.get("lines")) or step in (CountStep.LOT, CountStep.QTY,
                                                          CountStep.SERIAL),
        )

    # Input.

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def _on_task(self, text: str) -> None:
        if not text.strip():
            tasks = self.services.count_tasks(self.actor)
            if not tasks:
                raise ScanRejected(N_("No count tasks now: Esc for menu"))
            self._take(tasks[0], at_location=False)
            return
        found = self.services.resolve(text)
        if found.kind != "location" or found.location is None:
            raise ScanRejected(N_("Scan a location, not {scan}"), scan=_shown(text))
        tasks = self.services.count_tasks(self.actor, found.location.id)
        if not tasks:
            raise ScanRejected(N_("No count at {loc}: Enter = next task"), loc=found.location.code)
        self._take(tasks[0], at_location=True)

    def _take(self, task: CountTaskRef, *, at_location: bool) -> None:
        found = self.services.resolve(task.location)
        if found.location is None:
            raise ScanRejected(N_("Scan a location, not {scan}"), scan=task.location)
        self.state = {
            "step": CountStep.LOC,
            "task": {"id": task.id, "location": task.location, "attempt": task.attempt,
                     "item_id": task.item_id, "sku": task.sku},
            "where": location_state(found.location),
        }
        if at_location:
            self._start_counting()

    def _start_counting(self) -> None:
        # Movements from here on happened while the location was being counted.
        # The key is made now and saved with every step, so however the count is sent (Enter,
        # the last quantity, "Location done?") a resume after a crash can ask if it posted.
        self.state.update({"lines": [], "started_at": self.services.ledger_position(),
                           "key": new_confirmation_key()})
        self.goto(CountStep.ITEM)

    def _on_loc(self, text: str) -> None:
        where = location_from_state(self.state["where"])
        found = self.services.resolve(text, expected_location=where)
        if found.kind == "check_digits" or (
                found.kind == "location" and found.location is not None
                and found.location.id == where.id):
            self._start_counting()
            return
        if found.kind == "location":
            raise ScanRejected(N_("Wrong location: go to {loc}"),
                               loc=self.state["task"]["location"])
        if is_ascii_digits(text.strip()) and len(text.strip()) <= 4:
            raise ScanRejected(N_("Wrong check digits: key them again"))
        raise ScanRejected(N_("Scan a location, not {scan}"), scan=_shown(text))

    def _on_item(self, text: str) -> None:
        if not text.strip() or text.strip().upper() == DONE_WORD:
            if self.state["lines"]:
                # Enter on "Enter=done" after counting is the confirmation; only a count of
                # nothing at all (the books go to zero) is asked again.
                self._submit()
                return
            self.goto(CountStep.DONE)
            return
        found = self.services.resolve(text)
        if found.kind == "location" and found.location is not None:
            if found.location.id == self.state["where"]["id"]:
                return
            raise ScanRejected(N_("Finish {loc} first"), loc=self.state["task"]["location"])
        item = found.item
        if found.kind != "item" or item is None:
            raise ScanRejected(N_("Scan an item, not {scan}"), scan=_shown(text))
        only = self.state["task"].get("item_id")
        if only is not None and item.id != only:
            raise ScanRejected(N_("Count {sku} only"), sku=self.state["task"]["sku"])
        if len(self.state["lines"]) >= MAX_LINES:
            raise BadInput(N_("Too many lines: key Enter"))
        self._forget_item()
        self.state.update({"item_id": item.id, "sku": item.sku, "desc": item.description,
                           "uom": item.uom or item.base_uom,
                           "factor": item.factor, "lot_tracked": item.lot_tracked,
                           "serial_tracked": item.serial_tracked})
        if not item.lot_tracked:
            self.goto(CountStep.QTY)
        elif found.lot is not None:
            self._set_lot(found.lot)
            self.goto(CountStep.QTY)
        else:
            self.state["asked_lot"] = True
            self.goto(CountStep.LOT)

    def _forget_item(self) -> None:
        for name in ITEM_KEYS:
            self.state.pop(name, None)

    def _on_lot(self, text: str) -> None:
        scan = normalize_scan(text)
        gs1 = parse_gs1(scan) if scan.gs1 else None
        self._set_lot(gs1.lot if gs1 is not None and gs1.lot else scan.text.strip())
        self.goto(CountStep.QTY)

    def _set_lot(self, lot: str) -> None:
        if not valid_lot(lot):
            raise BadInput(N_("Key a lot of 1-20 chars, no spaces"))
        lot_id = self.services.lot_id(self.state["item_id"], lot)
        if lot_id is None:
            # A lot the warehouse never received cannot be counted into stock from here.
            raise ScanRejected(N_("Unknown lot {lot}: tell a supervisor"), lot=lot)
        self.state.update({"lot": lot, "lot_id": lot_id})

    def _on_qty(self, text: str) -> None:
        s = self.state
        try:
            # 0 is a count ("none here"), though never a quantity to move or receive.
            qty = Decimal(0) if ZERO.fullmatch(text.strip()) else parse_quantity(text)
        except InvalidQuantity:
            raise not_a_quantity(_shown(text)) from None
        if qty != qty.to_integral_value():
            raise InvalidQuantity(N_("Key whole {uom} only"), uom=s["uom"])
        if not 0 <= qty <= MAX_QTY:
            raise not_a_quantity(_shown(text))
        base = int(qty) * s["factor"]
        if s.get("serial_tracked") and base > 0:
            check_serial_count(base)
            s.update({"qty": base, "keyed": int(qty), "serials": []})
            self.goto(CountStep.SERIAL)
            return
        self._add_line(base, int(qty), [])

    def _on_serial(self, text: str) -> None:
        """One counted unit's serial; the last one adds the line. Where the books have it is
        settled when the count posts, so a unit the books have elsewhere is taken too."""
        s = self.state
        taken = [serial for line in s["lines"] if line["item_id"] == s["item_id"]
                 for serial in line.get("serials", ())]
        serials = s.setdefault("serials", [])
        serials.append(scanned_serial(self.services, text, s["item_id"], [*taken, *serials]))
        if len(serials) >= s["qty"]:
            self._add_line(s["qty"], s["keyed"], serials)

    def _add_line(self, base: int, keyed: int, serials: list[str]) -> None:
        s = self.state
        s["lines"].append({"item_id": s["item_id"], "lot_id": s.get("lot_id"),
                           "sku": s["sku"], "lot": s.get("lot"), "qty": base,
                           "serials": serials})
        done = self.t("Counted {qty} {uom} {sku}").format(qty=keyed, uom=s["uom"],
                                                          sku=s["sku"])
        one_stack = s["task"].get("item_id") is not None and not s.get("lot_tracked")
        self._forget_item()
        if one_stack:
            # A task for one item without lots is counted in full by its one quantity: the
            # quantity keyed and Enter confirm it, so "Location done?" would only cost keys.
            self._submit()
            return
        self.goto(CountStep.ITEM)
        self.succeed(done)

    def _on_done(self, text: str) -> None:
        answer = text.strip()
        if answer == "2":
            self.goto(CountStep.ITEM)
            return
        if answer != "1":
            raise BadInput(N_("Key 1 or 2"))
        self._submit()

    def _submit(self) -> None:
        s = self.state
        s.setdefault("key", new_confirmation_key())
        task = s["task"]
        lines = [(ln["item_id"], ln["lot_id"], ln["qty"]) for ln in s["lines"]]
        serials: dict[tuple[int, int | None], list[str]] = {}
        for ln in s["lines"]:
            serials.setdefault((ln["item_id"], ln["lot_id"]), []).extend(ln.get("serials", ()))
        try:
            result = self.services.submit_count(
                self.actor, task["id"], lines, s["key"], attempt=task["attempt"],
                started_at=s.get("started_at"), serials=serials)
        except CountTaskChanged as changed:
            # Someone else's count came first: this one is void, so start from a task again.
            self.state = {"step": CountStep.TASK}
            self.message, self.tone = changed.render(self.t), Tone.ERROR
            return
        self._after(result)

    def _after(self, result: CountResult) -> None:
        _ = self.t
        key = self.state["key"]
        if result.status == CountStatus.RECOUNT:
            message = _("Recount needed")
            if result.may_recount:
                task = self.state["task"].copy()
                task["attempt"] = result.attempt
                self.state = {"step": CountStep.LOC, "task": task, "where": self.state["where"]}
                self._start_counting()
                self.posted_as(key, message)
                return
        elif result.status == CountStatus.PENDING_APPROVAL:
            message = _("Sent for approval")
        else:
            message = _("Count posted")
        self.state = {"step": CountStep.TASK}
        self.posted_as(key, message)

    def committed_summary(self, result: PostResult) -> str:
        """What the count came to (posted, approval, recount) is not in the state."""
        if (task := self.state.get("task")) is None:
            return super().committed_summary(result)
        return self.t("Count of {loc} sent").format(loc=task["location"])
