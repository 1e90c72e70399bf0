"""The pick and replenish flows as state machines: no Textual, no database."""

from __future__ import annotations

from datetime import date

import pytest

from tests.flow_fakes import A1, A2, MILK, OPERATOR
from tests.unit.flows.pick_fakes import (
    CS_GTIN,
    EA_GTIN,
    P2,
    TOTE1,
    TOTE2,
    Lot,
    PickFakeServices,
    milk_label,
    task,
)
from tests.unit.flows.putaway_fakes import P1
from wms_tui.domain.flows.base import InputKind, Step, Tone
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.flows.replenish import ReplenishFlow, ReplenishStep
from wms_tui.domain.model import StockLine
from wms_tui.domain.outbound import TaskKind


def facts(step: Step) -> dict[str, str]:
    return {f.label: f.value for f in step.facts}


def two_orders() -> PickFakeServices:
    """A batch wave: SO-1 2 CS of widgets at P1, SO-2 5 EA at P2, SO-1 3 EA at A1."""
    return PickFakeServices.wave([
        task(1, "SO-1", P1, 24, uom="CS", factor=12),
        task(2, "SO-2", P2, 5),
        task(3, "SO-1", A1, 3),
    ])


def started(services: PickFakeServices) -> PickFlow:
    flow = PickFlow(OPERATOR, services)
    assert flow.current().prompt == "Enter or scan wave"
    step = flow.submit("")
    assert step.name == "loc"
    return flow


def test_happy_path_is_four_entries_per_line_and_enter_reuses_the_orders_tote() -> None:
    services = two_orders()
    flow = started(services)
    step = flow.current()
    assert step.title == "Pick W0001"
    assert facts(step) == {"Loc": "P-01-01-1", "Item": "WIDGET", "": "Blue widget",
                           "Pick": "2 CS (24 EA)", "Order": "SO-1"}
    step = flow.submit("P-01-01-1")
    assert step.name == "item" and "Loc" not in facts(step)
    step = flow.submit(EA_GTIN)
    assert (step.name, step.input, step.prompt) == ("qty", InputKind.QUANTITY,
                                                    "Qty (Enter=all)")
    step = flow.submit("")
    assert (step.name, step.prompt, facts(step)) == ("drop", "Scan tote",
                                                     {"Item": "WIDGET", "Qty": "2 CS (24 EA)",
                                                      "Order": "SO-1"})
    assert services.recorded() == []
    step = flow.submit("TOTE-1")
    assert (step.name, step.tone, step.message) == ("loc", Tone.SUCCESS, "Picked 2 CS")
    assert services.recorded("pick") == [
        {"task": 1, "qty": 24, "to": TOTE1.id, "lot_id": None, "empty": False}]
    # SO-2 is another order: it needs its own tote, and SO-1's is refused for it.
    flow.submit("P-01-02-1")
    flow.submit("WIDGET")
    flow.submit("")
    step = flow.submit("")
    assert (step.tone, step.message) == (Tone.ERROR, "Scan a tote")
    step = flow.submit("TOTE-1")
    assert (step.tone, step.message) == (Tone.ERROR, "Tote TOTE-1 is for SO-1: scan another")
    flow.submit("TOTE-2")
    # Back to SO-1: its tote is remembered, so Enter drops into it.
    flow.submit(A1.check_digits)
    flow.submit("WIDGET")
    step = flow.submit("")
    assert (step.prompt, facts(step)["Tote"]) == ("Scan tote/Enter", "TOTE-1")
    step = flow.submit("")
    assert (step.name, step.message) == ("start", "Picked 3 EA: no more tasks")
    assert [(c["task"], c["to"]) for c in services.recorded("pick")] == [
        (1, TOTE1.id), (2, TOTE2.id), (3, TOTE1.id)]


@pytest.mark.parametrize(("step_inputs", "scan", "message"), [
    ((), "A-01-01-1", "Wrong location: go to P-01-01-1"),
    ((), "00", "Wrong check digits: key them again"),
    ((), "NOPE", "Scan a location, not NOPE"),
    (("P-01-01-1",), "A-01-01-1", "Scan an item, not A-01-01-1"),
    (("P-01-01-1",), milk_label("L1"), "Wrong item: take WIDGET"),
    (("P-01-01-1", CS_GTIN), "3", "Only 2 CS asked: key less"),
    (("P-01-01-1", CS_GTIN), "1.5", "Key whole CS only"),
    (("P-01-01-1", CS_GTIN, ""), "A-01-02-1", "Scan a tote, not A-01-02-1"),
    (("P-01-01-1", CS_GTIN, ""), "WIDGET", "Scan a tote, not WIDGET"),
])
def test_every_refusal_keeps_the_step_and_posts_nothing(
        step_inputs: tuple[str, ...], scan: str, message: str) -> None:
    services = two_orders()
    flow = started(services)
    for text in step_inputs:
        flow.submit(text)
    before = flow.current().name
    step = flow.submit(scan)
    assert (step.name, step.tone, step.message) == (before, Tone.ERROR, message)
    assert services.recorded() == []


