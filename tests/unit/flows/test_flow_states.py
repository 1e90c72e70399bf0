"""Step names and flow states as saved: the values are what the database holds, so they stay."""

from __future__ import annotations

import enum
import json

import pytest

from tests.flow_fakes import OPERATOR, FakeServices
from wms_tui.domain.flows.approve import ApproveStep
from wms_tui.domain.flows.base import AnyFlow, no_translation
from wms_tui.domain.flows.count import CountStep
from wms_tui.domain.flows.inquiry import InquiryStep
from wms_tui.domain.flows.move import MoveFlow, MoveStep
from wms_tui.domain.flows.pack import PackStep
from wms_tui.domain.flows.pick import PickStep
from wms_tui.domain.flows.putaway import PutawayStep
from wms_tui.domain.flows.receive import ReceiveStep
from wms_tui.domain.flows.registry import default_flows
from wms_tui.domain.flows.replenish import ReplenishStep

# Saved flow states name these steps: renaming a value would strand every saved state.
SAVED_STEP_NAMES: dict[str, tuple[type[enum.StrEnum], set[str]]] = {
    "receive": (ReceiveStep, {"order", "item", "qty", "lot", "expiry", "over", "reason",
                              "serial"}),
    "putaway": (PutawayStep, {"source", "from", "lot", "qty", "confirm", "reason"}),
    "move": (MoveStep, {"from", "item", "qty", "to"}),
    "inquiry": (InquiryStep, {"scan", "result"}),
    "pick": (PickStep, {"start", "loc", "item", "lot", "qty", "reason", "sqty", "confirm",
                        "drop", "zero", "serial"}),
    "count": (CountStep, {"task", "loc", "item", "lot", "qty", "serial", "done"}),
    "replenish": (ReplenishStep, {"start", "from", "item", "lot", "qty", "to"}),
    "approve": (ApproveStep, {"start", "review", "decide"}),
    "pack": (PackStep, {"tote", "item", "qty", "type", "weight", "confirm", "done", "reason",
                        "sqty", "short"}),
}


def build(name: str, state: dict[str, object] | None = None) -> AnyFlow:
    spec = next(spec for spec in default_flows() if spec.name == name)
    return spec.build(OPERATOR, FakeServices.standard(), no_translation, state)


@pytest.mark.parametrize("name", sorted(SAVED_STEP_NAMES))
def test_step_values_are_the_names_saved_states_hold(name: str) -> None:
    steps, saved = SAVED_STEP_NAMES[name]
    flow = build(name)
    assert {step.value for step in steps} == saved
    # Every step has its F1 help, keyed by the enum.
    assert set(type(flow).HELP) == set(steps)
    assert type(flow.first_step()) is steps


@pytest.mark.parametrize("name", sorted(SAVED_STEP_NAMES))
def test_a_saved_plain_step_name_reads_back_as_the_enum(name: str) -> None:
    steps, _saved = SAVED_STEP_NAMES[name]
    first = build(name).first_step()
    flow = build(name, {"step": first.value})
    assert flow.step_name is first and isinstance(flow.step_name, steps)
    assert flow.current().name == first.value
    assert not flow.has_work()


def test_a_state_goes_through_json_and_resumes_identically() -> None:
    flow = MoveFlow(OPERATOR, FakeServices.standard())
    flow.submit("A-01-01-1")
    flow.submit("]E09501101530003")
    saved = json.loads(json.dumps(flow.snapshot()))
    assert saved["state"]["step"] == "qty" and type(saved["state"]["step"]) is str
    resumed = MoveFlow(OPERATOR, FakeServices.standard(), state=saved["state"])
    assert resumed.step_name is MoveStep.QTY
    assert resumed.current() == flow.current()
    assert resumed.submit("5").name == MoveStep.TO


def test_a_step_this_build_does_not_have_is_offered_then_refused() -> None:
    """has_work reads the raw value, so the menu still offers it; rendering refuses it."""
    flow = build("move", {"step": "no-such-step"})
    assert flow.has_work()
    with pytest.raises(ValueError):
        flow.current()
