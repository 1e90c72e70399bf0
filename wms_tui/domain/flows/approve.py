"""Approvals: a supervisor decides count variances on a handheld, one count per screen.

Enter takes the next count waiting for approval (or scan a location to decide its count); the
screen shows the location, each item's book quantity, what was counted and by whom, and the
variance (with its value when the item has a cost). A count of several items shows them one by
one (Enter), then asks 1 Approve, 2 Reject (recount) or 3 Skip. The decision posts through the
same service the supervisor desk uses, under a confirmation key made when the count is shown,
so it posts once. A supervisor never sees a count they keyed (counting.OWN_COUNT).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar, NotRequired, Protocol, TypedDict

from wms_tui.domain.counting import ApprovalResult, CountStatus, CountTaskChanged
from wms_tui.domain.errors import N_, BadInput, PermissionDenied, ScanRejected
from wms_tui.domain.flows.base import (
    Fact,
    FactKind,
    Flow,
    FlowState,
    InputKind,
    Step,
    Tone,
    Translate,
    iso,
    lot_facts,
    no_translation,
)
from wms_tui.domain.flows.context import approvals_context
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, PostResult
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.supervisor import PendingApproval

APPROVE, REJECT, SKIP = "1", "2", "3"


class ApproveStep(enum.StrEnum):
    START = "start"
    # A count of several items: Enter shows the next one; the question comes after the last.
    REVIEW = "review"
    DECIDE = "decide"


class ApprovalLineState(TypedDict):
    """One item/lot of the count, as the supervisor reads it."""

    sku: str
    # States saved before descriptions and expiries were shown do not have them.
    desc: NotRequired[str | None]
    lot: str | None
    expiry: NotRequired[str | None]
    book: int
    counted: int
    # Book now minus book at count time (what moved since), 0 when nothing did.
    moved: int
    # The variance at the item's unit cost, two decimals, signed; None when it has no cost.
    value: str | None


class ApproveState(FlowState, total=False):
    """The count shown, the item of it on screen, and the counts skipped on this walk."""

    task_id: int
    loc: str
    counted_by: str
    lines: list[ApprovalLineState]
    line: int
    skipped: list[int]


class ApprovalServices(RfServices, Protocol):
    """What approving needs beyond RfServices: the supervisor desk's reads and decision."""

    def pending_approvals(self) -> list[PendingApproval]:
        """Counts waiting for a supervisor, in the order to do them."""
        ...

    def approve_count(self, actor: Actor, task_id: int, approve: bool,
                      key: str) -> ApprovalResult: ...

    def unit_costs(self, skus: Collection[str]) -> dict[str, Decimal]:
        """The cost of one base unit of each item that has one."""
        ...


def signed(number: int) -> str:
    return f"{number:+d}"


