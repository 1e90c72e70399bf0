"""QC release: a supervisor decides on stock held for quality control, at the stock itself.

Scan the location (or the LPN), scan the item, key how many (Enter: all held there), then
release it (available) or reject it (damaged, with a reason); the confirmation posts one
status change through the exactly-once path.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import ClassVar

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, ScanRejected
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
)
from wms_tui.domain.flows.context import location_contents
from wms_tui.domain.model import PostResult, StockLine, StockStatus
from wms_tui.domain.stock import ChangeStatus, new_confirmation_key
from wms_tui.domain.stock_control import QC_REJECT_REASONS, QC_RELEASE_REASON
from wms_tui.domain.units import read_quantity

RELEASE, REJECT = "1", "2"
YES, NO = "1", "2"
HELD = StockStatus.QC_HOLD.value


class QcReleaseStep(enum.StrEnum):
    LOC = "loc"
    ITEM = "item"
    QTY = "qty"
    DECIDE = "decide"
    REASON = "reason"
    CONFIRM = "confirm"


class QcReleaseState(FlowState, total=False):
    """Where the held stock is, which balance of it, how much, and the decision."""

    loc_id: int
    loc: str
    # Set when an LPN was scanned: only stock on it is decided on.
    scanned_lpn_id: int | None
    item_id: int
    sku: str
    desc: str
    uom: str
    lot: str | None
    lot_id: int | None
    # ISO date of the lot's expiry.
    expiry: str | None
    lpn: str | None
    lpn_id: int | None
    held: int
    qty: int
    release: bool
    reason: str


class QcReleaseFlow(Flow[QcReleaseState, QcReleaseStep]):
    name = "qc_release"
    HELP: ClassVar[Mapping[str, str]] = {
        QcReleaseStep.LOC: N_("Scan the location of the stock on QC hold, or its LPN."),
        QcReleaseStep.ITEM: N_("Scan the item on QC hold. A lot on its label picks that lot."),
        QcReleaseStep.QTY: N_("Key how many, in the base unit shown. Enter takes all that is "
                              "on hold there."),
        QcReleaseStep.DECIDE: N_("Key 1 to release the stock (it becomes available) or 2 to "
                                 "reject it (it becomes damaged)."),
        QcReleaseStep.REASON: N_("Key the number of the reason for the rejection."),
        QcReleaseStep.CONFIRM: N_("Key 1 to post the decision, or 2 to go back without "
                                  "posting."),
    }

    def first_step(self) -> QcReleaseStep:
        return QcReleaseStep.LOC

    def previous_step(self) -> QcReleaseStep | None:
        if self.step_name == QcReleaseStep.CONFIRM:
            return QcReleaseStep.DECIDE if self.state.get("release") else QcReleaseStep.REASON
        return {QcReleaseStep.ITEM: QcReleaseStep.LOC, QcReleaseStep.QTY: QcReleaseStep.ITEM,
                QcReleaseStep.DECIDE: QcReleaseStep.QTY,
                QcReleaseStep.REASON: QcReleaseStep.DECIDE}.get(self.step_name)

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        if loc := s.get("loc"):
            facts.append(Fact(_("Loc"), loc))
        if lpn := s.get("lpn"):
            facts.append(Fact(_("LPN"), lpn, FactKind.WRAPPED))
        if sku := s.get("sku"):
            facts.extend(item_facts(_, sku, s.get("desc")))
        facts.extend(lot_facts(_, s.get("lot"), s.get("expiry")))
        if step == QcReleaseStep.QTY:
            facts.append(Fact(_("On hold"), f"{s['held']} {s['uom']}"))
        elif "qty" in s:
            facts.append(Fact(_("Qty"), f"{s['qty']} {s['uom']}"))
        if step == QcReleaseStep.CONFIRM and (reason := s.get("reason")):
            facts.append(Fact(_("Reason"), reason))
        choices: tuple[str, ...] = ()
        if step == QcReleaseStep.DECIDE:
            choices = (f"{RELEASE} " + _("Release"), f"{REJECT} " + _("Reject"))
        elif step == QcReleaseStep.REASON:
            choices = tuple(f"{n} {code}" for n, code in enumerate(QC_REJECT_REASONS, start=1))
        elif step == QcReleaseStep.CONFIRM:
            choices = (f"{YES} " + _("Yes"), f"{NO} " + _("No"))
        prompts = {
            QcReleaseStep.LOC: (_("Scan loc or LPN"), InputKind.SCAN),
            QcReleaseStep.ITEM: (_("Scan item"), InputKind.SCAN),
            QcReleaseStep.QTY: (_("Qty (Enter=all)"), InputKind.QUANTITY),
            QcReleaseStep.DECIDE: (_("Release or reject?"), InputKind.CHOICE),
            QcReleaseStep.REASON: (_("Reason number"), InputKind.CHOICE),
            QcReleaseStep.CONFIRM: (_("Release it?") if s.get("release") else _("Reject it?"),
                                    InputKind.YESNO),
        }
        prompt, kind = prompts[step]
        return Step(
            flow=self.name, name=step, title=_("QC release"), prompt=prompt, input=kind,
            facts=tuple(facts), choices=choices, unsaved_work=step != QcReleaseStep.LOC,
        )

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def context(self) -> tuple[Fact, ...]:
        """Beside the step on a wide screen: everything on hold where the stock was scanned."""
        s = self.state
        if "loc_id" not in s:
            return ()
        return tuple(location_contents(self.t, self.services, s["loc_id"], s["loc"],
                                       self._held_lines(s["loc_id"])))

    def _held_lines(self, loc_id: int, item_id: int | None = None) -> list[StockLine]:
        lpn_id = self.state.get("scanned_lpn_id")
        return [ln for ln in self.services.stock_at(loc_id, item_id)
                if ln.status == HELD and ln.quantity > 0
                and (lpn_id is None or ln.lpn_id == lpn_id)]

    def _on_loc(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind == "location" and found.location is not None:
            state: QcReleaseState = {"step": QcReleaseStep.ITEM, "loc_id": found.location.id,
                                     "loc": found.location.code, "scanned_lpn_id": None}
        elif found.kind == "lpn" and found.lpn is not None:
            lpn = found.lpn
            if lpn.location_id is None or not self.services.stock_at(lpn.location_id):
                raise ScanRejected(N_("LPN {code} is empty: scan another"), code=lpn.code)
            here = self.services.stock_at(lpn.location_id)
            state = {"step": QcReleaseStep.ITEM, "loc_id": lpn.location_id,
                     "loc": here[0].location, "scanned_lpn_id": lpn.id, "lpn": lpn.code}
        else:
            raise ScanRejected(N_("Scan a loc or LPN, not {scan}"), scan=text[:20])
        self.state = state
        if not self._held_lines(state["loc_id"]):
            raise ScanRejected(N_("Nothing on QC hold: scan another loc"))

    def _on_item(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind != "item" or found.item is None:
            raise ScanRejected(N_("Scan an item, not {scan}"), scan=text[:20])
        item = found.item
        lines = self._held_lines(self.state["loc_id"], item.id)
        if found.lot:
            lines = [ln for ln in lines if ln.lot == found.lot]
        if not lines:
            raise ScanRejected(N_("No {sku} on QC hold: scan another"), sku=item.sku)
        # One balance per decision: the largest held one (its lot and LPN are shown).
        line = max(lines, key=lambda ln: ln.quantity)
        self.state.update({"item_id": item.id, "sku": item.sku, "desc": item.description,
                           "uom": item.base_uom, "expiry": iso(line.expiry), "lot": line.lot,
                           "lot_id": line.lot_id, "lpn": line.lpn,
                           "lpn_id": line.lpn_id, "held": line.quantity})
        self.goto(QcReleaseStep.QTY)

    def _on_qty(self, text: str) -> None:
        s = self.state
        if not text.strip():
            qty = s["held"]
        else:
            typed = read_quantity(text)
            if typed != typed.to_integral_value():
                raise InvalidQuantity(N_("Key whole {uom} only"), uom=s["uom"])
            qty = int(typed)
        if qty > s["held"]:
            raise InvalidQuantity(N_("Only {n} {uom} on hold: key less"), n=s["held"], uom=s["uom"])
        s["qty"] = qty
        self.goto(QcReleaseStep.DECIDE)

    def _on_decide(self, text: str) -> None:
        answer = text.strip()
        if answer not in (RELEASE, REJECT):
            raise BadInput(N_("Key 1 (Release) or 2 (Reject)"))
        self.state["release"] = answer == RELEASE
        self.state.pop("reason", None)
        if answer == RELEASE:
            self._ask_to_confirm()
        else:
            self.goto(QcReleaseStep.REASON)

    def _on_reason(self, text: str) -> None:
        answer = text.strip().upper()
        if is_ascii_digits(answer) and 1 <= int(answer) <= len(QC_REJECT_REASONS):
            code = QC_REJECT_REASONS[int(answer) - 1]
        elif answer in QC_REJECT_REASONS:
            code = answer
        else:
            raise BadInput(N_("Key 1 to {n}"), n=len(QC_REJECT_REASONS))
        self.state["reason"] = code
        self._ask_to_confirm()

    def _ask_to_confirm(self) -> None:
        # The key is made as the question is shown, so a confirmation resubmitted is known.
        self.state["key"] = new_confirmation_key()
        self.goto(QcReleaseStep.CONFIRM)

    def _on_confirm(self, text: str) -> None:
        answer = text.strip()
        if answer not in (YES, NO):
            raise BadInput(N_("Key 1 (Yes) or 2 (No)"))
        s = self.state
        if answer == NO:
            s.pop("key", None)
            self.goto(QcReleaseStep.DECIDE)
            self.succeed(self.t("Not posted"))
            return
        release = bool(s.get("release"))
        key = s["key"]
        command = ChangeStatus(
            s["item_id"], s["qty"], s["loc_id"], StockStatus.QC_HOLD,
            StockStatus.AVAILABLE if release else StockStatus.DAMAGED, f"QC-{s['loc']}",
            reason_code=QC_RELEASE_REASON if release else s["reason"], lot_id=s.get("lot_id"),
            lpn_id=s.get("lpn_id"),
        )
        self.services.post(self.actor, command, key)
        done = self._summary()
        self.state = {"step": QcReleaseStep.LOC}
        self.posted_as(key, done)

    def _summary(self) -> str:
        s = self.state
        template = (self.t("Released {qty} {uom} {sku}") if s.get("release")
                    else self.t("Rejected {qty} {uom} {sku}"))
        return template.format(qty=s["qty"], uom=s["uom"], sku=s["sku"])

    def committed_summary(self, result: PostResult) -> str:
        """The state still holds the decision the confirmation posted."""
        if {"qty", "uom", "sku"} <= self.state.keys():
            return self._summary()
        return super().committed_summary(result)
