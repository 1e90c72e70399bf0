"""Pick: directed tasks in walk order, a wave's lines across orders in one trip (batch) or one
order's lines, each dropped into the tote of its order.

Keys per line on the happy path: scan the location (or key its check digits), scan the item,
Enter (the quantity asked), scan the order's tote, or just Enter when the order has a tote
already (this trip's, or the one the database binds to the order). A GS1 label with a lot
answers the lot; a lot-tracked item scanned without one asks for it. A different lot may be
picked when it is at the location, free, and expires no later than the allocated one (FEFO);
the reservation follows it. A serial-tracked item asks, after the quantity, the serial of
each unit, each checked to be in stock at the location; the pick posts them with it.

Less than asked, or F5 once the location is scanned (supervisors: also before), is a short
pick: a reason, the quantity really picked (when not typed already), a yes/no confirmation
stating how many go short, then the tote if anything was picked. When a pick empties the
location the picker is asked whether it really is empty; "no" sends a counter.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import ClassVar, Literal

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.base import (
    Fact,
    Flow,
    InputKind,
    Step,
    Translate,
    iso,
    item_facts,
    lot_facts,
    no_translation,
    units_text,
)
from wms_tui.domain.flows.context import pick_context
from wms_tui.domain.flows.pick_state import (
    PickServices,
    PickState,
    PickTaskState,
    ShortState,
    ToteState,
    scope_from_state,
    scope_state,
    task_state,
)
from wms_tui.domain.flows.putaway import location_from_state
from wms_tui.domain.flows.serial_step import check_serial_count, serial_here
from wms_tui.domain.model import Actor, LocationType, PostResult
from wms_tui.domain.outbound import quantity_text
from wms_tui.domain.permissions import Action, can
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.units import read_quantity


class PickStep(enum.StrEnum):
    START = "start"
    LOC = "loc"
    ITEM = "item"
    LOT = "lot"
    QTY = "qty"
    REASON = "reason"
    SQTY = "sqty"
    CONFIRM = "confirm"
    DROP = "drop"
    ZERO = "zero"
    SERIAL = "serial"


TASK_STEPS = (PickStep.LOC, PickStep.ITEM, PickStep.LOT, PickStep.QTY)
SHORT_STEPS = (PickStep.REASON, PickStep.SQTY, PickStep.CONFIRM)
# Everything about the current line; cleared when the next task starts.
LineKey = Literal["task", "lot", "lot_id", "lot_expiry", "qty", "short", "key", "zero",
                  "bound", "serial_tracked", "serials", "lot_offer"]
LINE_KEYS: tuple[LineKey, ...] = ("task", "lot", "lot_id", "lot_expiry", "qty", "short", "key",
                                  "zero", "bound", "serial_tracked", "serials", "lot_offer")


class PickFlow(Flow[PickState, PickStep]):
    name = "pick"
    services: PickServices
    EXCEPTION = N_("Short")
    HELP: ClassVar[Mapping[str, str]] = {
        PickStep.START: N_("Enter takes your next pick task. Scan a wave to pick all its orders "
                           "in one trip, or an order to pick only that order."),
        PickStep.LOC: N_("Go to the location shown and scan its label, or key its check "
                         "digits. Scan it before F5 (short pick)."),
        PickStep.ITEM: N_("Scan the item. A lot on the label is checked. F5: short pick."),
        PickStep.LOT: N_("Scan or key the lot; Enter takes the lot shown if it is the only one "
                         "here. Another lot here that expires no later is allowed. F5: short "
                         "pick."),
        PickStep.QTY: N_("Enter alone picks all asked. Key fewer for a short pick; more is "
                         "refused. F5: short pick."),
        PickStep.REASON: N_("A short pick of this line: key the number of the reason. You see "
                            "how many go short and confirm before anything is posted."),
        PickStep.SQTY: N_("Key how many you really picked, 0 if none. The rest is taken from "
                          "another location or reported short."),
        PickStep.CONFIRM: N_("1 posts the short shown: the rest is taken from another location "
                             "or reported short. 2 cancels the short and keeps the line."),
        PickStep.DROP: N_("Put the items in the tote of the order shown and scan it. Enter "
                          "alone: the tote shown. Each order has its own tote."),
        PickStep.ZERO: N_("Is the location really empty now? 2 (No) sends a counter."),
        PickStep.SERIAL: N_("Scan the serial of each unit you take, one by one; a GS1 label's "
                            "serial (21) counts. Each must be at this location."),
    }

    def __init__(self, actor: Actor, services: PickServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        super().__init__(actor, services, t, state)

    def first_step(self) -> PickStep:
        return PickStep.START

    # Navigation.

    def previous_step(self) -> PickStep | None:
        step = self.step_name
        short = self.state.get("short")
        if step == PickStep.DROP:
            if short:
                return PickStep.CONFIRM
            return PickStep.SERIAL if self.state.get("serials") else PickStep.QTY
        if step == PickStep.CONFIRM:
            return PickStep.SQTY if short and short["asked"] else PickStep.REASON
        if step == PickStep.REASON:
            return PickStep(short["from"]) if short else PickStep.QTY
        return {PickStep.LOC: PickStep.START, PickStep.ITEM: PickStep.LOC,
                PickStep.LOT: PickStep.ITEM, PickStep.QTY: PickStep.ITEM,
                PickStep.SQTY: PickStep.REASON,
                PickStep.SERIAL: PickStep.CONFIRM if short else PickStep.QTY}.get(step)

    def back(self) -> Step | None:
        """Back keeps the trip (scope and totes); leaving a short pick forgets it."""
        scope, totes = self.state.get("scope"), self.state.get("totes")
        leaving = self.step_name
        step = super().back()
        if step is None:
            return None
        if self.step_name == PickStep.START:
            self.state = {"step": PickStep.START}
            if scope is not None:
                self.state["scope"] = scope
            if totes is not None:
                self.state["totes"] = totes
        elif leaving == PickStep.REASON:
            self._forget_short()
        if PickStep.SERIAL in (leaving, self.step_name):
            # Serials are asked again from the first.
            self.state.pop("serials", None)
        return self.current()

    def _forget_short(self) -> None:
        """The line as it was before the short began: nothing of it was posted."""
        self.state.pop("short", None)
        self.state.pop("qty", None)
        self.state.pop("key", None)

    def committed_summary(self, result: PostResult) -> str:
        """The pick, short pick or "not empty" answer the state was about to post."""
        _ = self.t
        s = self.state
        if self.step_name == PickStep.ZERO:
            return _("Count task created")
        if s.get("short"):
            return _("Short posted")
        if "qty" in s and "task" in s:
            return _("Picked {qty}").format(qty=self._qty_text(s["qty"]))
        return super().committed_summary(result)

    def move_on(self, notice: str) -> None:
        """A committed confirmation: the next task follows, as it would have."""
        self._clear_line()
        self.goto(PickStep.START)
        self._next_task(notice=notice)

    # Rendering.

    def _task(self) -> PickTaskState:
        return self.state["task"]

    def _qty_text(self, base: int) -> str:
        task = self._task()
        return quantity_text(base, task["unit"], task["factor"], task["base_uom"])

    def _units(self, base: int) -> str:
        """A quantity as a fact shows it: in the task's unit, the base units beside it."""
        task = self._task()
        return units_text(base, task["unit"], task["factor"], task["base_uom"])

    def tote(self) -> ToteState | None:
        """The order's tote: this trip's, else the one the database binds to the order."""
        totes = self.state.get("totes") or {}
        return totes.get(self._task()["order"]) or self.state.get("bound")

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        choices: tuple[str, ...] = ()
        if step == PickStep.START and (scope := s.get("scope")):
            facts.append(Fact(_("Wave") if scope["kind"] == "wave" else _("Order"),
                              scope["code"]))
        if step in TASK_STEPS:
            # Most needed first: small screens show the first lines.
            task = self._task()
            if step == PickStep.LOC:
                facts.append(Fact(_("Loc"), task["loc"]["code"]))
            facts.extend(item_facts(_, task["sku"], task.get("desc")))
            facts.append(Fact(_("Pick"), self._units(task["remaining"])))
            lot = s.get("lot") or task["lot"]
            facts.extend(lot_facts(_, lot, task["expiry"] if lot == task["lot"]
                                   else s.get("lot_expiry")))
            facts.append(Fact(_("Order"), task["order"]))
        if step in (PickStep.REASON, PickStep.SQTY):
            task = self._task()
            facts.extend(item_facts(_, task["sku"], task.get("desc")))
            facts.append(Fact(_("Asked"), self._units(task["remaining"])))
            if step == PickStep.REASON:
                choices = tuple(f"{n} {code}" for n, code in
                                enumerate(s["short"]["reasons"], start=1))
        if step == PickStep.CONFIRM:
            task = self._task()
            picked = s["qty"]
            facts.append(Fact(_("Short"), self._units(task["remaining"] - picked)))
            facts.append(Fact(_("Picked"), self._units(picked)))
            facts.append(Fact(_("Item"), task["sku"]))
        if step == PickStep.DROP:
            task = self._task()
            tote = self.tote()
            facts.append(Fact(_("Item"), task["sku"]))
            facts.append(Fact(_("Qty"), self._units(s["qty"])))
            facts.append(Fact(_("Order"), task["order"]))
            if tote:
                facts.append(Fact(_("Tote"), tote["code"]))
        if step == PickStep.ZERO:
            facts.append(Fact(_("Loc"), s["zero"]["code"]))
        if step == PickStep.SERIAL:
            task = self._task()
            facts.append(Fact(_("Item"), task["sku"]))
            facts.append(Fact(_("Loc"), task["loc"]["code"]))
            if serials := s.get("serials"):
                facts.append(Fact(_("Serial"), serials[-1]))
        if step in (PickStep.CONFIRM, PickStep.ZERO):
            choices = ("1 " + _("Yes"), "2 " + _("No"))
        prompts = {
            PickStep.START: (_("Enter or scan wave"), InputKind.SCAN),
            PickStep.LOC: (_("Scan location"), InputKind.SCAN),
            PickStep.ITEM: (_("Scan item"), InputKind.SCAN),
            PickStep.LOT: (_("Scan lot or Enter") if s.get("lot_offer")
                           else _("Scan or key lot"), InputKind.SCAN),
            PickStep.QTY: (_("Qty (Enter=all)"), InputKind.QUANTITY),
            PickStep.REASON: (_("Reason number"), InputKind.CHOICE),
            PickStep.SQTY: (_("Qty picked (0=none)"), InputKind.QUANTITY),
            PickStep.CONFIRM: (_("Post short?"), InputKind.YESNO),
            PickStep.DROP: (_("Scan tote/Enter") if step == PickStep.DROP and self.tote()
                            else _("Scan tote"), InputKind.SCAN),
            PickStep.ZERO: (_("Location empty?"), InputKind.YESNO),
            PickStep.SERIAL: (_("Serial {n} of {total}").format(
                n=len(s.get("serials", [])) + 1, total=s.get("qty", 0)), InputKind.SCAN),
        }
        prompt, kind = prompts[step]
        title = _("Pick")
        if step in SHORT_STEPS:
            # The title says what F5 began, before anything is posted.
            title = _("Short pick")
        elif step != PickStep.START and (task_shown := s.get("task")) and task_shown["wave"]:
            title = f"{title} {task_shown['wave']}"
        return Step(
            flow=self.name, name=step, title=title, prompt=prompt, input=kind,
            facts=tuple(facts), choices=choices,
            unsaved_work=step in (PickStep.ITEM, PickStep.LOT, PickStep.QTY, PickStep.SERIAL,
                                  PickStep.DROP, *SHORT_STEPS),
        )

    def context(self) -> tuple[Fact, ...]:
        """Beside a task on a wide screen: the rest of the wave and the task's order."""
        return pick_context(self) if "task" in self.state else ()

    # Input.

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def offers_exception_key(self) -> bool:
        return self.step_name in TASK_STEPS

    def on_exception_key(self) -> None:
        """F5 on a task step: a short pick. Before the quantity, nothing was picked here."""
        if self.step_name not in TASK_STEPS:
            super().on_exception_key()
            return
        if self.step_name == PickStep.LOC and not can(self.actor.role, Action.APPROVE):
            # Shorting a line unseen leaves stock on the shelf: only a supervisor may.
            raise BadInput(N_("Scan the location first, then F5"))
        if self.step_name == PickStep.QTY:
            self._start_short(None)
        else:
            self._start_short(0)

    def _on_start(self, text: str) -> None:
        # Enter alone keeps the wave or order chosen before (none: any task).
        if text.strip():
            scope = self.services.pick_scope(text)
            if scope is None:
                raise ScanRejected(N_("Scan wave or order, not {scan}"), scan=text[:20])
            self.state["scope"] = scope_state(scope)
        self._next_task()

    def _next_task(self, notice: str = "") -> None:
        """The operator's next task, or back to the start with a word that there is none."""
        _ = self.t
        here = self._checked_location()
        self._clear_line()
        task = self.services.next_pick_task(self.actor, scope_from_state(self.state.get("scope")))
        if task is None:
            self.goto(PickStep.START)
            self.succeed(_("{notice}: no more tasks").format(notice=notice) if notice
                         else _("No pick tasks"))
            return
        self.state["task"] = task_state(task)
        # The operator scanned this location for the last task and is still there.
        self.goto(PickStep.ITEM if task.location.id == here else PickStep.LOC)
        if notice:
            self.succeed(notice)

    def _checked_location(self) -> int | None:
        """The location the operator last proved by scan: the task's once past its location
        step, or the one just asked about at the zero check."""
        if (zero := self.state.get("zero")) is not None:
            return zero["id"]
        task = self.state.get("task")
        if task is None or self.step_name in (PickStep.START, PickStep.LOC):
            return None
        return task["loc"]["id"]

    def _clear_line(self) -> None:
        for key in LINE_KEYS:
            self.state.pop(key, None)

    def _on_loc(self, text: str) -> None:
        loc = location_from_state(self._task()["loc"])
        found = self.services.resolve(text, expected_location=loc)
        if found.kind == "check_digits" or (
                found.kind == "location" and found.location is not None
                and found.location.id == loc.id):
            self.goto(PickStep.ITEM)
            return
        if found.kind == "location":
            raise ScanRejected(N_("Wrong location: go to {loc}"), loc=loc.code)
        if is_ascii_digits(text.strip()) and len(text.strip()) <= 4:
            raise ScanRejected(N_("Wrong check digits: key them again"))
        raise ScanRejected(N_("Scan a location, not {scan}"), scan=text[:20])

    def _on_item(self, text: str) -> None:
        task = self._task()
        found = self.services.resolve(text)
        if found.kind != "item" or found.item is None:
            raise ScanRejected(N_("Scan an item, not {scan}"), scan=text[:20])
        if found.item.id != task["item_id"]:
            raise ScanRejected(N_("Wrong item: take {sku}"), sku=task["sku"])
        self.state["serial_tracked"] = found.item.serial_tracked
        if not task["lot_tracked"] and not task["lot"]:
            self.goto(PickStep.QTY)
        elif found.lot:
            self._take_lot(found.lot)
        else:
            self.state.pop("lot_offer", None)
            if (lot := task["lot"]) and self._only_lot_here() == lot:
                self.state["lot_offer"] = lot
            self.goto(PickStep.LOT)

    def _only_lot_here(self) -> str | None:
        """The item's one lot at the task's location; None when there are several or none."""
        task = self._task()
        lots = {line.lot for line in self.services.stock_at(task["loc"]["id"], task["item_id"])}
        return next(iter(lots)) if len(lots) == 1 else None

    def _on_lot(self, text: str) -> None:
        lot = text.strip() or self.state.get("lot_offer", "")
        if not lot:
            raise ScanRejected(N_("Scan or key the lot"))
        self._take_lot(lot)

    def _take_lot(self, lot: str) -> None:
        _ = self.t
        task = self._task()
        if lot == task["lot"]:
            self.state.update({"lot": lot, "lot_id": task["lot_id"]})
            self.goto(PickStep.QTY)
            return
        choice = self.services.substitute_lot(task["id"], lot, task["remaining"])
        self.state.update({"lot": choice.lot, "lot_id": choice.lot_id,
                           "lot_expiry": iso(choice.expiry)})
        self.goto(PickStep.QTY)
        self.succeed(_("Lot {lot} instead of {was}").format(lot=choice.lot,
                                                            was=task["lot"] or "-"))

    def _typed_quantity(self, text: str) -> int:
        """Base units of a quantity keyed in the unit shown."""
        task = self._task()
        typed = read_quantity(text)
        if typed != typed.to_integral_value():
            raise InvalidQuantity(N_("Key whole {uom} only"), uom=task["unit"])
        return int(typed) * task["factor"]

    def _on_qty(self, text: str) -> None:
        remaining = self._task()["remaining"]
        base = remaining if not text.strip() else self._typed_quantity(text)
        if base > remaining:
            raise InvalidQuantity(N_("Only {qty} asked: key less"), qty=self._qty_text(remaining))
        if base < remaining:
            self._start_short(base)
            return
        if self.state.get("serial_tracked"):
            check_serial_count(base)
        self.state.update({"qty": base, "key": new_confirmation_key()})
        if self.state.get("serial_tracked"):
            self.state["serials"] = []
            self.goto(PickStep.SERIAL)
            return
        self._goto_drop()

    def _on_serial(self, text: str) -> None:
        """One unit's serial, in stock at the location; the last one goes on to the tote."""
        task = self._task()
        serials = self.state.setdefault("serials", [])
        serials.append(serial_here(self.services, text, task["item_id"], task["loc"]["id"],
                                   serials))
        if len(serials) >= self.state["qty"]:
            self._goto_drop()

    def _goto_drop(self) -> None:
        """The drop step; an order without a tote on this trip is offered its bound one."""
        self.goto(PickStep.DROP)
        order_id = self._task().get("order_id")
        if self.tote() is None and order_id is not None:
            tote = self.services.order_tote(order_id)
            if tote is not None:
                self.state["bound"] = {"id": tote.id, "code": tote.code}

    def _start_short(self, picked: int | None) -> None:
        """A short pick: picked is known (typed, or 0 before the quantity) or asked after."""
        reasons = self.services.short_reasons()
        if not reasons:
            raise BadInput(N_("No short reasons: call a supervisor"))
        short: ShortState = {"from": self.step_name, "reasons": reasons,
                             "asked": picked is None}
        self.state.pop("qty", None)
        # The serials of what a short pick took are asked after it is confirmed.
        self.state.pop("serials", None)
        self.state.update({"short": short, "key": new_confirmation_key()})
        if picked is not None:
            self.state["qty"] = picked
        self.goto(PickStep.REASON)

    def _on_reason(self, text: str) -> None:
        short = self.state["short"]
        reasons = short["reasons"]
        answer = text.strip().upper()
        if is_ascii_digits(answer) and 1 <= int(answer) <= len(reasons):
            code = reasons[int(answer) - 1]
        elif answer in reasons:
            code = answer
        else:
            raise BadInput(N_("Key 1 to {n}"), n=len(reasons))
        short["reason"] = code
        self.goto(PickStep.SQTY if short["asked"] else PickStep.CONFIRM)

    def _on_sqty(self, text: str) -> None:
        remaining = self._task()["remaining"]
        base = 0 if text.strip() == "0" else self._typed_quantity(text)
        if base >= remaining:
            raise InvalidQuantity(N_("Short: key less than {qty}"),
                                  qty=self._qty_text(remaining))
        self.state["qty"] = base
        self.goto(PickStep.CONFIRM)

    def _on_confirm(self, text: str) -> None:
        """1 goes on with the short (the tote when anything was picked); 2 cancels it."""
        answer = text.strip()
        if answer not in ("1", "2"):
            raise BadInput(N_("Key 1 (Yes) or 2 (No)"))
        if answer == "2":
            back_to = PickStep(self.state["short"]["from"])
            self._forget_short()
            self.goto(back_to)
            self.succeed(self.t("Short cancelled"))
        elif self.state["qty"] > 0 and self.state.get("serial_tracked"):
            check_serial_count(self.state["qty"])
            self.state["serials"] = []
            self.goto(PickStep.SERIAL)
        elif self.state["qty"] > 0:
            self._goto_drop()
        else:
            self._post(None)

    def _on_drop(self, text: str) -> None:
        task = self._task()
        remembered = self.tote()
        if not text.strip():
            if remembered is None:
                raise ScanRejected(N_("Scan a tote"))
            self._post(remembered)
            return
        found = self.services.resolve(text)
        if (found.kind != "location" or found.location is None
                or found.location.type != LocationType.STAGING):
            raise ScanRejected(N_("Scan a tote, not {scan}"), scan=text[:20])
        tote: ToteState = {"id": found.location.id, "code": found.location.code}
        totes = self.state.get("totes") or {}
        other = next((order for order, t in totes.items()
                      if t["id"] == tote["id"] and order != task["order"]), None)
        if other is not None:
            raise ScanRejected(N_("Tote {tote} is for {ref}: scan another"), tote=tote["code"],
                               ref=other)
        self._post(tote)

    # Posting.

    def _post(self, tote: ToteState | None) -> None:
        _ = self.t
        s = self.state
        task = self._task()
        qty = s["qty"]
        to_id = None if tote is None else tote["id"]
        key = s["key"]
        empty: bool
        if short := s.get("short"):
            shorted = self.services.short_pick(
                self.actor, task["id"], qty, short["reason"], to_location_id=to_id,
                lot_id=s.get("lot_id"), key=key, serials=tuple(s.get("serials", ())))
            empty = shorted.location_empty
            if shorted.short:
                notice = _("{qty} short on {ref}").format(qty=self._qty_text(shorted.short),
                                                          ref=task["order"])
            elif shorted.reallocated:
                notice = _("Rest from another loc")
            else:
                notice = _("Short posted")
        else:
            assert to_id is not None
            result = self.services.confirm_pick(
                self.actor, task["id"], qty, to_location_id=to_id, lot_id=s.get("lot_id"),
                key=key, serials=tuple(s.get("serials", ())))
            empty = result.location_empty
            notice = _("Picked {qty}").format(qty=self._qty_text(qty))
        if tote is not None:
            s.setdefault("totes", {})[task["order"]] = tote
        self.posted_as(key, notice)
        if empty:
            loc = task["loc"]
            self._clear_line()
            s.update({"zero": {"id": loc["id"], "code": loc["code"]},
                      "key": new_confirmation_key()})
            self.goto(PickStep.ZERO)
            return
        self._next_task(notice)

    def _on_zero(self, text: str) -> None:
        _ = self.t
        answer = text.strip()
        if answer not in ("1", "2"):
            raise BadInput(N_("Key 1 (Yes) or 2 (No)"))
        zero = self.state["zero"]
        notice = ""
        if answer == "2":
            key = self.state["key"]
            self.services.answer_zero_check(self.actor, zero["id"], False, key)
            notice = _("Count task created")
            self.posted_as(key, notice)
        self._next_task(notice)
