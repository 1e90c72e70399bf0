"""The putaway flow as a state machine: no Textual, no database."""

from __future__ import annotations

from dataclasses import replace

from tests.flow_fakes import A1, A2, DOCK, MILK, OPERATOR, PALLET, SUPERVISOR, WIDGET
from tests.unit.flows.putaway_fakes import (
    B1,
    DOCK2,
    MILK_GTIN,
    P1,
    QC,
    ZONES,
    PutawayFakeServices,
    line,
)
from wms_tui.domain.flows.base import InputKind, Step, Tone
from wms_tui.domain.flows.putaway import PutawayFlow
from wms_tui.domain.model import Actor
from wms_tui.domain.stock import Move, MoveLpn


def start(actor: Actor = OPERATOR,
          services: PutawayFakeServices | None = None) -> tuple[PutawayFlow, PutawayFakeServices]:
    services = services or PutawayFakeServices.putaway()
    return PutawayFlow(actor, services), services


def facts(step: Step) -> dict[str, str]:
    return {f.label: f.value for f in step.facts}


def test_item_putaway_happy_path_is_scan_enter_scan() -> None:
    flow, services = start()
    assert flow.current().prompt == "Scan LPN or item"
    step = flow.submit("WIDGET")
    assert step.name == "qty" and step.input is InputKind.QUANTITY
    assert facts(step) == {"Item": "WIDGET", "": "Blue widget", "From": "DOCK-1",
                           "On dock": "20 EA"}
    step = flow.submit("")
    assert step.name == "confirm"
    # A1 already holds WIDGET and has room: same item first, before the empty A2.
    assert facts(step) == {"Item": "WIDGET", "": "Blue widget", "Qty": "20 EA",
                           "To": "A-01-01-1"}
    assert services.commands() == []
    step = flow.submit("A-01-01-1")
    assert (step.name, step.tone, step.message) == ("source", Tone.SUCCESS,
                                                    "Put away to A-01-01-1")
    [command] = services.commands()
    assert isinstance(command, Move)
    assert (command.item_id, command.quantity, command.uom, command.from_location_id,
            command.to_location_id, command.reason_code) == (WIDGET.id, 20, "EA", DOCK.id,
                                                             A1.id, None)
    assert step.facts == ()


def test_keyed_check_digits_confirm_the_directed_location() -> None:
    flow, services = start()
    flow.submit("WIDGET")
    flow.submit("5")
    assert flow.submit(A1.check_digits).tone is Tone.SUCCESS
    [command] = services.commands()
    assert isinstance(command, Move) and command.to_location_id == A1.id


def test_wrong_check_digits_are_refused() -> None:
    flow, services = start()
    flow.submit("WIDGET")
    flow.submit("")
    step = flow.submit(A2.check_digits)
    assert (step.name, step.tone, step.message) == (
        "confirm", Tone.ERROR, "Wrong check digits: key them again")
    assert services.commands() == []


def test_quantity_in_the_scanned_unit() -> None:
    services = PutawayFakeServices.putaway([line("WIDGET", DOCK, 36)])
    flow, _ = start(services=services)
    step = flow.submit("19501101530000")
    assert facts(step)["On dock"] == "3 CS (36 EA)"
    assert flow.submit("4").message == "Only 3 CS on dock: key less"
    step = flow.submit("2")
    assert facts(step)["Qty"] == "2 CS (24 EA)"
    flow.submit("A-01-01-1")  # empty A1, nearest to the dock in zone RES
    [command] = services.commands()
    assert isinstance(command, Move) and (command.quantity, command.uom) == (2, "CS")


def test_whole_lpn_goes_to_confirm_and_posts_move_lpn() -> None:
    flow, services = start()
    step = flow.submit(PALLET.code)
    assert step.name == "confirm"
    assert facts(step) == {"LPN": "LPN0001", "Item": "WIDGET", "": "Blue widget",
                           "Qty": "24 EA", "To": "A-01-01-1"}
    flow.submit("A-01-01-1")
    [command] = services.commands()
    assert isinstance(command, MoveLpn)
    assert (command.lpn_id, command.to_location_id) == (PALLET.id, A1.id)


