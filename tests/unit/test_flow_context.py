"""What each flow shows beside its step on a wide screen (domain/flows/context.py): no Textual,
no database, the flows driven through their fakes."""

from __future__ import annotations

from typing import Any, cast

from tests.flow_fakes import A1, A2, DOCK, OPERATOR, FakeServices
from tests.unit.flows.approve_fakes import SUPERVISOR, FakeDesk, variance, waiting
from tests.unit.flows.count_fakes import MILK_BOOK, WIDGET_BOOK, FakeCounting
from tests.unit.flows.pick_fakes import EA_GTIN, P2, PickFakeServices, task
from tests.unit.flows.putaway_fakes import P1, QC, PutawayFakeServices, line
from tests.unit.flows.receive_fakes import FakeReceiving
from wms_tui.domain.flows.approve import ApproveFlow
from wms_tui.domain.flows.base import Fact, FactKind, Flow
from wms_tui.domain.flows.count import CountFlow
from wms_tui.domain.flows.inquiry import InquiryFlow
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.flows.pack import PackFlow
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.flows.putaway import PutawayFlow
from wms_tui.domain.flows.qc_release import QcReleaseFlow
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.flows.replenish import ReplenishFlow
from wms_tui.domain.model import Actor
from wms_tui.domain.outbound import TaskKind, TaskStatus


def pairs(context: tuple[Fact, ...]) -> list[tuple[str, str]]:
    """The context as (label, value); a heading as ('#', its text)."""
    return [("#" if f.kind is FactKind.HEADING else f.label, f.value) for f in context]


def wave() -> PickFakeServices:
    """SO-1: 24 EA at P1 and 3 EA at A1; SO-2: 5 EA at P2; one wave, in that walk order."""
    return PickFakeServices.wave([task(1, "SO-1", P1, 24), task(2, "SO-2", P2, 5),
                                  task(3, "SO-1", A1, 3)])


def test_pick_shows_what_is_left_in_the_wave_the_next_picks_and_the_orders_lines() -> None:
    flow = PickFlow(OPERATOR, wave())
    flow.submit("")
    assert pairs(flow.context()) == [
        ("#", "Still to pick in W0001"), ("Picks", "3"), ("Units", "32"),
        ("#", "Next picks"), ("P-01-02-1", "WIDGET 5 EA"), ("A-01-01-1", "WIDGET 3 EA"),
        ("#", "Order SO-1"), ("WIDGET", "0/24 EA picked"), ("WIDGET", "0/3 EA picked"),
    ]


def test_pick_context_follows_the_wave_as_lines_are_picked() -> None:
    services = wave()
    flow = PickFlow(OPERATOR, services)
    flow.submit("")
    for entry in ("P-01-01-1", EA_GTIN, "", "TOTE-1"):
        flow.submit(entry)
    assert flow.state["task"]["id"] == 2
    shown = pairs(flow.context())
    assert shown[:3] == [("#", "Still to pick in W0001"), ("Picks", "2"), ("Units", "8")]
    assert ("#", "Order SO-2") in shown and ("P-01-02-1", "WIDGET 5 EA") not in shown


def test_pick_of_one_order_counts_that_order_only_and_skips_other_operators_tasks() -> None:
    services = wave()
    services.tasks.append(task(4, "SO-1", P2, 7, seq=9))
    services._update(4, assigned_to=99, status=TaskStatus.IN_PROGRESS)
    flow = PickFlow(OPERATOR, services)
    flow.submit("SO-1")
    shown = pairs(flow.context())
    assert shown[:3] == [("#", "Still to pick in SO-1"), ("Picks", "3"), ("Units", "34")]
    assert ("P-01-02-1", "WIDGET 7 EA") not in shown  # another operator's
    assert ("A-01-01-1", "WIDGET 3 EA") in shown


def test_pick_has_no_context_without_a_task() -> None:
    flow = PickFlow(OPERATOR, wave())
    assert flow.context() == ()
    services = PickFakeServices.wave([])
    flow = PickFlow(OPERATOR, services)
    flow.submit("")
    assert flow.context() == ()


def test_receive_shows_the_orders_lines_open_ones_first_and_the_step_names_the_dock() -> None:
    services = FakeReceiving.receiving()
    flow = ReceiveFlow(OPERATOR, services)
    assert flow.context() == ()
    flow.submit("PO-1")
    flow.submit("WIDGET")
    flow.submit("24")
    assert pairs(flow.context()) == [
        ("#", "Lines of PO-1"),
        ("MILK", "0/12 EA, 12 left"), ("SCREW", "0/5 EA, 5 left"),
        ("WIDGET", "24/24 EA, 0 left"),
    ]
    assert pairs(flow.current().facts)[1] == ("Dock", DOCK.code)
    step = flow.submit("DOCK-2")
    assert ("Dock", "DOCK-2") in pairs(step.facts)


def test_blind_receipt_shows_no_lines_and_the_step_names_the_dock() -> None:
    from tests.flow_fakes import SUPERVISOR as RECEIVER

    flow = ReceiveFlow(RECEIVER, FakeReceiving.receiving())
    step = flow.submit("BLIND")
    assert flow.context() == ()
    assert pairs(step.facts) == [("Order", "Blind"), ("Dock", DOCK.code)]


