"""The count flow without a database: blind steps, recount, location done, found stock, lots."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from tests.unit.flows.count_fakes import (
    A1,
    CASE_GTIN,
    MILK,
    MILK_BOOK,
    MILK_GTIN,
    OPERATOR,
    OPERATOR2,
    WIDGET,
    WIDGET_BOOK,
    FakeCounting,
)
from wms_tui.domain.counting import CountPolicy, CountStatus
from wms_tui.domain.flows.base import InputKind, Step, Tone
from wms_tui.domain.flows.count import CountFlow, CountTaskState
from wms_tui.domain.model import Actor

SAME_OPERATOR = CountPolicy(recount_by_other_operator=False)
EA_GTIN = "09501101530003"


class Run:
    """A flow plus every step it showed, so blindness can be checked over all of them."""

    def __init__(self, services: FakeCounting, actor: Actor = OPERATOR) -> None:
        self.services = services
        self.flow = CountFlow(actor, services)
        self.steps: list[Step] = [self.flow.current()]

    def enter(self, *inputs: str) -> Step:
        for text in inputs:
            self.steps.append(self.flow.submit(text))
        return self.steps[-1]

    def back(self) -> Step | None:
        step = self.flow.back()
        if step is not None:
            self.steps.append(step)
        return step

    @property
    def step(self) -> Step:
        return self.steps[-1]


def texts(step: Step) -> Iterable[str]:
    yield from (step.title, step.prompt, step.message, step.help, *step.choices)
    for fact in step.facts:
        yield fact.label
        yield fact.value


def assert_blind(steps: Iterable[Step]) -> None:
    for step in steps:
        for text in texts(step):
            assert str(WIDGET_BOOK) not in text and str(MILK_BOOK) not in text, (step.name, text)


@pytest.fixture
def office() -> FakeCounting:
    return FakeCounting.counting()


def test_happy_path_counts_a_location_and_posts(office: FakeCounting) -> None:
    run = Run(office)
    assert run.step.name == "task" and run.step.input == InputKind.SCAN
    step = run.enter("")
    assert step.name == "loc"
    assert ("Loc", "A-01-01-1") in [(f.label, f.value) for f in step.facts]
    step = run.enter("A-01-01-1")
    assert step.name == "item" and step.prompt == "Scan item/Enter=done"
    step = run.enter(EA_GTIN)
    assert step.name == "qty" and step.prompt == "Qty in EA"
    step = run.enter("12")
    assert (step.name, step.message, step.tone) == ("item", "Counted 12 EA WIDGET", Tone.SUCCESS)
    step = run.enter(f"]C101{MILK_GTIN}10L1")
    assert step.name == "qty" and ("Lot", "L1") in [(f.label, f.value) for f in step.facts]
    run.enter("3")
    # Enter on "Enter=done" sends what was counted: no second question.
    step = run.enter("")
    assert (step.name, step.message) == ("task", "Recount needed")
    [sent] = office.submissions
    assert sent.lines == [(WIDGET.id, None, 12), (MILK.id, 71, 3)]
    assert (sent.task_id, sent.attempt, sent.started_at) == (1, 0, 100)
    assert_blind(run.steps)


def test_the_book_quantity_never_shows_even_through_recount_and_approval() -> None:
    office = FakeCounting.counting(SAME_OPERATOR)
    run = Run(office)
    step = run.enter("", "A-01-01-1", "WIDGET", "1", "")
    # The same operator may recount at once: straight back to the items, lines cleared.
    assert (step.name, step.message) == ("item", "Recount needed")
    assert ("Count", "Recount") in [(f.label, f.value) for f in step.facts]
    assert ("Lines", "0") in [(f.label, f.value) for f in step.facts]
    run.enter("WIDGET", "1", "")
    assert run.step.message == "Sent for approval"
    assert office.tasks[1].status == CountStatus.PENDING_APPROVAL
    # Every step of a recount of a lot-tracked item, as rendered from state.
    task: CountTaskState = {"id": 1, "location": "A-01-01-1", "attempt": 1, "item_id": None,
                            "sku": None}
    for name in ("task", "loc", "item", "lot", "qty", "done"):
        run.flow.state = {"step": name, "task": task, "lines": [], "uom": "EA", "sku": "MILK",
                          "lot": "L1"}
        run.steps.append(run.flow.current())
    assert_blind(run.steps)


def test_recount_goes_to_another_operator_when_the_policy_says_so(
        office: FakeCounting) -> None:
    run = Run(office)
    run.enter("", "A-01-01-1", "", "1")
    assert run.step.message == "Recount needed" and run.step.name == "task"
    # OP1 gets the other task (A2), never its own recount.
    assert run.enter("").name == "loc"
    assert run.flow.state["task"]["id"] == 2
    other = Run(office, OPERATOR2)
    other.enter("", "A-01-01-1")
    assert other.flow.state["task"] == {"id": 1, "location": "A-01-01-1", "attempt": 1,
                                        "item_id": None, "sku": None}
    other.enter("WIDGET", str(WIDGET_BOOK), f"]C101{MILK_GTIN}10L1", str(MILK_BOOK), "")
    assert other.step.message == "Count posted"
    assert office.tasks[1].status == CountStatus.DONE


def test_a_one_item_task_posts_on_its_quantity_two_scans_and_two_keys(
        office: FakeCounting) -> None:
    # A-01-02-1's task counts WIDGET only: location, item, the quantity and Enter count it all.
    run = Run(office)
    step = run.enter("A-01-02-1", "WIDGET", str(WIDGET_BOOK))
    assert (step.name, step.message, step.tone) == ("task", "Count posted", Tone.SUCCESS)
    assert office.submissions[0].lines == [(WIDGET.id, None, WIDGET_BOOK)]


def test_location_done_with_nothing_counted_counts_the_book_as_zero(
        office: FakeCounting) -> None:
    run = Run(office)
    run.enter("A-01-01-1")
    assert run.step.name == "item"
    step = run.enter("", "1")
    assert step.message == "Recount needed"
    assert office.submissions[0].lines == []


def test_found_stock_is_counted_too(office: FakeCounting) -> None:
    office.book.clear()
    run = Run(office)
    run.enter("A-01-01-1", "WIDGET", "5", "")
    assert run.step.message == "Recount needed"
    assert office.submissions[0].lines == [(WIDGET.id, None, 5)]


def test_same_item_twice_is_two_stacks(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("A-01-01-1", "WIDGET", "5", CASE_GTIN, "2")
    assert ("Lines", "2") in [(f.label, f.value) for f in run.step.facts]
    assert run.step.message == "Counted 2 CS WIDGET"
    run.enter("")
    assert office.submissions[0].lines == [(WIDGET.id, None, 5), (WIDGET.id, None, 24)]


def test_an_empty_location_is_asked_again_and_can_be_taken_back(office: FakeCounting) -> None:
    run = Run(office)
    step = run.enter("A-01-01-1", "")
    # Nothing counted sends the books to zero: that one is asked again.
    assert (step.name, step.input, step.prompt, step.choices) == (
        "done", InputKind.YESNO, "Location done?", ("1 Yes", "2 No"))
    step = run.enter("9")
    assert (step.name, step.tone, step.message) == ("done", Tone.ERROR, "Key 1 or 2")
    assert run.enter("2").name == "item"
    run.enter("WIDGET", "1", "")
    assert office.submissions[0].lines == [(WIDGET.id, None, 1)]


def test_location_by_check_digits_and_wrong_scans(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("")
    step = run.enter("A-01-02-1")
    assert (step.name, step.message) == ("loc", "Wrong location: go to A-01-01-1")
    assert run.enter("99").message == "Wrong check digits: key them again"
    assert run.enter(A1.check_digits).name == "item"
    assert run.enter("A-01-02-1").message == "Finish A-01-01-1 first"
    assert run.enter("A-01-01-1").name == "item"
    assert run.enter("NOPE").message == "Scan an item, not NOPE"
    assert run.enter("WIDGET", "1.5").message == "Key whole EA only"
    assert run.enter("x").message == "Key a quantity, not x"
    assert run.enter("-1").tone == Tone.ERROR
    assert run.enter("0").message == "Counted 0 EA WIDGET"


def test_scanning_a_location_picks_its_task(office: FakeCounting) -> None:
    run = Run(office)
    step = run.enter("DOCK-1")
    assert (step.name, step.message) == ("task", "No count at DOCK-1: Enter = next task")
    assert run.enter("WIDGET").message == "Scan a location, not WIDGET"
    step = run.enter("A-01-02-1")
    assert step.name == "item" and ("Only", "WIDGET") in [(f.label, f.value) for f in step.facts]
    assert run.enter(MILK_GTIN).message == "Count WIDGET only"


def test_no_tasks_left(office: FakeCounting) -> None:
    office.tasks.clear()
    assert Run(office).enter("").message == "No count tasks now: Esc for menu"


def test_lot_is_asked_when_the_scan_has_none(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("A-01-01-1")
    step = run.enter(MILK_GTIN)
    assert (step.name, step.prompt) == ("lot", "Scan or key lot")
    assert run.enter("L9").message == "Unknown lot L9: tell a supervisor"
    assert run.enter("bad lot").message == "Key a lot of 1-20 chars, no spaces"
    assert run.enter("]C110L2").name == "qty"
    assert run.back() is not None and run.step.name == "lot"
    run.enter("L1", "4")
    assert run.flow.state["lines"][-1] == {"item_id": MILK.id, "lot_id": 71, "sku": "MILK",
                                           "lot": "L1", "qty": 4, "serials": []}
    assert run.enter(f"]C101{MILK_GTIN}10NOPE").message == "Unknown lot NOPE: tell a supervisor"


def test_back_from_counting_asks_first_and_forgets_the_lines(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("A-01-01-1")
    assert not run.step.unsaved_work
    run.enter("WIDGET", "3")
    assert run.step.unsaved_work
    step = run.back()
    assert step is not None and step.name == "task" and run.flow.state == {"step": "task"}
    assert run.back() is None


def test_a_count_someone_else_finished_first_starts_over(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("A-01-01-1", "WIDGET", "3")
    other = Run(office, OPERATOR2)
    other.enter("A-01-01-1", "", "1")
    step = run.enter("")
    assert (step.name, step.tone, step.message) == ("task", Tone.ERROR,
                                                    "Task 1 was counted already")


def test_resume_after_a_committed_count_never_sends_it_again(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("A-01-01-1", "WIDGET", "3")
    # Saved before Enter sent the count: the key is in it, so a resume can ask if it posted.
    saved = run.flow.snapshot()["state"]
    run.enter("")
    resumed = CountFlow(OPERATOR, office, state=saved)
    step = resumed.resume()
    assert (step.name, step.message) == ("task", "Last: Count of A-01-01-1 sent")
    assert len(office.submissions) == 1


def test_resume_before_the_count_was_sent_keeps_the_lines(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("A-01-01-1", "WIDGET", "3")
    resumed = CountFlow(OPERATOR, office, state=run.flow.snapshot()["state"])
    assert resumed.resume().name == "item"
    resumed.submit("")
    assert office.submissions[0].lines == [(WIDGET.id, None, 3)]
    assert office.submissions[0].started_at == 100


def test_started_at_is_taken_when_the_location_is_confirmed(office: FakeCounting) -> None:
    run = Run(office)
    run.enter("")
    office.position = 250
    run.enter("A-01-01-1", "", "1")
    assert office.submissions[0].started_at == 250


def test_f5_is_not_an_exception_in_counting(office: FakeCounting) -> None:
    assert Run(office).flow.exception_key().tone == Tone.ERROR
