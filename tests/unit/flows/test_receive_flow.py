"""The receive flow as a state machine: no Textual, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.flow_fakes import DOCK, WIDGET
from tests.unit.flows.receive_fakes import (
    DOCK2,
    OPERATOR,
    SSCC_ASN,
    SSCC_FREE,
    SSCC_LINE,
    SUPERVISOR,
    TODAY,
    FakeReceiving,
)
from wms_tui.domain.flows.base import Fact, InputKind, Step, Tone
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.inbound import (
    InboundLineRef,
    InboundOrderRef,
    InboundStatus,
    ReceiveLine,
    parse_expiry,
)
from wms_tui.domain.model import Actor

GS = "\x1d"
MILK_GTIN = "05901234123457"
# One GS1-128 case label: GTIN, expiry 2027-12-31, lot LOT42 (variable length, so GS), 12 units.
MILK_LABEL = f"]C101{MILK_GTIN}17271231" + f"10LOT42{GS}3012"
PALLET_LABEL = f"]C100{SSCC_FREE}0219501101530000372"


def start(actor: Actor = OPERATOR) -> tuple[ReceiveFlow, FakeReceiving]:
    services = FakeReceiving.receiving()
    return ReceiveFlow(actor, services), services


def facts(step: Step) -> dict[str, str]:
    return {f.label: f.value for f in step.facts}


def refused(step: Step, name: str) -> bool:
    return step.name == name and step.tone is Tone.ERROR


def test_receive_by_ean_takes_three_entries_and_posts_without_a_confirm() -> None:
    flow, services = start()
    assert flow.current().prompt == "Scan order or SSCC"
    step = flow.submit("PO-1")
    assert step.name == "item" and facts(step)["Order"] == "PO-1"
    step = flow.submit("]E09501101530003")
    assert step.name == "qty" and step.input is InputKind.QUANTITY and step.prompt == "Qty in EA"
    assert (facts(step)["Expected"], facts(step)["Left"]) == ("24 EA", "24 EA")
    step = flow.submit("12")
    assert (step.name, step.tone, step.message) == ("item", Tone.SUCCESS, "Rcvd 12 EA WIDGET")
    [command] = services.received()
    assert (command.order_id, command.line_id, command.quantity, command.uom) == (1, 11, 12, "EA")
    assert command.lpn is None and command.sscc is None and not command.new_lpn
    # The order stays open on the item prompt, showing what is left.
    flow.submit("9501101530003")
    assert facts(flow.current())["Left"] == "12 EA"


def test_case_gtin_receives_in_cases_and_shows_the_line_in_cases() -> None:
    flow, services = start()
    flow.submit("PO-1")
    step = flow.submit("19501101530000")
    assert step.prompt == "Qty in CS"
    assert (facts(step)["Expected"], facts(step)["Left"]) == ("2 CS (24 EA)", "2 CS (24 EA)")
    assert flow.submit("1.5").message == "Key whole CS only"
    assert flow.submit("2").message == "Rcvd 2 CS WIDGET"
    [command] = services.received()
    assert (command.quantity, command.uom) == (2, "CS")


def test_one_gs1_scan_fills_item_lot_expiry_and_quantity_and_posts() -> None:
    flow, services = start()
    flow.submit("PO-1")
    step = flow.submit(MILK_LABEL)
    assert (step.name, step.message) == ("item", "Rcvd 12 EA MILK")
    [command] = services.received()
    assert (command.item_id, command.line_id, command.quantity) == (2, 12, 12)
    assert (command.lot, command.expiry) == ("LOT42", date(2027, 12, 31))


def test_lot_tracked_item_asks_lot_and_expiry_only_when_the_scan_lacks_them() -> None:
    flow, services = start()
    flow.submit("PO-1")
    assert flow.submit(MILK_GTIN).name == "qty"
    assert flow.submit("5").name == "lot"
    step = flow.submit("L-7")
    assert step.name == "expiry" and facts(step)["Lot"] == "L-7"
    assert flow.submit("271231").tone is Tone.SUCCESS

    assert flow.submit(f"]C101{MILK_GTIN}10LOT8").name == "qty"
    assert flow.submit("1").name == "expiry"  # the label gave the lot
    assert flow.submit("2027-06-30").tone is Tone.SUCCESS

    assert flow.submit(f"]C101{MILK_GTIN}17270630").name == "qty"
    assert flow.submit("1").name == "lot"  # the label gave the expiry
    assert flow.submit("LOT9").tone is Tone.SUCCESS

    lots = [(c.lot, c.expiry) for c in services.received()]
    assert lots == [("L-7", date(2027, 12, 31)), ("LOT8", date(2027, 6, 30)),
                    ("LOT9", date(2027, 6, 30))]


def test_untracked_item_ignores_lot_and_expiry_on_its_label() -> None:
    flow, services = start()
    flow.submit("PO-1")
    step = flow.submit("]C10109501101530003172712311" + f"0X1{GS}303")  # lot X1, 3 EA
    assert step.message == "Rcvd 3 EA WIDGET"
    [command] = services.received()
    assert (command.lot, command.expiry) == (None, None)


def test_expiry_accepts_gs1_day_zero_and_refuses_bad_and_past_dates() -> None:
    flow, services = start()
    flow.submit("PO-1")
    flow.submit(f"]C101{MILK_GTIN}10LOT1")
    flow.submit("2")
    for bad, message in (("271399", "Bad date: use YYMMDD"),
                         ("2027-02-30", "Bad date: use YYMMDD"),
                         ("tomorrow", "Bad date: use YYMMDD"),
                         ("250101", "Expired 2025-01-01: set it aside")):
        step = flow.submit(bad)
        assert refused(step, "expiry") and step.message == message, bad
    assert flow.submit("270200").tone is Tone.SUCCESS
    assert services.received()[0].expiry == date(2027, 2, 28)


@pytest.mark.parametrize(("text", "expected"), [
    ("271231", date(2027, 12, 31)), ("2027-12-31", date(2027, 12, 31)),
    ("280200", date(2028, 2, 29)), ("761231", date(2076, 12, 31)),
    ("771231", date(1977, 12, 31)),  # GS1 century window: at most 50 years ahead
    ("271301", None), ("270230", None), ("27-12-31", None), ("２７１２３１", None), ("", None),
])
def test_typed_expiry_reads_yymmdd_as_gs1_does(text: str, expected: date | None) -> None:
    assert parse_expiry(text, TODAY) == expected


def test_over_receipt_beyond_tolerance_is_refused_for_an_operator() -> None:
    flow, services = start()
    flow.submit("PO-1")
    flow.submit("WIDGET")
    step = flow.submit("25")
    assert refused(step, "qty") and step.message == "Over receipt: key 24 EA at most"
    flow.back()
    flow.submit(MILK_GTIN)  # 12 EA with 10% tolerance: 13 may come
    assert flow.submit("14").message == "Over receipt: key 13 EA at most"
    assert flow.submit("13").name == "lot"
    assert services.received() == []


def test_over_receipt_refused_on_the_label_and_when_the_line_is_full() -> None:
    flow, services = start()
    flow.submit("PO-1")
    flow.submit("WIDGET")
    flow.submit("24")
    assert refused(flow.submit(PALLET_LABEL), "item")  # 2 more cases
    assert flow.submit("WIDGET").message == "WIDGET fully received: scan next item"
    assert len(services.received()) == 1


def test_a_supervisor_may_over_receive_once_confirmed_with_a_reason() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("PO-1")
    flow.submit("WIDGET")
    assert flow.submit("30").name == "over"
    flow.submit("1")
    assert flow.submit("2").message == "Rcvd 30 EA WIDGET"
    assert flow.submit("WIDGET").name == "qty"
    assert facts(flow.current())["Left"] == "0 EA"
    [command] = services.received()
    assert (command.quantity, command.reason_code) == (30, "FREE-GOODS")


def with_po_36(services: FakeReceiving) -> None:
    """The field report's order: 36 EA of WIDGET expected, no tolerance."""
    services.orders[6] = InboundOrderRef(6, "PO-36", "ACME", InboundStatus.OPEN)
    services.inbound.append(InboundLineRef(61, 6, 1, WIDGET.id, "WIDGET", "EA", 36))