def test_check_digits_confirm_the_location() -> None:
    flow = started(two_orders())
    assert flow.submit(P1.check_digits).name == "item"


def test_fewer_than_asked_is_a_short_pick_with_reason_then_tote() -> None:
    services = two_orders()
    services.elsewhere = 12
    flow = started(services)
    flow.submit("P-01-01-1")
    flow.submit(CS_GTIN)
    step = flow.submit("1")
    assert (step.name, step.choices, facts(step)) == (
        "reason", ("1 SHORT", "2 DAMAGED"),
        {"Item": "WIDGET", "": "Blue widget", "Asked": "2 CS (24 EA)"})
    assert flow.submit("9").message == "Key 1 to 2"
    step = flow.submit("2")
    assert (step.name, facts(step)["Short"]) == ("confirm", "1 CS (12 EA)")
    step = flow.submit("1")
    assert (step.name, facts(step)["Qty"]) == ("drop", "1 CS (12 EA)")
    step = flow.submit("TOTE-1")
    assert (step.name, step.message) == ("loc", "Rest from another loc")
    assert services.recorded("short") == [{
        "task": 1, "picked": 12, "reason": "DAMAGED", "to": TOTE1.id, "lot_id": None,
        "reallocated": 12, "short": 0, "empty": False}]


def test_f5_before_the_quantity_shorts_the_whole_line_without_a_tote() -> None:
    services = two_orders()
    flow = started(services)
    flow.submit("P-01-01-1")
    step = flow.exception_key()
    assert step.name == "reason"
    assert flow.submit("1").name == "confirm"
    step = flow.submit("1")
    assert (step.name, step.message) == ("loc", "2 CS short on SO-1")
    assert services.recorded("short") == [{
        "task": 1, "picked": 0, "reason": "SHORT", "to": None, "lot_id": None,
        "reallocated": 0, "short": 24, "empty": False}]
    assert facts(step)["Loc"] == "P-01-02-1"


def test_f5_at_the_quantity_asks_what_was_picked() -> None:
    services = two_orders()
    flow = started(services)
    flow.submit("P-01-01-1")
    flow.submit(EA_GTIN)
    flow.exception_key()
    step = flow.submit("1")
    assert (step.name, step.prompt) == ("sqty", "Qty picked (0=none)")
    assert flow.submit("2").message == "Short: key less than 2 CS"
    assert flow.submit("0").name == "confirm"
    step = flow.submit("1")
    assert step.name == "loc"
    assert services.recorded("short")[0]["picked"] == 0


def test_back_from_a_short_pick_returns_where_it_began() -> None:
    services = two_orders()
    flow = started(services)
    flow.submit("P-01-01-1")
    flow.exception_key()
    step = flow.back()
    assert step is not None and step.name == "item"
    assert "short" not in flow.state
    flow.submit(EA_GTIN)
    assert flow.submit("").name == "drop"


def test_f5_is_refused_outside_a_task() -> None:
    flow = PickFlow(OPERATOR, two_orders())
    step = flow.exception_key()
    assert (step.name, step.tone) == ("start", Tone.ERROR)


def test_a_pick_that_empties_the_location_asks_the_zero_check() -> None:
    services = two_orders()
    services.on_hand[P1.id] = 24
    flow = started(services)
    flow.submit("P-01-01-1")
    flow.submit(CS_GTIN)
    flow.submit("")
    step = flow.submit("TOTE-1")
    assert (step.name, step.prompt, step.choices, step.message) == (
        "zero", "Location empty?", ("1 Yes", "2 No"), "Picked 2 CS")
    assert facts(step) == {"Loc": "P-01-01-1"}
    assert flow.submit("3").message == "Key 1 (Yes) or 2 (No)"
    step = flow.submit("2")
    assert (step.name, step.message) == ("loc", "Count task created")
    assert services.recorded("zero") == [{"location": P1.id}]


def test_yes_to_the_zero_check_creates_nothing() -> None:
    services = two_orders()
    services.on_hand[P1.id] = 24
    flow = started(services)
    for text in ("P-01-01-1", CS_GTIN, "", "TOTE-1"):
        flow.submit(text)
    assert flow.submit("1").name == "loc"
    assert services.recorded("zero") == []


def milk_wave() -> PickFakeServices:
    services = PickFakeServices.wave([
        task(1, "SO-9", P1, 5, item="MILK", lot="L-MAR", lot_id=31, expiry=date(2099, 3, 1)),
    ])
    services.lots = {
        "L-JAN": Lot(30, P1.id, date(2099, 1, 1), 10),
        "L-APR": Lot(32, P1.id, date(2099, 4, 1), 10),
        "L-OTHER": Lot(33, A1.id, date(2099, 1, 1), 10),
    }
    return services


