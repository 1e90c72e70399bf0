"""Quantities typed or scanned at a terminal, converted to whole base units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_tui.domain.errors import InvalidQuantity, UnknownUnit, WmsError
from wms_tui.domain.units import MAX_QUANTITY, parse_quantity, to_base_units

WIDGET_UNITS = {"EA": 1, "CS": 12, "PL": 480}
BOLT_UNITS = {"EA": 1, "BOX": 100}


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", Decimal(12)), ("0.5", Decimal("0.5")), ("1.", Decimal(1)), ("007", Decimal(7))],
)
def test_plain_numbers_parse(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


def test_whitespace_around_a_typed_quantity_is_ignored() -> None:
    # Terminals pad fields and scanners may send a trailing newline; neither changes the number.
    assert parse_quantity(" 12 ") == 12
    assert parse_quantity("12\t") == 12


@pytest.mark.parametrize(
    "text",
    ["", "   ", "nan", "NaN", "inf", "-inf", "Infinity", "--1", "-1", "-0", "0", "0.000",
     "1,5", "0x10", "1/2", "12 CS", "abc", "1.2.3", "9" * 16],
)
def test_text_that_is_not_a_positive_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidQuantity):
        parse_quantity(text)


@pytest.mark.parametrize("text", ["1e5", "1E5", "2e-1", "1_000", "١٢", "１２"])
def test_only_plain_ascii_decimals_are_accepted(text: str) -> None:
    # An operator who keys "1e5" or a scanner sending full-width digits must be asked again,
    # not have 100000 units or some other surprise posted.
    with pytest.raises(InvalidQuantity):
        parse_quantity(text)


@pytest.mark.parametrize("uom", [None, "CS"])
@pytest.mark.parametrize("text", ["1e9999999", "9e999999999", "1E-2000000"])
def test_absurd_exponents_are_refused_with_a_quantity_error(text: str, uom: str | None) -> None:
    # Past the decimal context's range a product overflows (an exception no caller expects)
    # or underflows to 0, which would reach the ledger as a zero-quantity movement.
    with pytest.raises(InvalidQuantity):
        to_base_units(text, uom, "EA", WIDGET_UNITS)


NUMBER_LIKE = st.from_regex(r"\A[-+]?[0-9]{0,6}(\.[0-9]{0,4})?([eE][-+]?[0-9]{1,10})?\Z")


@given(st.text(max_size=20) | NUMBER_LIKE)
def test_any_text_gives_a_whole_quantity_or_a_clear_refusal(text: str) -> None:
    try:
        qty = to_base_units(text, "CS", "EA", WIDGET_UNITS)
    except WmsError:
        return
    assert isinstance(qty, int)
    assert 1 <= qty <= MAX_QUANTITY


@pytest.mark.parametrize(
    ("quantity", "uom", "base"),
    [(2, "CS", 24), ("2", "cs", 24), (1, "PL", 480), ("0.5", "CS", 6), (5, None, 5),
     (Decimal("1.25"), "PL", 600), ("3", "ea", 3)],
)
def test_units_convert_to_base_units(
    quantity: int | str | Decimal, uom: str | None, base: int
) -> None:
    assert to_base_units(quantity, uom, "EA", WIDGET_UNITS) == base


def test_base_unit_converts_even_when_not_listed() -> None:
    assert to_base_units(7, "EA", "EA", {}) == 7


@pytest.mark.parametrize(("quantity", "uom"), [("0.5", None), ("0.001", "BOX"), ("1.001", "BOX")])
def test_fractions_of_a_base_unit_are_refused(quantity: str, uom: str | None) -> None:
    with pytest.raises(InvalidQuantity, match="whole EA"):
        to_base_units(quantity, uom, "EA", BOLT_UNITS)


def test_unknown_unit_names_the_units_that_are_set_up() -> None:
    with pytest.raises(UnknownUnit, match=r"unit 'PAL' is not set up .*known: BOX, EA"):
        to_base_units(1, "PAL", "EA", BOLT_UNITS)


@pytest.mark.parametrize("quantity", [0, -1, Decimal(0), Decimal("-0.5")])
def test_zero_and_negative_numbers_are_refused(quantity: int | Decimal) -> None:
    with pytest.raises(InvalidQuantity, match="more than 0"):
        to_base_units(quantity, None, "EA", BOLT_UNITS)


def test_quantities_above_the_limit_are_refused_after_conversion() -> None:
    assert to_base_units(MAX_QUANTITY, None, "EA", BOLT_UNITS) == MAX_QUANTITY
    with pytest.raises(InvalidQuantity, match="more than"):
        to_base_units(MAX_QUANTITY + 1, None, "EA", BOLT_UNITS)
    with pytest.raises(InvalidQuantity, match="more than"):
        to_base_units(MAX_QUANTITY // 100 + 1, "BOX", "EA", BOLT_UNITS)
    with pytest.raises(InvalidQuantity):
        to_base_units("9" * 15, None, "EA", BOLT_UNITS)