def test_full_same_item_location_sends_to_nearest_empty_in_zone() -> None:
    services = PutawayFakeServices.putaway([line("WIDGET", A1, 90), line("WIDGET", DOCK, 20)])
    flow, _ = start(services=services)
    flow.submit("WIDGET")
    assert facts(flow.submit(""))["To"] == A2.code


def test_item_zone_is_respected_for_empty_locations() -> None:
    services = PutawayFakeServices.putaway([line("WIDGET", DOCK, 20)])
    services.item_zones[WIDGET.id] = ZONES["BULK"]
    flow, _ = start(services=services)
    flow.submit("WIDGET")
    assert facts(flow.submit(""))["To"] == B1.code


def test_capacity_is_respected() -> None:
    # A1, A2 (100 each) and P1 (50) cannot take 120; only B1 (500) can, in zone BULK.
    services = PutawayFakeServices.putaway([line("WIDGET", DOCK, 120)])
    services.item_zones[WIDGET.id] = None
    flow, _ = start(services=services)
    flow.submit("WIDGET")
    assert facts(flow.submit(""))["To"] == B1.code
    flow.back()
    assert facts(flow.submit("60"))["To"] == A1.code


def test_fefo_lot_when_no_lot_scanned_and_the_scanned_lot_otherwise() -> None:
    flow, _ = start()
    step = flow.submit("MILK")
    assert facts(step)["Lot"] == "L2" and facts(step)["On dock"] == "5 EA"
    flow.back()
    step = flow.submit(f"]C101{MILK_GTIN}10L1")
    assert facts(step)["Lot"] == "L1" and facts(step)["On dock"] == "10 EA"
    # No MILK is stored yet and A-01-01-1 holds WIDGET: the nearest empty location in RES.
    assert facts(flow.submit(""))["To"] == A2.code
    flow.submit("A-01-02-1")
    [command] = flow.services.commands()  # type: ignore[attr-defined]
    assert isinstance(command, Move) and (command.item_id, command.lot_id) == (MILK.id, 11)


def test_item_on_several_docks_asks_which_dock() -> None:
    services = PutawayFakeServices.putaway([line("WIDGET", DOCK, 20), line("WIDGET", DOCK2, 7)])
    flow, _ = start(services=services)
    step = flow.submit("WIDGET")
    assert (step.name, step.prompt) == ("from", "Scan dock location")
    assert flow.submit("A-01-01-1").message == "No free WIDGET at A-01-01-1: scan other"
    assert flow.submit("WIDGET").message == "Scan a location, not WIDGET"
    step = flow.submit("DOCK-2")
    assert step.name == "qty" and facts(step)["On dock"] == "7 EA"


def test_operator_cannot_override_the_directed_location() -> None:
    flow, services = start()
    flow.submit("WIDGET")
    flow.submit("")
    step = flow.submit("A-01-02-1")
    assert (step.name, step.tone, step.message) == ("confirm", Tone.ERROR,
                                                    "Scan the directed location")
    assert services.commands() == []


def test_supervisor_override_needs_a_reason_and_posts_it() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("WIDGET")
    flow.submit("")
    step = flow.submit("A-01-02-1")
    assert step.name == "reason" and step.input is InputKind.CHOICE
    assert step.choices == ("1 BLOCKED", "2 FULL")
    assert facts(step)["To"] == "A-01-02-1"
    for bad in ("3", "0", "X", ""):
        assert flow.submit(bad).tone is Tone.ERROR
    assert services.commands() == []
    flow.submit("2")
    [command] = services.commands()
    assert isinstance(command, Move)
    assert (command.to_location_id, command.reason_code) == (A2.id, "FULL")