def test_the_allocated_lot_from_the_label_goes_straight_to_quantity() -> None:
    flow = started(milk_wave())
    flow.submit("P-01-01-1")
    step = flow.submit(milk_label("L-MAR", "990301"))
    assert (step.name, facts(step)["Lot"], facts(step)["Exp"]) == ("qty", "L-MAR", "2099-03-01")
    assert facts(step)[""] == "Milk 1L"


def test_an_earlier_lot_here_is_substituted_and_its_id_posted() -> None:
    services = milk_wave()
    flow = started(services)
    flow.submit("P-01-01-1")
    step = flow.submit(milk_label("L-JAN", "990101"))
    assert (step.name, step.tone, step.message) == ("qty", Tone.SUCCESS,
                                                    "Lot L-JAN instead of L-MAR")
    assert (facts(step)["Lot"], facts(step)["Exp"]) == ("L-JAN", "2099-01-01")
    flow.submit("")
    flow.submit("TOTE-1")
    assert services.recorded("pick")[0]["lot_id"] == 30


@pytest.mark.parametrize(("lot", "message"), [
    ("L-APR", "Lot not allowed: take L-MAR"),
    ("L-OTHER", "Lot not allowed: take L-MAR"),
    ("L-NONE", "Unknown lot L-NONE: scan the lot on the goods"),
])
def test_a_later_lot_or_one_from_elsewhere_is_refused(lot: str, message: str) -> None:
    services = milk_wave()
    flow = started(services)
    flow.submit("P-01-01-1")
    step = flow.submit(milk_label(lot))
    assert (step.name, step.tone, step.message) == ("item", Tone.ERROR, message)


def test_a_lot_tracked_item_scanned_without_a_lot_asks_for_it() -> None:
    services = milk_wave()
    flow = started(services)
    flow.submit("P-01-01-1")
    step = flow.submit("MILK")
    assert (step.name, step.prompt) == ("lot", "Scan or key lot")
    assert flow.submit("L-APR").message == "Lot not allowed: take L-MAR"
    assert flow.submit("L-MAR").name == "qty"


def milk_here(services: PickFakeServices, *lots: str) -> None:
    services.lines = [StockLine("MILK", "Milk", "P-01-01-1", 5, "EA", lot=lot, item_id=MILK.id,
                                location_id=P1.id) for lot in lots]


def test_enter_takes_the_lot_shown_when_it_is_the_only_lot_here() -> None:
    services = milk_wave()
    milk_here(services, "L-MAR")
    flow = started(services)
    flow.submit("P-01-01-1")
    step = flow.submit("MILK")
    assert (step.name, step.prompt, facts(step)["Lot"]) == ("lot", "Scan lot or Enter", "L-MAR")
    step = flow.submit("")
    assert (step.name, facts(step)["Lot"]) == ("qty", "L-MAR")
    flow.submit("")
    flow.submit("TOTE-1")
    assert services.recorded("pick")[0]["lot_id"] == 31


def test_with_two_lots_here_the_lot_must_be_scanned() -> None:
    services = milk_wave()
    milk_here(services, "L-MAR", "L-JAN")
    flow = started(services)
    flow.submit("P-01-01-1")
    step = flow.submit("MILK")
    assert (step.name, step.prompt) == ("lot", "Scan or key lot")
    step = flow.submit("")
    assert (step.name, step.tone, step.message) == ("lot", Tone.ERROR, "Scan or key the lot")
    # A scan of another lot still wins over the one shown.
    step = flow.submit("L-JAN")
    assert (step.name, facts(step)["Lot"]) == ("qty", "L-JAN")


def test_scanning_an_order_picks_only_that_order() -> None:
    flow = PickFlow(OPERATOR, two_orders())
    assert flow.submit("NOPE").message == "Scan wave or order, not NOPE"
    step = flow.submit("so-2")
    assert (step.name, facts(step)["Order"]) == ("loc", "SO-2")
    back = flow.back()
    assert back is not None and facts(back) == {"Order": "SO-2"}


def test_back_to_the_start_keeps_the_totes_of_the_trip() -> None:
    flow = started(two_orders())
    for text in ("P-01-01-1", CS_GTIN, "", "TOTE-1"):
        flow.submit(text)
    flow.back()
    assert flow.state["totes"] == {"SO-1": {"id": TOTE1.id, "code": "TOTE-1"}}


