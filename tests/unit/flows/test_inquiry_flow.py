"""The inquiry flow: item, location and LPN look-ups, paged to fit the screen."""

from __future__ import annotations

from datetime import date

from tests.flow_fakes import A1, DOCK, OPERATOR, PALLET
from tests.unit.flows.putaway_fakes import PutawayFakeServices, line
from wms_tui.domain.flows.base import Fact, FactKind, Step, Tone
from wms_tui.domain.flows.inquiry import PAGE_HEADINGS, InquiryFlow, line_cost, page_starts
from wms_tui.domain.model import LpnRef


def start(page_size: int | None = None) -> tuple[InquiryFlow, PutawayFakeServices]:
    services = PutawayFakeServices.putaway()
    flow = InquiryFlow(OPERATOR, services)
    if page_size is not None:
        flow.set_page_size(page_size)
    return flow, services


def pairs(step: Step) -> list[tuple[str, str]]:
    """The facts but the item's description (test_an_item_inquiry_shows_its_description)."""
    return [(f.label, f.value) for f in step.facts if f.kind is not FactKind.DESCRIPTION]


def test_item_shows_where_it_is_with_qc_hold_said_in_words() -> None:
    flow, _ = start()
    assert flow.current().prompt == "Scan item/loc/LPN"
    step = flow.submit("WIDGET")
    assert step.name == "result"
    assert pairs(step) == [
        ("Item", "WIDGET"), ("Page", "1/1"),
        ("A-01-01-1", "30 EA"), ("DOCK-1", "24 EA"), ("DOCK-1", "20 EA"), ("QC-1", "6 EA QC"),
    ]


def test_location_shows_what_is_in_it_with_lots() -> None:
    flow, _ = start(page_size=8)
    step = flow.submit("DOCK-1")
    assert pairs(step) == [
        ("Loc", "DOCK-1"), ("Page", "1/1"),
        ("WIDGET", "24 EA"), ("WIDGET", "20 EA"), ("MILK", "10 EA L1 2030-01-01"),
        ("MILK", "5 EA L2 2029-06-01"),
    ]


def test_lpn_shows_where_it_is_and_its_contents() -> None:
    flow, _ = start()
    step = flow.submit(PALLET.code)
    assert pairs(step) == [("LPN", "LPN0001"), ("At", "DOCK-1"), ("Page", "1/1"),
                           ("WIDGET", "24 EA")]


def test_an_item_inquiry_shows_its_description_and_lots_their_expiry() -> None:
    flow, _ = start()
    step = flow.submit("MILK")
    assert step.facts[1] == Fact("", "Milk 1L", FactKind.DESCRIPTION)
    assert ("DOCK-1", "10 EA L1 2030-01-01") in pairs(step)
    # A location's lines name items by code; no one description stands for them all.
    assert all(f.kind is not FactKind.DESCRIPTION for f in flow.submit("DOCK-1").facts)


def test_item_by_gtin_scan() -> None:
    flow, _ = start()
    assert pairs(flow.submit("]E09501101530003"))[0] == ("Item", "WIDGET")


def test_enter_pages_through_and_then_returns_to_scan() -> None:
    flow, _ = start(page_size=3)
    step = flow.submit("WIDGET")
    assert pairs(step)[1] == ("Page", "1/2") and len(pairs(step)) == 2 + 3
    step = flow.submit("")
    assert pairs(step) == [("Item", "WIDGET"), ("Page", "2/2"), ("QC-1", "6 EA QC")]
    step = flow.submit("")
    assert (step.name, step.facts) == ("scan", ())
    assert pairs(flow.submit("WIDGET"))[1] == ("Page", "1/2")  # page size kept


def test_page_size_can_change_while_a_result_is_shown() -> None:
    flow, _ = start(page_size=2)
    flow.submit("WIDGET")
    step = flow.submit("")
    assert pairs(step)[1] == ("Page", "2/2")
    flow.set_page_size(3)
    step = flow.current()
    # The first line on screen (the third) stays visible on the resized page.
    assert pairs(step)[1:] == [("Page", "1/2"), ("A-01-01-1", "30 EA"), ("DOCK-1", "24 EA"),
                               ("DOCK-1", "20 EA")]
    flow.set_page_size(0)
    assert len(pairs(flow.current())) == 2 + 1


def test_a_new_scan_on_the_result_starts_a_new_inquiry() -> None:
    flow, _ = start(page_size=1)
    flow.submit("WIDGET")
    step = flow.submit("MILK")
    assert pairs(step)[:3] == [("Item", "MILK"), ("Page", "1/2"), ("DOCK-1", "10 EA L1 2030-01-01")]


def test_empty_location_says_so() -> None:
    flow, _ = start()
    step = flow.submit("A-01-02-1")
    assert pairs(step) == [("Loc", "A-01-02-1"), ("Page", "1/1"), ("Stock", "None")]
    assert flow.submit("").name == "scan"


def test_damaged_and_blocked_stock_are_named() -> None:
    services = PutawayFakeServices.putaway([
        line("WIDGET", A1, 3, status="damaged"),
        line("WIDGET", A1, 4, status="blocked"),
    ])
    step = InquiryFlow(OPERATOR, services).submit("A-01-01-1")
    assert pairs(step)[2:] == [("WIDGET", "3 EA DMG"), ("WIDGET", "4 EA BLK")]


