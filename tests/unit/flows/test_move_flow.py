"""The move flow as a state machine: no Textual, no database."""

from __future__ import annotations

from tests.flow_fakes import A1, A2, OPERATOR, PALLET, FakeServices
from wms_tui.domain.flows.base import InputKind, Tone
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.stock import Move, MoveLpn


def start() -> tuple[MoveFlow, FakeServices]:
    services = FakeServices.standard()
    return MoveFlow(OPERATOR, services), services


def test_item_move_happy_path_posts_one_move() -> None:
    flow, services = start()
    assert flow.current().prompt == "Scan from location or LPN"
    assert flow.submit("A-01-01-1").name == "item"
    step = flow.submit("]E09501101530003")
    assert step.name == "qty" and step.input is InputKind.QUANTITY
    assert ("Free", "30 EA") in [(f.label, f.value) for f in step.facts]
    assert flow.submit("5").name == "to"
    step = flow.submit("A-01-02-1")
    assert step.name == "from" and step.tone is Tone.SUCCESS
    assert step.message == "Moved 5 EA to A-01-02-1"
    [command] = services.commands()
    assert isinstance(command, Move)
    assert (command.from_location_id, command.to_location_id, command.quantity) == (A1.id, A2.id, 5)


def test_case_barcode_moves_in_cases() -> None:
    flow, services = start()
    flow.submit("A-01-01-1")
    step = flow.submit("19501101530000")
    assert step.prompt == "Qty in CS"
    assert ("Free", "2 CS+6 (30 EA)") in [(f.label, f.value) for f in step.facts]
    assert flow.submit("3").tone is Tone.ERROR
    flow.submit("2")
    flow.submit("A-01-02-1")
    [command] = services.commands()
    assert isinstance(command, Move) and (command.quantity, command.uom) == (2, "CS")


def test_every_wrong_input_is_refused_and_posts_nothing() -> None:
    flow, services = start()
    for bad in ("NOPE", "\x1b[31m", "09501101530003"):
        step = flow.submit(bad)
        assert (step.name, step.tone) == ("from", Tone.ERROR)
    flow.submit("A-01-01-1")
    assert flow.submit("A-01-02-1").tone is Tone.ERROR  # a location is not an item
    assert flow.submit("MILK").message == "No free MILK here: scan another"
    flow.submit("WIDGET")
    for bad in ("0", "-1", "abc", "31", "1.5"):
        step = flow.submit(bad)
        assert (step.name, step.tone) == ("qty", Tone.ERROR), bad
    flow.submit("4")
    assert flow.submit("A-01-01-1").message == "Same as from: scan another location"
    assert flow.submit("WIDGET").tone is Tone.ERROR
    assert services.commands() == []


def test_whole_lpn_goes_straight_to_destination() -> None:
    flow, services = start()
    step = flow.submit(PALLET.code)
    assert step.name == "to"
    flow.submit("A-01-02-1")
    [command] = services.commands()
    assert isinstance(command, MoveLpn) and command.to_location_id == A2.id


def test_back_steps_and_leaves() -> None:
    flow, _ = start()
    flow.submit("A-01-01-1")
    flow.submit("WIDGET")
    assert flow.current().unsaved_work
    assert flow.back().name == "item"  # type: ignore[union-attr]
    assert flow.back().name == "from"  # type: ignore[union-attr]
    assert flow.current().facts == ()
    assert flow.back() is None


def test_resume_after_committed_confirmation_shows_done_and_never_reposts() -> None:
    flow, services = start()
    flow.submit("A-01-01-1")
    flow.submit("WIDGET")
    flow.submit("5")
    saved = flow.snapshot()["state"]
    # Committed, then the link dropped.
    services.post(OPERATOR, Move(1, 5, A1.id, A2.id, "MOVE-A"), saved["key"])
    resumed = MoveFlow(OPERATOR, services, state=saved)
    step = resumed.resume()
    assert step.name == "from" and step.tone is Tone.SUCCESS
    assert len(services.commands()) == 1


def test_resume_before_commit_continues_at_the_same_step() -> None:
    flow, services = start()
    flow.submit("A-01-01-1")
    flow.submit("WIDGET")
    resumed = MoveFlow(OPERATOR, services, state=flow.snapshot()["state"])
    assert resumed.resume().name == "qty"
    resumed.submit("5")
    resumed.submit("A-01-02-1")
    assert len(services.commands()) == 1
