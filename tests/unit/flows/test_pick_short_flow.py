"""Short picks in the pick flow are deliberate: F5 only where the picker stands at the location
(supervisors anywhere), a reason list that says it is a short pick, and a yes/no confirmation
stating how many go short before anything is posted."""

from __future__ import annotations

from datetime import date

import pytest

from tests.flow_fakes import OPERATOR, SUPERVISOR
from tests.unit.flows.pick_fakes import CS_GTIN, EA_GTIN, TOTE1, PickFakeServices, task
from tests.unit.flows.putaway_fakes import P1
from wms_tui.domain.flows.base import InputKind, Step, Tone
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.model import Actor


def facts(step: Step) -> dict[str, str]:
    return {f.label: f.value for f in step.facts}


def one_line(quantity: int = 24, uom: str = "CS", factor: int = 12) -> PickFakeServices:
    """SO-1 asks 2 CS (24 EA) of widgets at P1, with 96 EA on the shelf."""
    return PickFakeServices.wave([task(1, "SO-1", P1, quantity, uom=uom, factor=factor)],
                                 on_hand={P1.id: 96})


def at_loc(services: PickFakeServices, actor: Actor = OPERATOR) -> PickFlow:
    flow = PickFlow(actor, services)
    assert flow.submit("").name == "loc"
    return flow


def test_f5_1_enter_at_the_location_is_refused_and_posts_nothing() -> None:
    services = one_line()
    flow = at_loc(services)
    step = flow.exception_key()
    assert (step.name, step.tone, step.message) == (
        "loc", Tone.ERROR, "Scan the location first, then F5")
    step = flow.submit("1")
    assert (step.name, step.tone) == ("loc", Tone.ERROR)
    assert services.recorded() == []
    assert "short" not in flow.state


def test_a_supervisor_may_short_from_the_location_after_confirming() -> None:
    services = one_line()
    flow = at_loc(services, SUPERVISOR)
    step = flow.exception_key()
    assert (step.name, step.title, step.input, facts(step)) == (
        "reason", "Short pick", InputKind.CHOICE,
        {"Item": "WIDGET", "": "Blue widget", "Asked": "2 CS (24 EA)"})
    assert "short pick" in step.help.lower()
    step = flow.submit("1")
    assert (step.name, step.title, step.input, step.prompt, step.choices) == (
        "confirm", "Short pick", InputKind.YESNO, "Post short?", ("1 Yes", "2 No"))
    assert facts(step)["Short"] == "2 CS (24 EA)"
    assert services.recorded() == []
    step = flow.submit("1")
    assert (step.name, step.message) == ("start", "2 CS short on SO-1: no more tasks")
    assert services.recorded("short") == [{
        "task": 1, "picked": 0, "reason": "SHORT", "to": None, "lot_id": None,
        "reallocated": 0, "short": 24, "empty": False}]


def test_the_confirmation_states_the_count_and_2_posts_nothing() -> None:
    services = one_line(24, "EA", 1)
    flow = at_loc(services)
    flow.submit("P-01-01-1")
    flow.submit(EA_GTIN)
    step = flow.submit("21")
    assert (step.name, step.title) == ("reason", "Short pick")
    step = flow.submit("2")
    assert (step.name, facts(step)) == ("confirm", {"Short": "3 EA", "Picked": "21 EA",
                                                    "Item": "WIDGET"})
    step = flow.submit("2")
    assert (step.name, step.tone, step.message) == ("qty", Tone.SUCCESS, "Short cancelled")
    assert services.recorded() == []
    assert "short" not in flow.state and "qty" not in flow.state
    # The line is intact: Enter now picks all asked, as if the short never began.
    assert flow.submit("").name == "drop"
    flow.submit("TOTE-1")
    assert services.recorded("pick")[0]["qty"] == 24


@pytest.mark.parametrize("answer", ["", "3", "Y", "YES", "0"])
def test_the_confirmation_takes_only_1_or_2(answer: str) -> None:
    services = one_line()
    flow = at_loc(services)
    flow.submit("P-01-01-1")
    flow.exception_key()
    flow.submit("1")
    step = flow.submit(answer)
    assert (step.name, step.tone, step.message) == ("confirm", Tone.ERROR,
                                                    "Key 1 (Yes) or 2 (No)")
    assert services.recorded() == []


def test_no_at_the_confirmation_goes_back_to_the_step_the_short_came_from() -> None:
    services = PickFakeServices.wave([
        task(1, "SO-9", P1, 5, item="MILK", lot="L-MAR", lot_id=31, expiry=date(2099, 3, 1))])
    flow = at_loc(services)
    flow.submit("P-01-01-1")
    assert flow.submit("MILK").name == "lot"
    flow.exception_key()
    flow.submit("1")
    step = flow.submit("2")
    assert step.name == "lot" and services.recorded() == []
    assert flow.submit("L-MAR").name == "qty"


def test_f5_at_the_quantity_confirms_the_rest_then_drops_what_was_picked() -> None:
    services = one_line()
    flow = at_loc(services)
    flow.submit("P-01-01-1")
    flow.submit(CS_GTIN)
    flow.exception_key()
    assert flow.submit("1").name == "sqty"
    step = flow.submit("1")
    assert (step.name, facts(step)["Short"], facts(step)["Picked"]) == ("confirm", "1 CS (12 EA)",
                                                                        "1 CS (12 EA)")
    back = flow.back()
    assert back is not None and back.name == "sqty"
    flow.submit("1")
    step = flow.submit("1")
    assert (step.name, facts(step)["Qty"]) == ("drop", "1 CS (12 EA)")
    back = flow.back()
    assert back is not None and back.name == "confirm"
    flow.submit("1")
    flow.submit("TOTE-1")
    assert services.recorded("short") == [{
        "task": 1, "picked": 12, "reason": "SHORT", "to": TOTE1.id, "lot_id": None,
        "reallocated": 0, "short": 12, "empty": False}]


def test_back_from_the_confirmation_and_the_reason_leaves_the_short() -> None:
    services = one_line()
    flow = at_loc(services)
    flow.submit("P-01-01-1")
    flow.submit(EA_GTIN)
    flow.exception_key()
    flow.submit("1")
    assert facts(flow.submit("0"))["Short"] == "2 CS (24 EA)"
    assert [flow.back().name, flow.back().name, flow.back().name] == ["sqty", "reason", "qty"]  # type: ignore[union-attr]
    assert "short" not in flow.state and services.recorded() == []


def test_the_short_steps_fit_a_16x20_screen() -> None:
    flow = at_loc(one_line(), SUPERVISOR)
    seen = [flow.exception_key(), flow.submit("2")]
    for step in seen:
        assert len(step.prompt) <= 20 and len(step.title) <= 20, step
        assert all(len(f"{f.label}: {f.value}") <= 20 for f in step.facts), step
        assert all(len(choice) <= 20 for choice in step.choices), step
