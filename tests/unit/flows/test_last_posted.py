"""Every posting flow keeps its last confirmation in the saved state: the key and what the
operator was told. A drop after the commit but before the screen updated then costs nothing:
the resume offer is made (even at the flow's first step) and says what posted."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.flow_fakes import OPERATOR, PALLET, FakeServices
from tests.unit.flows.count_fakes import FakeCounting
from tests.unit.flows.pick_fakes import CS_GTIN, P2, PickFakeServices, task
from tests.unit.flows.putaway_fakes import P1, PutawayFakeServices
from tests.unit.flows.receive_fakes import FakeReceiving
from wms_tui.domain.flows.base import AnyFlow, Step, Tone
from wms_tui.domain.flows.count import CountFlow
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.flows.putaway import PutawayFlow
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.flows.replenish import ReplenishFlow
from wms_tui.domain.outbound import TaskKind

EA_GTIN = "]E09501101530003"
F5 = "<F5>"


@dataclass(frozen=True)
class Case:
    """A flow driven up to the input that posts, that input, and what is said of it."""

    build: Callable[[], tuple[AnyFlow, Any]]
    before: tuple[str, ...]
    posting: str
    # The success message, which the state keeps as the last confirmation's summary.
    said: str
    # What a resume can tell of a confirmation that committed before the state was saved.
    committed: str
    # Confirmations the services hold, to show a resume never posts one again.
    posts: Callable[[Any], int]


def move() -> tuple[AnyFlow, Any]:
    services = FakeServices.standard()
    return MoveFlow(OPERATOR, services), services


def putaway() -> tuple[AnyFlow, Any]:
    services = PutawayFakeServices.putaway()
    return PutawayFlow(OPERATOR, services), services


def receive() -> tuple[AnyFlow, Any]:
    services = FakeReceiving.receiving()
    return ReceiveFlow(OPERATOR, services), services


def two_orders(on_hand: int = 100) -> PickFakeServices:
    return PickFakeServices.wave([task(1, "SO-1", P1, 24, uom="CS", factor=12),
                                  task(2, "SO-2", P2, 5)], on_hand={P1.id: on_hand,
                                                                    P2.id: 100})


def pick() -> tuple[AnyFlow, Any]:
    services = two_orders()
    return PickFlow(OPERATOR, services), services


def pick_emptying() -> tuple[AnyFlow, Any]:
    services = two_orders(on_hand=24)
    return PickFlow(OPERATOR, services), services


def count() -> tuple[AnyFlow, Any]:
    services = FakeCounting.counting()
    return CountFlow(OPERATOR, services), services


def replenish() -> tuple[AnyFlow, Any]:
    services = PickFakeServices.wave([task(7, "", P2, 24, kind=TaskKind.REPLENISH, to=P1)])
    return ReplenishFlow(OPERATOR, services), services


def calls(services: Any) -> int:
    return len(services.calls)


CASES = {
    "move": Case(move, ("A-01-01-1", "WIDGET", "5"), "A-01-02-1",
                 "Moved 5 EA to A-01-02-1", "Moved 5 EA", lambda s: len(s.posts)),
    "move-lpn": Case(move, (PALLET.code,), "A-01-02-1", "Moved LPN LPN0001 to A-01-02-1",
                     "Moved LPN LPN0001", lambda s: len(s.posts)),
    "putaway": Case(putaway, ("WIDGET", ""), "A-01-01-1", "Put away to A-01-01-1",
                    "Put away to A-01-01-1", lambda s: len(s.posts)),
    "receive": Case(receive, ("PO-1", EA_GTIN), "12", "Rcvd 12 EA WIDGET", "Rcvd WIDGET",
                    lambda s: len(s.received())),
    "pick": Case(pick, ("", "P-01-01-1", CS_GTIN, ""), "TOTE-1", "Picked 2 CS",
                 "Picked 2 CS", calls),
    "pick-short": Case(pick, ("", "P-01-01-1", F5, "1"), "1", "2 CS short on SO-1",
                       "Short posted", calls),
    "zero-check": Case(pick_emptying, ("", "P-01-01-1", CS_GTIN, "", "TOTE-1"), "2",
                       "Count task created", "Count task created", calls),
    "count": Case(count, ("", "A-01-01-1", "WIDGET", "30"), "", "Recount needed",
                  "Count of A-01-01-1 sent", lambda s: len(s.results)),
    "replenish": Case(replenish, ("", "P-01-02-1", "WIDGET", ""), "P-01-01-1",
                      "Moved 24 EA to P-01-01-1", "Moved 24 EA to P-01-01-1", calls),
}


def enter(flow: AnyFlow, text: str) -> Step:
    return flow.exception_key() if text == F5 else flow.submit(text)


def up_to_the_post(case: Case) -> tuple[AnyFlow, Any, str]:
    """The flow at the step that posts, and the confirmation key that step holds."""
    flow, services = case.build()
    for text in case.before:
        step = enter(flow, text)
        assert step.tone is not Tone.ERROR, (text, step)
    key = flow.state["key"]
    assert services.posted(key) is None
    return flow, services, key


def saved(flow: AnyFlow) -> dict[str, Any]:
    """The state as the database holds it: JSON."""
    state: dict[str, Any] = json.loads(json.dumps(flow.snapshot()["state"]))
    return state


def again(flow: AnyFlow, services: Any, state: dict[str, Any]) -> AnyFlow:
    """The same flow built from a saved state, as the menu does at log-in."""
    resumed: AnyFlow = type(flow)(OPERATOR, services, state=state)
    return resumed


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_saved_state_keeps_the_last_confirmation_and_what_was_said(name: str) -> None:
    case = CASES[name]
    flow, services, key = up_to_the_post(case)
    step = flow.submit(case.posting)
    assert step.tone is Tone.SUCCESS and step.message.startswith(case.said)
    assert services.posted(key) is not None
    assert saved(flow)["last"] == {"key": key, "summary": case.said}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_drop_before_the_screen_showed_it_is_offered_and_named_on_resume(name: str) -> None:
    """The state was saved after the post; the screen never showed the message."""
    case = CASES[name]
    flow, services, _key = up_to_the_post(case)
    flow.submit(case.posting)
    posts = case.posts(services)
    resumed = again(flow, services, saved(flow))
    # Even at the flow's first step (move, putaway, count): the operator has not seen it.
    assert resumed.has_work()
    step = resumed.resume()
    assert (step.message, step.tone) == (f"Last: {case.said}", Tone.SUCCESS)
    assert step.name == flow.current().name
    assert case.posts(services) == posts


@pytest.mark.parametrize("name", sorted(CASES))
def test_once_the_operator_keys_on_it_is_seen_and_kept(name: str) -> None:
    case = CASES[name]
    flow, services, key = up_to_the_post(case)
    flow.submit(case.posting)
    # Anything keyed next, even a refused scan, means the message was on the screen.
    flow.submit("NO-SUCH-CODE")
    state = saved(flow)
    assert state["last"] == {"key": key, "summary": case.said, "seen": True}
    resumed = again(flow, services, state)
    assert not resumed.resume().message.startswith("Last:")
    if state["step"] == flow.first_step():
        assert not resumed.has_work()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_commit_the_saved_state_missed_is_named_and_never_posted_again(name: str) -> None:
    """The drop came after the commit but before the state moved on: it still holds the key."""
    case = CASES[name]
    flow, services, key = up_to_the_post(case)
    before = saved(flow)
    flow.submit(case.posting)
    posts = case.posts(services)
    resumed = again(flow, services, before)
    assert resumed.has_work()
    step = resumed.resume()
    assert step.message.startswith(f"Last: {case.committed}") and step.tone is Tone.SUCCESS
    assert saved(resumed)["last"] == {"key": key, "summary": case.committed}
    assert saved(resumed).get("key") != key
    assert case.posts(services) == posts


def test_the_last_confirmation_outlives_the_steps_after_it() -> None:
    case = CASES["move"]
    flow, _services, key = up_to_the_post(case)
    flow.submit(case.posting)
    for text in ("A-01-01-1", "WIDGET"):
        flow.submit(text)
    assert flow.back() is not None and flow.back() is not None
    assert (flow.state["step"], flow.state["last"]) == (
        "from", {"key": key, "summary": case.said, "seen": True})
    # The next move replaces it, unseen again.
    for text in ("A-01-01-1", "WIDGET", "2"):
        flow.submit(text)
    second = flow.state["key"]
    flow.submit("A-01-02-1")
    assert flow.state["last"] == {"key": second, "summary": "Moved 2 EA to A-01-02-1"}


def test_a_key_that_did_not_commit_keeps_the_step_and_says_the_last_one() -> None:
    """Posted one move, saw it, keyed the next up to the To step, then the link dropped."""
    case = CASES["move"]
    flow, services, _key = up_to_the_post(case)
    flow.submit(case.posting)
    for text in ("A-01-01-1", "WIDGET", "3"):
        flow.submit(text)
    resumed = again(flow, services, saved(flow))
    step = resumed.resume()
    assert (step.name, step.message) == ("to", "")
    resumed.submit("A-01-02-1")
    assert len(services.posts) == 2


def test_a_refused_confirmation_leaves_no_last() -> None:
    case = CASES["move"]
    flow, services, _key = up_to_the_post(case)
    assert flow.submit("A-01-01-1").tone is Tone.ERROR
    assert "last" not in flow.state and services.posts == {}