def test_a_supervisor_keying_5000_against_36_is_asked_to_confirm_then_for_a_reason() -> None:
    flow, services = start(SUPERVISOR)
    with_po_36(services)
    flow.submit("PO-36")
    flow.submit("WIDGET")
    step = flow.submit("5000")
    assert (step.name, step.input, step.prompt, step.tone) == (
        "over", InputKind.YESNO, "Receive over?", Tone.NONE)
    assert step.choices == ("1 Yes", "2 No") and step.unsaved_work
    assert step.facts == (Fact("Over by", "4964 EA"), Fact("Qty", "5000 EA"),
                          Fact("Expected", "36 EA"), Fact("Item", "WIDGET"))
    assert services.received() == []
    for bad in ("", "y", "YES", "Yes", "0", "3", "12", "]C1" + "1"):
        step = flow.submit(bad)
        assert refused(step, "over") and step.message == "Key 1 (Yes) or 2 (No)", bad
    step = flow.submit("1")
    assert (step.name, step.input, step.prompt) == ("reason", InputKind.CHOICE, "Reason number")
    assert step.choices == ("1 OVER-SHIP", "2 FREE-GOODS", "3 PO-WRONG")
    assert step.facts == (Fact("Over by", "4964 EA"), Fact("Item", "WIDGET"))
    for bad in ("", "0", "4", "OVER-SHIP", "x1", "\uff11"):
        step = flow.submit(bad)
        assert refused(step, "reason") and step.message == "Key 1 to 3", bad
    assert services.received() == []
    step = flow.submit("1")
    assert (step.name, step.tone, step.message) == (
        "order", Tone.SUCCESS, "Rcvd 5000 EA WIDGET Order done")
    [command] = services.received()
    assert (command.order_id, command.line_id, command.quantity) == (6, 61, 5000)
    assert command.reason_code == "OVER-SHIP"