def test_putaway_shows_what_is_already_at_the_directed_location() -> None:
    services = PutawayFakeServices.putaway()
    flow = PutawayFlow(OPERATOR, services)
    flow.submit("WIDGET")
    assert flow.context() == ()
    step = flow.submit("")
    assert step.name == "confirm"
    to = flow.state["to"]
    assert to is not None
    here = [(ln.sku, f"{ln.quantity} {ln.uom}") for ln in services.stock_at(to["id"])]
    assert pairs(flow.context()) == [("#", f"At {to['code']}"), *here]


def test_contents_name_lot_expiry_and_a_status_other_than_free() -> None:
    services = PutawayFakeServices.putaway()
    flow = MoveFlow(OPERATOR, services)
    flow.submit("DOCK-1")
    shown = pairs(flow.context())
    assert ("MILK", "10 EA L1 2030-01-01") in shown and ("MILK", "5 EA L2 2029-06-01") in shown
    services.lines.append(line("WIDGET", QC, 2, status="damaged"))
    flow = MoveFlow(OPERATOR, services)
    flow.submit("QC-1")
    assert pairs(flow.context()) == [("#", "At QC-1"), ("WIDGET", "6 EA QC hold"),
                                     ("WIDGET", "2 EA damaged")]


def test_qc_release_shows_only_the_stock_on_hold() -> None:
    services = PutawayFakeServices.putaway()
    services.lines.append(line("MILK", QC, 4, lot="L1", lot_id=11))
    flow = QcReleaseFlow(OPERATOR, services)
    flow.submit("QC-1")
    assert pairs(flow.context()) == [("#", "At QC-1"), ("WIDGET", "6 EA QC hold")]


def test_move_shows_the_from_locations_contents_once_it_is_scanned() -> None:
    flow = MoveFlow(OPERATOR, FakeServices.standard())
    assert flow.context() == ()
    flow.submit("A-01-01-1")
    assert pairs(flow.context()) == [("#", "At A-01-01-1"), ("WIDGET", "30 EA")]
    flow.submit(EA_GTIN)
    flow.submit("5")
    assert pairs(flow.context()) == [("#", "At A-01-01-1"), ("WIDGET", "30 EA")]


def test_replenish_shows_the_pick_face_then_the_reserve_location() -> None:
    services = PickFakeServices.wave([task(7, "R", A2, 10, kind=TaskKind.REPLENISH, to=P1)])
    services.lines.append(line("WIDGET", P1, 2))
    flow = ReplenishFlow(OPERATOR, services)
    assert flow.context() == ()
    flow.submit("")
    assert pairs(flow.context()) == [("#", "At P-01-01-1"), ("WIDGET", "2 EA"),
                                     ("#", "At A-01-02-1"), ("", "Nothing here")]


def test_pack_shows_the_open_cartons_contents() -> None:
    services = cast(Any, FakeServices.standard())
    lines = [{"sku": "WIDGET", "desc": "Blue widget", "uom": "EA", "qty": 5}]
    flow = PackFlow(OPERATOR, services, state={"step": "item", "tote": "TOTE-1", "order": "SO-1",
                                               "lines": lines, "carton": []})
    assert flow.context() == ()
    flow.state["carton"] = [{"sku": "WIDGET", "qty": 2, "lot": "L1"}]
    assert pairs(flow.context()) == [("#", "In this carton"), ("WIDGET", "2 EA L1")]
    flow.state["everything"] = True
    assert pairs(flow.context()) == [("#", "In this carton"), ("", "all left")]


def test_approvals_list_the_counts_waiting_then_every_item_of_the_one_shown() -> None:
    desk = FakeDesk.with_counts(
        waiting(11, A1, variance("WIDGET", 30, 27), variance("MILK", 10, 12, lot="L1")),
        waiting(12, A2, variance("MILK", 10, 12, lot="L1")),
        waiting(13, P1, variance("WIDGET", 5, 4), counted_by=SUPERVISOR),
    )
    flow = ApproveFlow(SUPERVISOR, desk)
    # The supervisor's own count is not theirs to decide, so it is not listed.
    assert pairs(flow.context()) == [("#", "Counts to approve: 2"),
                                     ("A-01-01-1", "by OP1"), ("A-01-02-1", "by OP1")]
    flow.submit("")
    assert pairs(flow.context()) == [("#", "Items of this count"),
                                     ("WIDGET", "book 30, counted 27"),
                                     ("MILK", "book 10, counted 12")]


def test_a_count_has_no_context_at_any_step_so_no_book_quantity_leaks() -> None:
    services = FakeCounting.counting()
    flow = CountFlow(OPERATOR, services)
    assert not flow.has_context()
    books = {str(WIDGET_BOOK), str(MILK_BOOK)}
    for entry in ("", "A-01-01-1", EA_GTIN):
        flow.submit(entry)
        assert flow.context() == ()
        assert not books & {f.value for f in flow.current().facts}


def test_only_flows_with_context_say_so() -> None:
    actor: Actor = OPERATOR
    services = cast(Any, FakeServices.standard())
    has: dict[type[Flow[Any, Any]], bool] = {
        flow: flow(actor, services).has_context()
        for flow in (PickFlow, ReceiveFlow, PutawayFlow, MoveFlow, ReplenishFlow, PackFlow,
                     QcReleaseFlow, ApproveFlow, CountFlow, InquiryFlow)}
    assert [flow.name for flow, shown in has.items() if not shown] == ["count", "inquiry"]