def test_reason_may_be_keyed_by_code() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("WIDGET")
    flow.submit("")
    flow.submit("A-01-02-1")
    flow.submit("blocked")
    [command] = services.commands()
    assert isinstance(command, Move) and command.reason_code == "BLOCKED"


def test_supervisor_lpn_override_moves_the_pallet_with_the_reason() -> None:
    services = PutawayFakeServices.putaway([
        line("WIDGET", DOCK, 24, lpn=PALLET.code, lpn_id=PALLET.id),
        line("MILK", DOCK, 6, lot="L1", lot_id=11, lpn=PALLET.code, lpn_id=PALLET.id),
    ])
    flow, _ = start(SUPERVISOR, services)
    step = flow.submit(PALLET.code)
    assert facts(step) == {"LPN": "LPN0001", "Items": "2", "To": "A-01-01-1"}
    key = flow.state["key"]
    flow.submit("P-01-01-1")
    assert flow.submit("1").tone is Tone.SUCCESS
    # One command, one transaction: the pallet never ends up split across two locations.
    assert services.commands() == [
        MoveLpn(PALLET.id, P1.id, "PUTAWAY-LPN0001", reason_code="BLOCKED")]
    assert list(services.posts) == [key]


def test_no_room_needs_a_supervisor() -> None:
    services = PutawayFakeServices.putaway([line("WIDGET", DOCK, 20)])
    services.item_zones[WIDGET.id] = ZONES["COLD"]
    flow, _ = start(services=services)
    flow.submit("WIDGET")
    step = flow.submit("")
    assert facts(step)["To"] == "No room"
    assert (step.prompt, step.message) == ("Scan any location", "No room: scan any location")
    assert flow.submit("A-01-02-1").message == "No room: call a supervisor"
    assert services.commands() == []
    supervisor = PutawayFlow(SUPERVISOR, services, state=flow.snapshot()["state"])
    assert supervisor.submit("A-01-02-1").name == "reason"
    supervisor.submit("2")
    [command] = services.commands()
    assert isinstance(command, Move) and command.reason_code == "FULL"


def test_every_wrong_input_is_refused_and_posts_nothing() -> None:
    flow, services = start(SUPERVISOR)
    for bad, message in (
        ("NOPE", "Scan an LPN or item, not NOPE"),
        ("A-01-01-1", "Scan an LPN or item, not A-01-01-1"),
        ("\x1b[31m", None),
    ):
        step = flow.submit(bad)
        assert (step.name, step.tone) == ("source", Tone.ERROR), bad
        if message:
            assert step.message == message
    flow.submit("WIDGET")
    for bad in ("0", "-1", "abc", "21", "1.5"):
        step = flow.submit(bad)
        assert (step.name, step.tone) == ("qty", Tone.ERROR), bad
    flow.submit("")
    for bad, message in (("WIDGET", "Scan a location, not WIDGET"),
                         ("DOCK-1", "Same as from: scan another location"),
                         ("99", "Wrong check digits: key them again")):
        step = flow.submit(bad)
        assert (step.name, step.tone, step.message) == ("confirm", Tone.ERROR, message)
    assert services.commands() == []


def test_stock_that_cannot_be_put_away_is_refused_with_the_reason() -> None:
    services = PutawayFakeServices.putaway([
        line("WIDGET", QC, 6, status="qc_hold"),
        line("MILK", DOCK, 5, lot="L1", lot_id=11, lpn=PALLET.code, lpn_id=PALLET.id,
             status="qc_hold"),
    ])
    flow, _ = start(services=services)
    assert flow.submit("WIDGET").message == "WIDGET: QC hold, scan another"
    assert flow.submit(PALLET.code).message == "LPN LPN0001: QC hold, scan another"
    assert flow.submit("MILK").message == "MILK is on an LPN: scan it"
    services.lines = [line("WIDGET", A1, 5)]
    assert flow.submit("WIDGET").message == "No WIDGET on the dock: scan another"
    assert flow.submit(PALLET.code).message == "LPN LPN0001 is empty: scan another"
    services.lines = [line("WIDGET", A1, 5, lpn=PALLET.code, lpn_id=PALLET.id)]
    services.catalog.lpns[PALLET.code] = replace(PALLET, location_id=A1.id)
    assert flow.submit(PALLET.code).message == "LPN LPN0001 not on a dock: use Move"
    services.catalog.lpns[PALLET.code] = PALLET
    services.lines = [line("WIDGET", DOCK, 5, lpn=PALLET.code, lpn_id=PALLET.id, reserved=2)]
    assert flow.submit(PALLET.code).message == "LPN LPN0001 reserved: scan another"
    assert services.commands() == []