def test_two_at_the_over_receipt_question_goes_back_to_the_quantity_posting_nothing() -> None:
    flow, services = start(SUPERVISOR)
    with_po_36(services)
    flow.submit("PO-36")
    flow.submit("WIDGET")
    flow.submit("5000")
    step = flow.submit("2")
    assert (step.name, step.tone) == ("qty", Tone.NONE) and "Qty" not in facts(step)
    assert services.received() == []
    assert flow.submit("30").message == "Rcvd 30 EA WIDGET"  # within the line: no question
    assert [c.reason_code for c in services.received()] == [None]


def test_over_receipt_in_cases_states_the_excess_in_both_units() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("PO-1")
    flow.submit("19501101530000")  # cases of 12 against the line's 24 EA
    step = flow.submit("5")
    assert step.name == "over"
    assert step.facts == (Fact("Over by", "3 CS"), Fact("In EA", "36"), Fact("Qty", "5 CS"),
                          Fact("Expected", "2 CS"))
    flow.submit("2")
    # 5 EA came meanwhile: 2 CS is 5 EA over, not a whole case, so in EA alone.
    services.inbound[0] = replace(services.inbound[0], received=5)
    flow.back()
    flow.submit("19501101530000")
    assert flow.submit("2").facts[0] == Fact("Over by", "5 EA")


def test_a_gs1_label_beyond_the_line_is_confirmed_too() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("PO-1")
    flow.submit("WIDGET")
    flow.submit("24")
    step = flow.submit(PALLET_LABEL)  # 2 more cases onto the full line
    assert step.name == "over" and step.facts[:2] == (Fact("Over by", "2 CS"),
                                                      Fact("In EA", "24"))
    assert len(services.received()) == 1
    step = flow.submit("2")
    assert (step.name, step.prompt) == ("qty", "Qty in CS")
    assert len(services.received()) == 1


def test_over_receipt_is_asked_after_lot_and_expiry_and_two_keeps_them() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("PO-1")
    flow.submit(MILK_GTIN)  # 12 EA with 10% tolerance: 13 may come
    assert flow.submit("20").name == "lot"
    flow.submit("L-7")
    step = flow.submit("271231")
    assert step.name == "over" and step.facts[0] == Fact("Over by", "7 EA")
    step = flow.submit("2")
    assert step.name == "qty" and (facts(step)["Lot"], facts(step)["Expiry"]) == (
        "L-7", "2027-12-31")
    assert flow.submit("13").message == "Rcvd 13 EA MILK"
    [command] = services.received()
    assert (command.quantity, command.lot, command.reason_code) == (13, "L-7", None)


