"""Facts as rows: read across when side by side, descriptions fitted or whole, SSCCs never cut."""

from __future__ import annotations

from wms_tui.screens.fact_layout import DescriptionLine, WrappedLine, fact_rows
from wms_tui.screens.widgets import fit

SSCC = "LPN: 009501101000000018"
LONG = DescriptionLine("Green tea 250 g tin, loose leaf, Fujian, case of 12 tins")


def rows(lines: list[str], width: int, height: int) -> list[str]:
    return fact_rows(lines, width, height, fit)


def test_facts_that_fit_stand_in_one_column_as_given() -> None:
    assert rows(["Order: PO-7", "Item: WIDGET", "Left: 10 EA"], 20, 10) == [
        "Order: PO-7", "Item: WIDGET", "Left: 10 EA"]


def test_side_by_side_facts_read_across_in_order() -> None:
    # 8x40 has three fact rows: the second fact stands beside the first, not the fourth.
    shown = rows(["Order: ASN-1001", "Item: WIDGET", "Expected: 80 EA", "Left: 72 EA"], 40, 3)
    assert shown == ["Order: ASN-1001     Item: WIDGET", "Expected: 80 EA     Left: 72 EA"]


def test_a_description_is_fitted_on_a_handheld_and_whole_on_a_wide_screen() -> None:
    assert rows(["Item: TEA-1", LONG], 20, 10) == ["Item: TEA-1", "Green tea 250 g tin…"]
    assert rows(["Item: TEA-1", LONG], 40, 10)[1] == fit(LONG, 40)
    wide = rows(["Item: TEA-1", LONG], 80, 10)
    assert wide == ["Item: TEA-1", str(LONG)]
    narrow_80 = rows(["Item: TEA-1", DescriptionLine(LONG + ", imported by sea freight")], 80, 10)
    assert " ".join(narrow_80[1:]) == LONG + ", imported by sea freight"


def test_an_sscc_is_wrapped_never_cut() -> None:
    shown = rows([WrappedLine(SSCC), "Item: WIDGET"], 20, 10)
    assert shown[:2] == ["LPN:", "009501101000000018"]
    assert "".join(shown[:2]).replace(":", ": ", 1) == SSCC
    assert "…" not in "".join(shown)


def test_whole_row_lines_span_the_columns_when_plain_facts_stand_side_by_side() -> None:
    shown = rows(["Loc: P-01-01-1", "Item: WIDGET", DescriptionLine("Blue widget"),
                  "Pick: 3 EA", "Order: SO-1"], 40, 3)
    assert shown == ["Loc: P-01-01-1      Item: WIDGET", "Blue widget",
                     "Pick: 3 EA          Order: SO-1"]


def test_more_facts_than_rows_are_packed_along_the_row_before_any_is_dropped() -> None:
    shown = rows([f"F{n}: {n}" for n in range(10)], 20, 4)
    assert shown == ["F0: 0  F1: 1  F2: 2", "F3: 3  F4: 4  F5: 5", "F6: 6  F7: 7  F8: 8",
                     "F9: 9"]


def test_more_facts_than_any_layout_holds_keep_the_first_ones() -> None:
    shown = rows([f"Fact no {n}: {n}" for n in range(10)], 20, 4)
    assert shown == ["Fact no 0: 0", "Fact no 1: 1", "Fact no 2: 2", "Fact no 3: 3"]


def test_a_location_or_a_date_is_not_cut_when_packing_the_row_keeps_it_whole() -> None:
    # 8x40, three fact rows: three equal columns would cut the location and the expiry.
    facts = ["Loc: P-01-02-1", "Item: MILK", DescriptionLine("Milk 1L"), "Pick: 6 EA",
             "Lot: L1", "Exp: 2035-01-31"]
    shown = rows(facts, 40, 3)
    assert shown == ["Loc: P-01-02-1  Item: MILK", "Milk 1L",
                     "Pick: 6 EA  Lot: L1  Exp: 2035-01-31"]
    assert "…" not in "".join(shown)


def test_equal_columns_are_kept_while_they_cut_nothing() -> None:
    shown = rows(["Loc: P-01-01-1", "Item: WIDGET", "Pick: 3 EA", "Order: SO-1"], 40, 2)
    assert shown == ["Loc: P-01-01-1      Item: WIDGET", "Pick: 3 EA          Order: SO-1"]


def test_a_description_stands_beside_its_item_when_the_rows_are_few() -> None:
    facts = ["Order: PO-7", "Item: MILK", DescriptionLine("Milk 1L"), "Expected: 24 EA",
             "Left: 24 EA", "Qty: 12 EA", "Lot: LOT42"]
    assert rows(facts, 40, 3) == ["Order: PO-7  Item: MILK  Milk 1L",
                                  "Expected: 24 EA  Left: 24 EA  Qty: 12 EA", "Lot: LOT42"]


def test_when_nothing_fits_whole_the_last_facts_are_left_off_uncut() -> None:
    facts = ["Loc: P-01-02-1", "Item: MILK", DescriptionLine("Milk 1L"), "Pick: 6 EA",
             "Lot: L1", "Exp: 2035-01-31", "Order: SO-1234567", "Tote: TOTE-000001"]
    shown = rows(facts, 40, 3)
    assert shown == ["Loc: P-01-02-1  Item: MILK", "Milk 1L",
                     "Pick: 6 EA  Lot: L1  Exp: 2035-01-31"]


def test_a_quantity_wider_than_a_handheld_wraps_its_base_units_rather_than_cut_them() -> None:
    shown = rows(["Item: WIDGET", "Expected: 12 CS (144 EA)", "Left: 2 CS (24 EA)"], 20, 10)
    assert shown == ["Item: WIDGET", "Expected: 12 CS", "(144 EA)", "Left: 2 CS (24 EA)"]
    # Where the row has room it stays one fact on one row.
    assert rows(["Expected: 12 CS (144 EA)"], 40, 3) == ["Expected: 12 CS (144 EA)"]