def test_back_steps_and_leaves() -> None:
    flow, _ = start()
    flow.submit("WIDGET")
    flow.submit("")
    assert flow.current().unsaved_work
    assert flow.back().name == "qty"  # type: ignore[union-attr]
    assert flow.back().name == "source"  # type: ignore[union-attr]
    assert flow.current().facts == ()
    assert flow.back() is None
    flow.submit(PALLET.code)
    assert flow.back().name == "source"  # type: ignore[union-attr]


def test_resume_after_committed_confirmation_shows_done_and_never_reposts() -> None:
    flow, services = start()
    flow.submit("WIDGET")
    flow.submit("")
    saved = flow.snapshot()["state"]
    services.post(OPERATOR, Move(WIDGET.id, 20, DOCK.id, A1.id, "PUTAWAY-WIDGET"), saved["key"])
    resumed = PutawayFlow(OPERATOR, services, state=saved)
    step = resumed.resume()
    assert step.name == "source" and step.tone is Tone.SUCCESS
    assert len(services.commands()) == 1


def test_resume_before_commit_shows_the_same_directed_location() -> None:
    flow, services = start()
    flow.submit(PALLET.code)
    before = flow.current()
    resumed = PutawayFlow(OPERATOR, services, state=flow.snapshot()["state"])
    assert resumed.resume() == before
    resumed.submit(A1.check_digits)
    assert len(services.commands()) == 1


def test_resubmitting_a_confirmation_after_a_lost_reply_posts_once() -> None:
    flow, services = start()
    flow.submit("WIDGET")
    flow.submit("")
    saved = flow.snapshot()["state"]
    flow.submit("A-01-01-1")
    again = PutawayFlow(OPERATOR, services, state=saved)
    again.submit("A-01-01-1")
    assert len(services.commands()) == 1


def test_a_loose_lot_tracked_item_has_its_lot_checked_enter_takes_the_one_shown() -> None:
    flow, _ = start()
    step = flow.submit("MILK")
    # L2 expires first, so it is shown; the operator checks it against the goods.
    assert (step.name, step.prompt) == ("lot", "Scan lot or Enter")
    assert (facts(step)["Lot"], facts(step)["Exp"]) == ("L2", "2029-06-01")
    step = flow.submit("")
    assert (step.name, facts(step)["On dock"]) == ("qty", "5 EA")
    back = flow.back()
    assert back is not None and back.name == "lot"


def test_the_lot_in_hand_is_scanned_when_it_is_not_the_one_shown() -> None:
    flow, services = start()
    flow.submit("MILK")
    step = flow.submit("L9")
    assert (step.name, step.tone, step.message) == (
        "lot", Tone.ERROR, "Lot L9 not free here: scan L2 or Enter")
    step = flow.submit("L1")
    assert (step.name, facts(step)["Lot"], facts(step)["Exp"]) == ("qty", "L1", "2030-01-01")
    assert facts(step)["On dock"] == "10 EA"
    assert facts(flow.submit(""))["To"] == A2.code
    flow.submit("A-01-02-1")
    [command] = services.commands()
    assert isinstance(command, Move) and (command.item_id, command.lot_id) == (MILK.id, 11)