def test_back_from_the_over_receipt_steps() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("PO-1")
    flow.submit(MILK_GTIN)
    flow.submit("20")
    flow.submit("L-7")
    flow.submit("271231")
    flow.submit("1")
    step = flow.back()
    assert step is not None and step.name == "over"
    step = flow.back()  # the last field asked, asked again
    assert step is not None and step.name == "expiry" and "Expiry" not in facts(step)
    assert flow.submit("271231").name == "over"
    assert services.received() == []


def test_a_receipt_that_became_an_over_receipt_meanwhile_asks_to_confirm() -> None:
    flow, services = start(SUPERVISOR)
    flow.submit("PO-1")
    flow.submit("WIDGET")
    # Another terminal received 20 of the line's 24 after this one scanned the item.
    services.inbound[0] = replace(services.inbound[0], received=20)
    step = flow.submit("10")
    assert (step.name, step.tone) == ("over", Tone.NONE)
    assert step.facts[0] == Fact("Over by", "6 EA")
    assert services.received() == []
    flow.submit("1")
    assert flow.submit("3").tone is Tone.SUCCESS
    assert [c.reason_code for c in services.received()] == ["PO-WRONG"]


def test_blind_receipt_is_refused_for_an_operator_by_word_and_by_f5() -> None:
    flow, services = start()
    step = flow.submit("blind")
    assert refused(step, "order") and step.message == "No blind receipts: scan the order"
    step = flow.exception_key()
    assert refused(step, "order") and step.message == "No blind receipts: scan the order"
    assert services.received() == []


def test_a_supervisor_receives_blind_any_item() -> None:
    flow, services = start(SUPERVISOR)
    step = flow.submit("BLIND")
    assert step.name == "item" and facts(step)["Order"] == "Blind"
    step = flow.submit("WIDGET")
    assert "Expected" not in facts(step)
    flow.submit("100")
    assert flow.exception_key().tone is Tone.ERROR  # F5 means blind only on the order prompt
    [command] = services.received()
    assert (command.order_id, command.line_id, command.quantity) == (None, None, 100)
    flow.back()
    assert flow.exception_key().name == "item"


def test_every_refusal_keeps_the_step_and_posts_nothing() -> None:
    flow, services = start()
    for bad, message in (
        ("NOPE", "No order NOPE: scan the ASN"),
        ("PO-3", "Order PO-3 closed: scan another"),
        ("PO-5", "PO-5 has no lines: scan another"),
        ("\x1b[31mPO-1", None),
        ("PO-1\x00", None),
    ):
        step = flow.submit(bad)
        assert refused(step, "order"), bad
        assert message is None or step.message == message
    flow.submit("PO-1")
    for bad, message in (
        ("NOPE", "Scan an item, not NOPE"),
        ("A-01-01-1", "Scan a dock, not A-01-01-1"),
        ("09501101530004", None),  # wrong check digit: not a GTIN, not a code either
        (f"]C101{MILK_GTIN}17250101", "Expired 2025-01-01: set it aside"),
        (f"]C101{MILK_GTIN}10BAD LOT", None),
        ("]C10109501101530004", None),  # claims GS1, check digit wrong
        (f"]C100{SSCC_ASN}", "SSCC is on ASN-2: scan that order"),
        ("SUP-W-1\x07", None),
    ):
        step = flow.submit(bad)
        assert refused(step, "item"), bad
        assert message is None or step.message == message, bad
    flow.submit(MILK_GTIN)
    for bad in ("0", "-1", "abc", "1e3x", "1.5", "14"):
        assert refused(flow.submit(bad), "qty"), bad
    flow.submit("2")
    for bad in ("BAD LOT", "L" * 21, "LOT\x1b"):
        assert refused(flow.submit(bad), "lot"), bad
    assert flow.submit("L1").name == "expiry"
    assert refused(flow.submit("991399"), "expiry")
    assert services.received() == []