class ApproveFlow(Flow[ApproveState, ApproveStep]):
    name = "approve"
    services: ApprovalServices
    HELP: ClassVar[Mapping[str, str]] = {
        ApproveStep.START: N_("Enter alone shows the next count waiting for approval; or scan "
                              "a location to decide its count."),
        ApproveStep.REVIEW: N_("This count has several items: Enter shows the next one. The "
                               "question comes after the last item."),
        ApproveStep.DECIDE: N_("Key 1 to post the variance, 2 to reject it and have the "
                               "location counted again, or 3 to leave it for later."),
    }

    def __init__(self, actor: Actor, services: ApprovalServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        super().__init__(actor, services, t, state)

    def context(self) -> tuple[Fact, ...]:
        """Beside the step on a wide screen: the counts waiting, or all items of this one."""
        return approvals_context(self)

    def first_step(self) -> ApproveStep:
        return ApproveStep.START

    def previous_step(self) -> ApproveStep | None:
        # Nothing is keyed before the decision, so going back loses nothing.
        return None if self.step_name == ApproveStep.START else ApproveStep.START

    # Rendering.

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        if step != ApproveStep.START:
            facts.append(Fact(_("Loc"), s["loc"]))
            lines = s["lines"]
            if lines:
                facts.extend(self._line_facts(lines, s.get("line", 0)))
            else:
                facts.append(Fact(_("Var"), "0"))
        prompts = {
            ApproveStep.START: (_("Scan loc or Enter"), InputKind.SCAN),
            ApproveStep.REVIEW: (_("Enter: next item"), InputKind.SCAN),
            # The choices are the prompt, so the count's facts keep the rows of an 8x40 screen.
            ApproveStep.DECIDE: (_("1 Approve 2 Reject (recount) 3 Skip"), InputKind.CHOICE),
        }
        prompt, kind = prompts[step]
        return Step(flow=self.name, name=step, title=_("Approvals"), prompt=prompt, input=kind,
                    facts=tuple(facts))

    def _line_facts(self, lines: Sequence[ApprovalLineState], n: int) -> list[Fact]:
        _ = self.t
        line = lines[n]
        item = _("Item") if len(lines) == 1 else f"{_('Item')} {n + 1}/{len(lines)}"
        facts = [Fact(item, line["sku"]), *lot_facts(_, line["lot"], line.get("expiry"))]
        book = str(line["book"])
        if line["moved"]:
            book = _("{book}, now {now}").format(book=book, now=line["book"] + line["moved"])
        variance = signed(line["counted"] - line["book"])
        if line["value"] is not None:
            variance = f"{variance} ({line['value']})"
        facts += [Fact(_("Book"), book),
                  Fact(_("Counted"), _("{qty} by {login}").format(
                      qty=line["counted"], login=self.state["counted_by"])),
                  Fact(_("Var"), variance)]
        if desc := line.get("desc"):
            # Last: where rows are few (8x40) the numbers a decision rests on come first.
            facts.append(Fact("", desc, FactKind.DESCRIPTION))
        return facts

    # Input.

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def _on_start(self, text: str) -> None:
        if not text.strip():
            pending = self.services.pending_approvals()
            if not self._show_next([p for p in pending if not self._own(p)]):
                self._tell_none_left(sum(1 for p in pending if self._own(p)))
            return
        found = self.services.resolve(text)
        if found.kind != "location" or found.location is None:
            raise ScanRejected(N_("Scan a location, not {scan}"), scan=text.strip()[:20])
        loc = found.location.code
        here = [p for p in self.services.pending_approvals() if p.task.location == loc]
        if not here:
            raise ScanRejected(N_("No count to approve at {loc}: Enter = next"), loc=loc)
        if not self._show_next([p for p in here if not self._own(p)]):
            raise PermissionDenied(N_("You counted {loc}: call another supervisor"), loc=loc)

    def _on_review(self, text: str) -> None:
        if text.strip():
            raise BadInput(N_("Key Enter for the next item"))
        s = self.state
        s["line"] = s.get("line", 0) + 1
        if s["line"] >= len(s["lines"]) - 1:
            self.goto(ApproveStep.DECIDE)

    def _on_decide(self, text: str) -> None:
        answer = text.strip()
        if answer not in (APPROVE, REJECT, SKIP):
            raise BadInput(N_("Key 1, 2 or 3"))
        s = self.state
        if answer == SKIP:
            if not self._go_on([*s.get("skipped", []), s["task_id"]]):
                self.succeed(self.t("Skipped: no more counts to approve"))
            return
        key = s["key"]
        try:
            result = self.services.approve_count(self.actor, s["task_id"], answer == APPROVE, key)
        except CountTaskChanged as changed:
            # Another supervisor decided it first: nothing posted here, so go on to the next.
            self._go_on(s.get("skipped", []))
            self.message, self.tone = changed.render(self.t), Tone.ERROR
            return
        done = self._decided_text(result)
        more = self._go_on(s.get("skipped", []))
        self.posted_as(key, done)
        if not more:
            self.message = self.t("{done}; no more counts").format(done=done)

    def _go_on(self, skipped: list[int]) -> bool:
        """Show the next count waiting, none skipped on this walk (True); with none left, back
        to the start (False)."""
        waiting = [p for p in self._waiting() if p.task.id not in skipped]
        if self._show_next(waiting, skipped):
            return True
        self.state = {"step": ApproveStep.START}
        return False

    def _decided_text(self, result: ApprovalResult) -> str:
        _ = self.t
        loc = self.state["loc"]
        if result.status == CountStatus.RECOUNT:
            return _("{sku} left the location since the count: recount").format(sku=result.sku)
        if result.status == CountStatus.REJECTED:
            return _("Rejected {loc}: counted again").format(loc=loc)
        return _("Approved {loc}").format(loc=loc)

    # The walk.

    def _own(self, pending: PendingApproval) -> bool:
        return self.actor.user_id in pending.counter_ids

    def _waiting(self) -> list[PendingApproval]:
        """What this supervisor may decide: never a count they keyed."""
        return [p for p in self.services.pending_approvals() if not self._own(p)]

    def _tell_none_left(self, own: int) -> None:
        _ = self.t
        self.message = (_("No counts to approve (own: {n})").format(n=own) if own
                        else _("No counts to approve"))
        self.tone = Tone.NONE

    def _show_next(self, waiting: Sequence[PendingApproval],
                   skipped: list[int] | None = None) -> bool:
        if not waiting:
            return False
        self._show(waiting[0], skipped)
        return True

    def _show(self, pending: PendingApproval, skipped: list[int] | None = None) -> None:
        costs = self.services.unit_costs({line.sku for line in pending.lines})
        # What is on the shelf names each item and its lot's expiry, which a decision is
        # checked by; an item found that the book did not have is named by its code alone.
        shelf = self.services.stock_at(pending.task.location_id)
        descriptions = {stock.sku: stock.description for stock in shelf}
        expiries = {(stock.sku, stock.lot): iso(stock.expiry) for stock in shelf}
        lines: list[ApprovalLineState] = []
        for line in pending.lines:
            cost = costs.get(line.sku)
            value = None if cost is None else f"{line.variance * cost:+.2f}"
            lines.append({"sku": line.sku, "desc": descriptions.get(line.sku), "lot": line.lot,
                          "expiry": expiries.get((line.sku, line.lot)), "book": line.expected,
                          "counted": line.counted, "moved": line.moved_since, "value": value})
        # The key is made as the count is shown, so a decision resubmitted is known.
        self.state = {
            "step": ApproveStep.REVIEW if len(lines) > 1 else ApproveStep.DECIDE,
            "task_id": pending.task.id, "loc": pending.task.location,
            "counted_by": pending.counted_by, "lines": lines, "line": 0,
            "skipped": list(skipped or []), "key": new_confirmation_key(),
        }

    def committed_summary(self, result: PostResult) -> str:
        """The decision is not in the state; an approval is the one that posts movements."""
        if (loc := self.state.get("loc")) is None:
            return super().committed_summary(result)
        if result.movement_ids:
            return self.t("Approved {loc}").format(loc=loc)
        return self.t("Decided {loc}").format(loc=loc)
