"""The approval flow without a database: one waiting count per screen, decided once by key."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from tests.unit.flows.approve_fakes import (
    A1,
    A2,
    B1,
    SUPERVISOR,
    SUPERVISOR2,
    FakeDesk,
    variance,
    waiting,
)
from wms_tui.domain.flows.approve import ApproveFlow, ApproveStep
from wms_tui.domain.flows.base import InputKind, Step, Tone
from wms_tui.domain.flows.services import StockLine

CHOICES = "1 Approve 2 Reject (recount) 3 Skip"


def facts(step: Step) -> dict[str, str]:
    return {fact.label: fact.value for fact in step.facts}


def two_counts() -> FakeDesk:
    """A WIDGET count at A-01-01-1 three short, then a MILK lot count at A-01-02-1 two over."""
    return FakeDesk.with_counts(
        waiting(11, A1, variance("WIDGET", 30, 27)),
        waiting(12, A2, variance("MILK", 10, 12, lot="L1")),
    )


def test_one_count_per_screen_with_book_count_who_and_valued_variance() -> None:
    flow = ApproveFlow(SUPERVISOR, two_counts())
    step = flow.current()
    assert (step.name, step.input, step.prompt, step.facts) == (
        "start", InputKind.SCAN, "Scan loc or Enter", ())
    step = flow.submit("")
    assert (step.name, step.title, step.input, step.prompt) == (
        "decide", "Approvals", InputKind.CHOICE, CHOICES)
    assert facts(step) == {"Loc": "A-01-01-1", "Item": "WIDGET", "": "Blue widget", "Book": "30",
                           "Counted": "27 by OP1", "Var": "-3 (-13.50)"}
    assert not step.unsaved_work and step.message == ""


def test_approve_posts_with_the_key_shown_and_goes_on_to_the_next_count() -> None:
    desk = two_counts()
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    key = flow.state["key"]
    step = flow.submit("1")
    assert [(d.actor, d.task_id, d.approve, d.key) for d in desk.decisions] == [
        (SUPERVISOR, 11, True, key)]
    assert (step.name, step.message, step.tone) == ("decide", "Approved A-01-01-1", Tone.SUCCESS)
    # The next count, with a lot and no cost known: the variance has no value.
    assert facts(step) == {"Loc": "A-01-02-1", "Item": "MILK", "Lot": "L1", "Book": "10",
                           "Counted": "12 by OP1", "Var": "+2"}
    assert flow.state["key"] != key
    assert flow.last_posted() == {"key": key, "summary": "Approved A-01-01-1"}


def test_reject_asks_for_a_recount_and_the_last_one_says_none_are_left() -> None:
    desk = two_counts()
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    flow.submit("2")
    step = flow.submit("2")
    assert [(d.task_id, d.approve) for d in desk.decisions] == [(11, False), (12, False)]
    assert (step.name, step.message, step.tone) == (
        "start", "Rejected A-01-02-1: counted again; no more counts", Tone.SUCCESS)
    assert flow.state.get("key") is None


def test_skip_leaves_a_count_for_later_and_a_new_walk_shows_it_again() -> None:
    desk = two_counts()
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    step = flow.submit("3")
    assert facts(step)["Loc"] == "A-01-02-1" and desk.decisions == []
    step = flow.submit("3")
    assert (step.name, step.message) == ("start", "Skipped: no more counts to approve")
    step = flow.submit("")
    assert (step.name, facts(step)["Loc"]) == ("decide", "A-01-01-1")


def test_a_skipped_count_stays_skipped_after_deciding_another() -> None:
    desk = FakeDesk.with_counts(waiting(11, A1, variance("WIDGET", 30, 27)),
                                waiting(12, A2, variance("WIDGET", 5, 6)),
                                waiting(13, B1, variance("WIDGET", 8, 9)))
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    flow.submit("3")
    step = flow.submit("1")
    assert facts(step)["Loc"] == "B-01-01-1"
    step = flow.submit("1")
    assert step.name == "start" and [d.task_id for d in desk.decisions] == [12, 13]


def test_an_empty_list_says_so_without_a_refusal() -> None:
    flow = ApproveFlow(SUPERVISOR, FakeDesk.with_counts())
    step = flow.submit("")
    assert (step.name, step.message, step.tone) == ("start", "No counts to approve", Tone.NONE)


def test_the_supervisors_own_count_is_never_shown() -> None:
    desk = FakeDesk.with_counts(
        waiting(11, A1, variance("WIDGET", 30, 27), counted_by=SUPERVISOR),
        waiting(12, A2, variance("WIDGET", 5, 6)),
    )
    flow = ApproveFlow(SUPERVISOR, desk)
    step = flow.submit("")
    assert facts(step)["Loc"] == "A-01-02-1"
    step = flow.submit("1")
    assert (step.name, step.message) == ("start", "Approved A-01-02-1; no more counts")
    step = flow.submit("")
    assert (step.message, step.tone) == ("No counts to approve (own: 1)", Tone.NONE)
    # Scanning its location is refused with what to do instead.
    step = flow.submit("A-01-01-1")
    assert (step.name, step.tone, step.message) == (
        "start", Tone.ERROR, "You counted A-01-01-1: call another supervisor")
    assert [d.task_id for d in desk.decisions] == [12]
    # Another supervisor sees it and may decide it.
    other = ApproveFlow(SUPERVISOR2, desk)
    assert facts(other.submit(""))["Loc"] == "A-01-01-1"


def test_scanning_a_location_takes_its_count() -> None:
    flow = ApproveFlow(SUPERVISOR, two_counts())
    step = flow.submit("A-01-02-1")
    assert (step.name, facts(step)["Loc"]) == ("decide", "A-01-02-1")
    flow.back()
    step = flow.submit("DOCK-1")
    assert (step.name, step.tone, step.message) == (
        "start", Tone.ERROR, "No count to approve at DOCK-1: Enter = next")
    step = flow.submit("WIDGET")
    assert step.message == "Scan a location, not WIDGET"


def test_a_count_of_several_items_shows_each_before_the_question() -> None:
    desk = FakeDesk.with_counts(waiting(11, A1, variance("WIDGET", 30, 27),
                                        variance("MILK", 10, 12, lot="L1", moved=-4)))
    flow = ApproveFlow(SUPERVISOR, desk)
    step = flow.submit("")
    assert (step.name, step.prompt, step.input) == ("review", "Enter: next item", InputKind.SCAN)
    assert facts(step)["Item 1/2"] == "WIDGET"
    step = flow.submit("1")
    assert (step.name, step.message) == ("review", "Key Enter for the next item")
    assert desk.decisions == []
    step = flow.submit("")
    assert (step.name, step.prompt) == ("decide", CHOICES)
    # Stock moved since the count: the book then and now.
    assert facts(step) == {"Loc": "A-01-01-1", "Item 2/2": "MILK", "Lot": "L1",
                           "Book": "10, now 6", "Counted": "12 by OP1", "Var": "+2"}
    flow.submit("1")
    assert [(d.task_id, d.approve) for d in desk.decisions] == [(11, True)]


def test_a_wrong_key_is_refused_and_decides_nothing() -> None:
    desk = two_counts()
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    before = dict(flow.state)
    step = flow.submit("4")
    assert (step.name, step.tone, step.message) == ("decide", Tone.ERROR, "Key 1, 2 or 3")
    assert flow.state == before and desk.decisions == []


def test_a_decision_that_committed_unseen_is_not_posted_again_on_resume() -> None:
    desk = two_counts()
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    # The resume point as saved before the answer: the link dropped after the commit.
    saved = json.loads(json.dumps(flow.snapshot()))["state"]
    flow.submit("1")
    resumed = ApproveFlow(SUPERVISOR, desk, state=saved)
    assert resumed.has_work()
    step = resumed.resume()
    assert (step.name, step.message) == ("start", "Last: Approved A-01-01-1")
    assert len(desk.decisions) == 1
    # The same answer resubmitted with the same key replays the first decision.
    again = ApproveFlow(SUPERVISOR, desk, state=saved)
    step = again.submit("1")
    assert len(desk.decisions) == 1 and step.message == "Approved A-01-01-1"


def test_a_count_another_supervisor_decided_first_moves_on() -> None:
    desk = two_counts()
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    ApproveFlow(SUPERVISOR2, desk).submit("")
    desk.approve_count(SUPERVISOR2, 11, True, "other-key")
    step = flow.submit("1")
    assert (step.name, step.tone, step.message) == (
        "decide", Tone.ERROR, "Task 11 is not waiting for approval")
    assert facts(step)["Loc"] == "A-01-02-1"
    assert [d.actor for d in desk.decisions] == [SUPERVISOR2]


def test_stock_gone_since_the_count_sends_it_back_for_a_recount() -> None:
    desk = two_counts()
    desk.left_since.add("WIDGET")
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    step = flow.submit("1")
    assert step.message == "WIDGET left the location since the count: recount"


def test_a_resumed_state_renders_the_same_and_speaks_the_operators_language() -> None:
    desk = two_counts()
    desk.costs["MILK"] = Decimal("0.333")
    flow = ApproveFlow(SUPERVISOR, desk)
    flow.submit("")
    flow.submit("3")
    saved = json.loads(json.dumps(flow.snapshot()))["state"]
    resumed = ApproveFlow(SUPERVISOR, desk, state=saved)
    assert resumed.step_name is ApproveStep.DECIDE and resumed.current() == flow.current()
    assert facts(resumed.current())["Var"] == "+2 (+0.67)"
    translated = ApproveFlow(SUPERVISOR, desk, t=lambda text: f"<{text}>", state=saved)
    step = translated.current()
    assert (step.title, step.prompt) == ("<Approvals>", f"<{CHOICES}>")
    assert facts(step)["<Counted>"] == "<12 by OP1>"


def test_step_values_are_the_names_saved_states_hold() -> None:
    # Saved flow states name these steps: renaming a value would strand every saved state.
    assert {step.value for step in ApproveStep} == {"start", "review", "decide"}
    assert set(ApproveFlow.HELP) == set(ApproveStep)


def test_a_count_names_the_item_by_its_description_and_the_lot_with_its_expiry() -> None:
    desk = FakeDesk.with_counts(waiting(12, A2, variance("MILK", 10, 12, lot="L1")))
    desk.lines.append(StockLine("MILK", "Milk 1L", A2.code, 10, "EA", lot="L1",
                                expiry=date(2026, 3, 1), item_id=2, location_id=A2.id))
    step = ApproveFlow(SUPERVISOR, desk).submit("")
    assert [(f.label, f.value) for f in step.facts] == [
        ("Loc", A2.code), ("Item", "MILK"), ("Lot", "L1"), ("Exp", "2026-03-01"), ("Book", "10"),
        ("Counted", "12 by OP1"), ("Var", "+2"), ("", "Milk 1L")]