def test_a_cancelled_order_and_its_pallet_are_refused_by_name() -> None:
    flow, services = start()
    services.orders[2] = replace(services.orders[2], status=InboundStatus.CANCELLED)
    for scan in ("ASN-2", f"]C100{SSCC_ASN}"):
        step = flow.submit(scan)
        assert refused(step, "order") and step.message == "Order ASN-2 cancelled: scan another"
    # On another order, the pallet the cancelled ASN announced is no other order's.
    flow.submit("PO-1")
    step = flow.submit(f"]C100{SSCC_ASN}")
    assert (step.name, step.tone, step.message) == ("item", Tone.SUCCESS, f"Pallet {SSCC_ASN}")
    assert services.received() == []


def test_item_not_on_the_order_is_refused() -> None:
    flow, _ = start()
    flow.submit("ASN-2")
    step = flow.submit("MILK")
    assert refused(step, "item") and step.message == "MILK not on order: set it aside"


def test_order_found_by_its_pallet_sscc_puts_the_stock_on_that_pallet() -> None:
    flow, services = start()
    step = flow.submit(f"]C100{SSCC_ASN}")
    assert facts(step) == {"Order": "ASN-2", "Dock": "DOCK-1", "LPN": SSCC_ASN}
    flow.submit("WIDGET")
    flow.submit("12")
    [command] = services.received()
    assert (command.order_id, command.sscc) == (2, SSCC_ASN)
    assert flow.current().name == "order"  # every line received: the order is done
    assert flow.current().message == "Rcvd 12 EA WIDGET Order done"


def test_line_sscc_finds_its_order_too() -> None:
    flow, _ = start()
    assert facts(flow.submit(SSCC_LINE))["Order"] == "ASN-4"


def test_pallet_label_with_content_and_count_posts_onto_that_pallet() -> None:
    flow, services = start()
    flow.submit("PO-1")
    step = flow.submit(PALLET_LABEL)
    assert step.message == f"Rcvd 2 CS WIDGET on {SSCC_FREE}"
    [command] = services.received()
    assert (command.quantity, command.uom, command.sscc) == (2, "CS", SSCC_FREE)
    assert facts(step)["LPN"] == SSCC_FREE  # the next cases go on the same pallet


def test_keying_lpn_starts_a_numbered_pallet_that_the_next_lines_share() -> None:
    flow, services = start()
    flow.submit("PO-1")
    step = flow.submit("lpn")
    assert (step.name, step.message, facts(step)["LPN"]) == ("item", "Next receipt: new LPN", "new")
    flow.submit("WIDGET")
    assert flow.submit("2").message == "Rcvd 2 EA WIDGET on LPN0000001"
    flow.submit("WIDGET")
    flow.submit("3")
    first, second = services.received()
    assert first.new_lpn and first.lpn is None
    assert (second.new_lpn, second.lpn) == (False, "LPN0000001")


def test_pallet_unit_gets_its_own_lpn_one_pallet_at_a_time() -> None:
    flow, _ = start(SUPERVISOR)
    flow.submit("PO-1")
    flow.submit("39501101530004")
    assert flow.submit("2").message == "Key 1: one pallet at a time"
    assert flow.submit("1").name == "over"  # 480 EA against 24
    flow.submit("1")
    assert flow.submit("1").message == "Rcvd 1 PL WIDGET on LPN0000001"
    assert "LPN" not in facts(flow.current())  # that pallet is finished


def test_scanning_a_dock_receives_there_and_qc_items_go_on_hold() -> None:
    flow, services = start()
    flow.submit("PO-1")
    step = flow.submit("DOCK-2")
    assert (step.message, facts(step)["Dock"]) == ("Dock DOCK-2", "DOCK-2")
    flow.submit("SCREW")
    assert flow.submit("5").message == "Rcvd 5 EA SCREW QC hold"
    assert services.received()[0].location_id == DOCK2.id
    assert DOCK.id != DOCK2.id


def test_back_forgets_what_is_asked_again_and_leaves_the_order_from_item() -> None:
    flow, services = start()
    flow.submit("PO-1")
    flow.submit(MILK_GTIN)
    flow.submit("5")
    flow.submit("L1")
    assert flow.current().unsaved_work
    step = flow.back()
    assert step is not None and step.name == "lot" and "Lot" not in facts(step)
    step = flow.back()
    assert step is not None and step.name == "qty" and "Qty" not in facts(step)
    flow.submit("6")
    assert flow.current().name == "lot"  # the lot is asked again, not skipped
    assert flow.back() is not None and flow.back() is not None
    step = flow.current()
    assert step.name == "item" and "Item" not in facts(step) and not step.unsaved_work
    step = flow.back()
    assert step is not None and step.name == "order" and step.facts == ()
    assert flow.back() is None
    assert services.received() == []