def test_a_new_trip_is_offered_the_orders_tote_and_refused_another_orders() -> None:
    services = two_orders()
    flow = started(services)
    for text in ("P-01-01-1", CS_GTIN, "", "TOTE-1"):
        flow.submit(text)
    # The picker leaves; the next trip knows no totes, the warehouse still does.
    flow = started(services)
    for text in ("P-01-02-1", "WIDGET", ""):
        flow.submit(text)
    step = flow.submit("TOTE-1")
    assert (step.name, step.tone, step.message) == (
        "drop", Tone.ERROR, "Tote TOTE-1 holds SO-1: scan another")
    flow.submit("TOTE-2")
    for text in (A1.check_digits, "WIDGET"):
        flow.submit(text)
    step = flow.submit("")
    assert (step.prompt, facts(step)["Tote"]) == ("Scan tote/Enter", "TOTE-1")
    flow.submit("")
    assert [(c["task"], c["to"]) for c in services.recorded("pick")] == [
        (1, TOTE1.id), (2, TOTE2.id), (3, TOTE1.id)]
    assert "bound" not in flow.state


def test_resume_after_a_committed_pick_moves_on_without_posting_again() -> None:
    services = two_orders()
    flow = started(services)
    for text in ("P-01-01-1", CS_GTIN, ""):
        flow.submit(text)
    saved = dict(flow.state)
    flow.submit("TOTE-1")
    resumed = PickFlow(OPERATOR, services, state=saved)
    step = resumed.resume()
    assert (step.name, facts(step)["Order"]) == ("loc", "SO-2")
    assert step.message == "Last: Picked 2 CS"
    assert len(services.recorded("pick")) == 1


def test_resume_before_the_pick_shows_the_same_step() -> None:
    services = two_orders()
    flow = started(services)
    flow.submit("P-01-01-1")
    resumed = PickFlow(OPERATOR, services, state=dict(flow.state))
    assert resumed.resume() == flow.current()


def test_every_step_renders_in_a_16x20_screen() -> None:
    services = milk_wave()
    flow = started(services)
    seen = [flow.current()]
    for text in ("P-01-01-1", "MILK", "L-MAR", "2"):
        seen.append(flow.submit(text))
    seen.append(flow.submit("1"))
    for step in seen:
        assert len(step.prompt) <= 20 and len(step.title) <= 20, step
        assert all(len(f"{f.label}: {f.value}") <= 20 for f in step.facts), step


# Replenishment.


def replenishment() -> PickFakeServices:
    return PickFakeServices.wave([
        task(7, "", A2, 24, kind=TaskKind.REPLENISH, to=P1),
    ])


def test_replenish_happy_path() -> None:
    services = replenishment()
    flow = ReplenishFlow(OPERATOR, services)
    step = flow.submit("")
    assert (step.name, facts(step)) == ("from", {"From": "A-01-02-1", "Item": "WIDGET",
                                        "": "Blue widget",
                                                 "Qty": "24 EA"})
    assert flow.submit("A-01-01-1").message == "Wrong location: go to A-01-02-1"
    flow.submit(A2.check_digits)
    assert flow.submit("MILK").message == "Wrong item: take WIDGET"
    flow.submit("WIDGET")
    assert flow.submit("25").message == "Only 24 EA asked: key less"
    step = flow.submit("20")
    assert (step.name, facts(step)["To"], facts(step)["Qty"]) == ("to", "P-01-01-1", "20 EA")
    assert flow.submit("P-01-02-1").message == "Wrong location: go to P-01-01-1"
    assert services.recorded() == []
    step = flow.submit("P-01-01-1")
    assert (step.name, step.message) == ("start", "Moved 20 EA to P-01-01-1: no more tasks")
    assert services.recorded("replenish") == [{"task": 7, "qty": 20}]


def test_replenish_with_nothing_to_do() -> None:
    flow = ReplenishFlow(OPERATOR, PickFakeServices.wave([]))
    assert flow.submit("").message == "No replenishments"


def test_replenish_resume_after_commit() -> None:
    services = replenishment()
    flow = ReplenishFlow(OPERATOR, services)
    for text in ("", "A-01-02-1", "WIDGET", ""):
        flow.submit(text)
    saved = dict(flow.state)
    flow.submit("P-01-01-1")
    step = ReplenishFlow(OPERATOR, services, state=saved).resume()
    assert step.name == "start" and len(services.recorded("replenish")) == 1


def test_replenish_takes_the_lot_shown_on_enter_and_refuses_another() -> None:
    services = replenishment()
    flow = ReplenishFlow(OPERATOR, services)
    flow.submit("")
    flow.submit(A2.check_digits)
    flow.submit("WIDGET")
    # The task names one lot: at the lot step Enter takes it, another lot is refused.
    flow.state["task"]["lot"] = "L1"
    flow.goto(ReplenishStep.LOT)
    assert flow.current().prompt == "Scan lot or Enter"
    assert flow.submit("L2").message == "Wrong lot: take L1"
    assert flow.submit("").name == "qty"