def test_unknown_or_bad_scans_are_refused_on_both_steps() -> None:
    flow, _ = start()
    for bad in ("NOPE", "\x1b[31m", ""):
        step = flow.submit(bad)
        assert (step.name, step.tone) == ("scan", Tone.ERROR), bad
    assert flow.submit("NOPE").message == "Unknown NOPE: scan another"
    flow.submit("WIDGET")
    step = flow.submit("NOPE")
    assert (step.name, step.tone) == ("result", Tone.ERROR)
    assert pairs(step)[0] == ("Item", "WIDGET")


def test_back_returns_to_scan_then_leaves() -> None:
    flow, _ = start(page_size=2)
    flow.submit("WIDGET")
    step = flow.back()
    assert step is not None and step.name == "scan" and not step.unsaved_work
    assert flow.back() is None
    assert pairs(flow.submit("WIDGET"))[1] == ("Page", "1/2")


def test_saved_state_stays_one_page_and_resumes_identically() -> None:
    flow, services = start(page_size=2)
    flow.submit("WIDGET")
    flow.submit("")
    saved = flow.snapshot()["state"]
    assert len(saved["lines"]) == 2
    resumed = InquiryFlow(OPERATOR, services, state=saved)
    assert resumed.resume() == flow.current()


def test_a_line_too_wide_for_a_handheld_is_wrapped_and_costs_its_rows() -> None:
    long_lot = "LOT-2035-0042-ABCDEF"
    services = PutawayFakeServices.putaway([
        line("MILK", A1, n, lot=f"{long_lot[:-1]}{n}", lot_id=n, expiry=date(2035, 6, n))
        for n in range(1, 6)
    ] + [line("WIDGET", A1, 7)])
    flow = InquiryFlow(OPERATOR, services)
    # A 16x20 page: 8 rows for stock lines. Each milk line takes three rows at 20 columns (sku
    # and quantity, the lot, the expiry) and two whole rows at 40, so it costs four: two a page,
    # the widget with the last one.
    flow.set_page_size(8)
    seen: list[tuple[str, str]] = []
    step = flow.submit("A-01-01-1")
    for page in (1, 2, 3):
        assert pairs(step)[1] == ("Page", f"{page}/3")
        lines = step.facts[2:]
        rows = sum(line_cost(f"{f.label}: {f.value}", f.kind) for f in lines)
        assert rows <= 8
        seen.extend((f.label, f.value) for f in lines)
        step = flow.submit("")
    assert step.name == "scan"
    assert seen == [("MILK", f"{n} EA {long_lot[:-1]}{n} 2035-06-0{n}") for n in range(1, 6)] + [
        ("WIDGET", "7 EA")]
    milk = InquiryFlow(OPERATOR, services).submit("A-01-01-1").facts[2]
    assert milk.kind is FactKind.WRAPPED
    widget = InquiryFlow(OPERATOR, services).submit("WIDGET").facts[-1]
    assert widget.kind is FactKind.PLAIN


def test_the_rows_a_wrapped_line_takes_are_counted_as_the_screen_wraps_it() -> None:
    # 20 columns: "A-01-01-1: 6 EA" / "LOT-2035-0042-ABCDEF" / "2035-06-30"; 40: two rows.
    text = "A-01-01-1: 6 EA LOT-2035-0042-ABCDEF 2035-06-30"
    assert line_cost(text, FactKind.WRAPPED) == 4
    assert line_cost("MILK: 6 EA L1 2035-06-30", FactKind.WRAPPED) == 2
    assert line_cost("WIDGET: 30 EA", FactKind.PLAIN) == 1
    assert page_starts([2, 2, 1, 3, 1], 4) == [0, 2, 4]
    assert page_starts([5, 1], 4) == [0, 1]
    assert page_starts([], 4) == [0]


def test_headings_that_need_more_rows_take_them_from_the_lines() -> None:
    """An SSCC-coded LPN wraps onto a second row at 20 columns: its page holds one line less,
    so headings and lines still fit the rows the screen has (page_size plus three headings)."""
    sscc = LpnRef(7, "00395011010000000123", "00395011010000000123", PALLET.location_id)
    lines = [line("WIDGET", DOCK, n, lpn=sscc.code, lpn_id=sscc.id) for n in range(1, 11)]
    services = PutawayFakeServices.putaway(lines)
    services.catalog.lpns[sscc.code] = sscc
    flow = InquiryFlow(OPERATOR, services)
    flow.set_page_size(8)
    step, seen = flow.submit(sscc.code), list[str]()
    for page in (1, 2):
        heads = [f for f in step.facts if f.label in ("LPN", "At", "Page")]
        assert heads[-1].value == f"{page}/2"
        stock = step.facts[len(heads):]
        used = sum(line_cost(f"{f.label}: {f.value}", f.kind) for f in step.facts)
        assert used <= 8 + PAGE_HEADINGS
        seen.extend(f.value for f in stock)
        step = flow.submit("")
    assert seen == [f"{n} EA" for n in range(1, 11)]
    assert step.name == "scan"