def test_back_from_a_step_after_a_label_goes_to_the_item() -> None:
    flow, _ = start()
    flow.submit("PO-1")
    flow.submit(f"]C101{MILK_GTIN}10LOT8")
    assert flow.submit("1").name == "expiry"
    assert flow.back().name == "qty"  # type: ignore[union-attr]
    assert flow.back().name == "item"  # type: ignore[union-attr]


@pytest.mark.parametrize("actor", [OPERATOR, SUPERVISOR])
def test_resume_after_a_committed_receipt_shows_it_done_and_stays_on_the_order(
    actor: Actor,
) -> None:
    flow, services = start(actor)
    flow.submit("PO-1")
    flow.submit("WIDGET")
    saved = flow.snapshot()["state"]
    # The receipt committed, then the link dropped before the next screen was saved.
    services.receive(actor, ReceiveLine(saved["item_id"], 3, "EA", order_id=1), saved["key"])
    resumed = ReceiveFlow(actor, services, state=saved)
    step = resumed.resume()
    assert (step.name, step.tone) == ("item", Tone.SUCCESS)
    # The quantity was keyed as it posted, so the saved state knows only the item.
    assert facts(step)["Order"] == "PO-1" and step.message == "Last: Rcvd WIDGET"
    resumed.submit("WIDGET")
    resumed.submit("4")
    assert len(services.received()) == 2
    assert resumed.snapshot()["state"]["key"] != saved["key"]


def test_resume_after_the_receipt_that_closed_the_order_goes_to_the_order_prompt() -> None:
    flow, services = start()
    flow.submit("ASN-2")
    flow.submit("WIDGET")
    saved = flow.snapshot()["state"]
    services.receive(OPERATOR, ReceiveLine(saved["item_id"], 12, "EA", order_id=2), saved["key"])
    step = ReceiveFlow(OPERATOR, services, state=saved).resume()
    assert (step.name, step.tone) == ("order", Tone.SUCCESS)


def test_resume_before_commit_continues_at_the_same_step_and_posts_once() -> None:
    flow, services = start()
    flow.submit("PO-1")
    flow.submit(MILK_GTIN)
    flow.submit("5")
    resumed = ReceiveFlow(OPERATOR, services, state=flow.snapshot()["state"])
    assert resumed.resume().name == "lot"
    resumed.submit("L1")
    resumed.submit("271231")
    assert len(services.received()) == 1


def test_a_resubmitted_key_never_posts_twice() -> None:
    flow, services = start()
    flow.submit("PO-1")
    flow.submit("WIDGET")
    before = flow.snapshot()["state"]
    flow.submit("5")
    again = ReceiveFlow(OPERATOR, services, state=before)
    assert again.submit("5").tone is Tone.SUCCESS
    assert len(services.received()) == 1



def test_the_default_dock_is_named_from_the_order_on_and_is_the_dock_posted_to() -> None:
    flow, services = start()
    step = flow.submit("PO-1")
    assert facts(step)["Dock"] == DOCK.code
    step = flow.submit("19501101530000")
    assert (facts(step)["Dock"], facts(step)["Expected"]) == (DOCK.code, "2 CS (24 EA)")
    flow.submit("1")
    [command] = services.received()
    assert command.location_id == DOCK.id
    # The next line keeps the dock, named as before.
    assert facts(flow.current())["Dock"] == DOCK.code


def test_a_blind_receipt_names_the_default_dock_too() -> None:
    flow, _ = start(SUPERVISOR)
    assert facts(flow.submit("BLIND")) == {"Order": "Blind", "Dock": DOCK.code}


def test_an_over_receipt_in_cases_is_refused_in_cases() -> None:
    flow, services = start()
    flow.submit("PO-1")
    flow.submit("19501101530000")
    step = flow.submit("3")
    assert (step.name, step.message) == ("qty", "Over receipt: key 2 CS at most")
    assert services.received() == []
