"""What a wide screen shows beside a flow's step: the rest of the work around it, read-only.

A handheld shows the step alone; a 24x80 screen has room for what the operator would otherwise
walk over to find out: the next picks and what is left in the wave, the order's or the ASN's
other lines, what is already at a location. Each builder reads the flow's state and asks the
warehouse afresh, so it is called only where a screen can show it. A count shows none: counts
are blind, and the contents of a location would give its book quantities away.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from wms_tui.domain.flows.base import Fact, FactKind, Translate
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.inbound import InboundLineRef
from wms_tui.domain.model import StockLine
from wms_tui.domain.outbound import OutboundLineRef, TaskRef, quantity_text

if TYPE_CHECKING:
    from wms_tui.domain.flows.approve import ApproveFlow
    from wms_tui.domain.flows.pack import PackFlow
    from wms_tui.domain.flows.pick import PickFlow
    from wms_tui.domain.flows.receive import ReceiveFlow

# At most this many lines per list: a 24x80 panel has about 19 rows for all of them.
NEXT_PICKS = 5
LIST_LINES = 10
AVAILABLE = "available"


class PickProgress(NamedTuple):
    """What is still to pick in a task's wave (or order): open picks, the units they have
    left, and the first few of them, in walk order, that an operator may take after it."""

    picks: int
    units: int
    upcoming: list[TaskRef]


class PickContextServices(Protocol):
    """What the pick flow's context asks beyond the pick itself."""

    def pick_progress(self, task_id: int, user_id: int, *, order_only: bool = False,
                      upcoming: int = NEXT_PICKS) -> PickProgress:
        """The open pick tasks of the task's wave (or of its order only), the task itself
        counted; upcoming are at most that many others, the user's or no one's."""
        ...

    def outbound_lines(self, order_id: int) -> list[OutboundLineRef]:
        """A customer order's lines by line number."""
        ...


def heading(text: str) -> Fact:
    return Fact("", text, FactKind.HEADING)


def task_quantity(task: TaskRef) -> str:
    """What is left of a task, in its unit when that divides evenly, as the pick step shows."""
    return quantity_text(task.remaining, task.uom or task.base_uom, task.factor, task.base_uom)


def pick_context(flow: PickFlow) -> tuple[Fact, ...]:
    """What is still to pick in the wave (or the order scanned), the picks after this one that
    this operator may take, and the lines of the task's order."""
    _ = flow.t
    task = flow.state["task"]
    scope = flow.state.get("scope")
    order_only = scope is not None and scope["kind"] == "order"
    # The database counts the wave and reads only the next few: a wave may have thousands.
    progress = flow.services.pick_progress(task["id"], flow.actor.user_id,
                                           order_only=order_only, upcoming=NEXT_PICKS)
    name = scope["code"] if scope is not None and order_only else task["wave"] or task["order"]
    facts = [heading(_("Still to pick in {scope}").format(scope=name)),
             Fact(_("Picks"), str(progress.picks)),
             Fact(_("Units"), str(progress.units))]
    if progress.upcoming:
        facts.append(heading(_("Next picks")))
        facts.extend(Fact(t.location.code, f"{t.sku} {task_quantity(t)}")
                     for t in progress.upcoming[:NEXT_PICKS])
    if (order_id := task.get("order_id")) is not None:
        facts.append(heading(_("Order {ref}").format(ref=task["order"])))
        facts.extend(order_line_facts(_, flow.services.outbound_lines(order_id)))
    return tuple(facts)


def order_line_facts(t: Translate, lines: Sequence[OutboundLineRef]) -> list[Fact]:
    """Each ordered item with how much of it is picked, in base units; shorts named."""
    _ = t
    facts = []
    for line in lines[:LIST_LINES]:
        done = _("{picked}/{qty} {uom} picked").format(picked=line.picked, qty=line.quantity,
                                                       uom=line.base_uom)
        if line.short:
            done += " " + _("{qty} short").format(qty=line.short)
        facts.append(Fact(line.sku, done))
    return facts


def receive_context(flow: ReceiveFlow) -> tuple[Fact, ...]:
    """The order's lines, those still open first (the step itself names the dock)."""
    _ = flow.t
    s = flow.state
    if (order_id := s.get("order_id")) is None:
        return ()
    lines = sorted(flow.services.order_lines(order_id),
                   key=lambda ln: (ln.remaining == 0, ln.line_no))
    facts = [heading(_("Lines of {ref}").format(ref=s.get("order_ref", "")))]
    facts.extend(inbound_line_fact(_, line) for line in lines[:LIST_LINES])
    return tuple(facts)


def inbound_line_fact(t: Translate, line: InboundLineRef) -> Fact:
    _ = t
    return Fact(line.sku, _("{received}/{expected} {uom}, {left} left").format(
        received=line.received, expected=line.quantity, uom=line.base_uom, left=line.remaining))


def location_contents(t: Translate, services: RfServices, location_id: int, code: str,
                      lines: Sequence[StockLine] | None = None) -> list[Fact]:
    """What is at a location: item, quantity, lot and expiry, and a status other than free."""
    _ = t
    found = services.stock_at(location_id) if lines is None else lines
    facts = [heading(_("At {loc}").format(loc=code))]
    if not found:
        return [*facts, Fact("", _("Nothing here"), FactKind.DESCRIPTION)]
    statuses = {"qc_hold": _("QC hold"), "damaged": _("damaged"), "blocked": _("blocked")}
    for line in found[:LIST_LINES]:
        value = " ".join(part for part in (
            f"{line.quantity} {line.uom}", line.lot,
            line.expiry.isoformat() if line.expiry else None,
            None if line.status == AVAILABLE else statuses.get(line.status, line.status),
        ) if part)
        facts.append(Fact(line.sku, value))
    return facts


def pack_context(flow: PackFlow) -> tuple[Fact, ...]:
    """What is in the open carton so far."""
    _ = flow.t
    carton = flow.state.get("carton") or []
    if flow.state.get("everything"):
        return (heading(_("In this carton")), Fact("", _("all left"), FactKind.DESCRIPTION))
    if not carton:
        return ()
    units = {line["sku"]: line["uom"] for line in flow.state.get("lines", [])}
    facts = [heading(_("In this carton"))]
    for content in carton[:LIST_LINES]:
        quantity = f"{content['qty']} {units.get(content['sku'], '')}".strip()
        lot = content["lot"]
        facts.append(Fact(content["sku"], f"{quantity} {lot}" if lot else quantity))
    return tuple(facts)


def approvals_context(flow: ApproveFlow) -> tuple[Fact, ...]:
    """On the way in, the counts waiting for this supervisor; on a count, all of its items."""
    _ = flow.t
    s = flow.state
    if lines := s.get("lines"):
        facts = [heading(_("Items of this count"))]
        facts.extend(Fact(line["sku"], _("book {book}, counted {counted}").format(
            book=line["book"], counted=line["counted"])) for line in lines[:LIST_LINES])
        return tuple(facts)
    if s.get("task_id") is not None:
        return ()
    waiting = [p for p in flow.services.pending_approvals()
               if flow.actor.user_id not in p.counter_ids]
    facts = [heading(_("Counts to approve: {n}").format(n=len(waiting)))]
    facts.extend(Fact(p.task.location, _("by {login}").format(login=p.counted_by))
                 for p in waiting[:LIST_LINES])
    return tuple(facts)
