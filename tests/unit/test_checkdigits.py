"""GS1 and location check digits, checked against published GS1 examples."""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_tui.domain.checkdigits import (
    gs1_check_digit,
    is_valid_gtin,
    is_valid_sscc,
    location_check_digits,
    make_sscc,
    normalize_gtin,
)
from wms_tui.domain.errors import ScanRejected

# Keys printed in the GS1 General Specifications and on common retail packs.
VALID_GTINS = [
    "09501101530003",  # GS1 General Specifications GTIN-14 example
    "5901234123457",  # GS1 EAN-13 example
    "4006381333931",  # EAN-13 from a retail pack
    "96385074",  # GTIN-8 from the biip documentation
    "036000291452",  # UPC-A
]
GS1_SSCC_EXAMPLE = "106141411234567897"


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("0950110153000", "3"),
        ("590123412345", "7"),
        ("400638133393", "1"),
        ("9638507", "4"),
        ("10614141123456789", "7"),
        ("0", "0"),
    ],
)
def test_gs1_check_digit_matches_published_keys(body: str, check: str) -> None:
    assert gs1_check_digit(body) == check


@pytest.mark.parametrize("body", ["", "12a4", "12 34", "١٢٣"])
def test_gs1_check_digit_refuses_non_digits(body: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        gs1_check_digit(body)


@pytest.mark.parametrize("code", VALID_GTINS)
def test_published_gtins_are_valid(code: str) -> None:
    assert is_valid_gtin(code)


@pytest.mark.parametrize(
    "code",
    [
        "09501101530004",  # wrong check digit
        "5901234123458",
        "4006381333932",
        "950110153000",  # 12 digits, wrong check
        "1234567",  # 7 digits
        "123456789012345",  # 15 digits
        "59012341234x7",
        "",
        "５９０１２３４１２３４５７",  # full-width digits are not GTIN digits
    ],
)
def test_bad_gtins_are_invalid(code: str) -> None:
    assert not is_valid_gtin(code)


def test_sscc_validation() -> None:
    assert is_valid_sscc(GS1_SSCC_EXAMPLE)
    assert not is_valid_sscc("106141411234567898")
    assert not is_valid_sscc("10614141123456789")
    assert not is_valid_sscc("09501101530003")


@pytest.mark.parametrize(
    ("code", "gtin14"),
    [
        ("09501101530003", "09501101530003"),
        ("5901234123457", "05901234123457"),
        ("036000291452", "00036000291452"),
        ("96385074", "00000096385074"),
    ],
)
def test_normalize_gtin_pads_to_gtin14(code: str, gtin14: str) -> None:
    assert normalize_gtin(code) == gtin14


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("5901234123458", "check digit 8; expected 7"),
        ("12345", "has 5 digits; expected 8, 12, 13 or 14"),
        ("59012341234A7", "digits only"),
        ("", "digits only"),
    ],
)
def test_normalize_gtin_refuses_with_a_clear_reason(code: str, message: str) -> None:
    with pytest.raises(ScanRejected, match=message):
        normalize_gtin(code)


@given(st.text(alphabet=string.digits, min_size=7, max_size=13), st.data())
def test_any_single_digit_error_breaks_the_check_digit(body: str, data: st.DataObject) -> None:
    code = body + gs1_check_digit(body)
    assert is_valid_gtin(code) == (len(code) in (8, 12, 13, 14))
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.sampled_from(string.digits).filter(lambda d: d != code[position]))
    damaged = code[:position] + replacement + code[position + 1 :]
    assert gs1_check_digit(damaged[:-1]) != damaged[-1]


def test_make_sscc_reproduces_the_gs1_example() -> None:
    assert make_sscc("0614141", 123456789, extension="1") == GS1_SSCC_EXAMPLE


def test_make_sscc_pads_the_serial_and_defaults_extension_zero() -> None:
    sscc = make_sscc("95011015", 42)
    assert sscc[:17] == "0" + "95011015" + "00000042"
    assert len(sscc) == 18
    assert is_valid_sscc(sscc)


@pytest.mark.parametrize(
    ("prefix", "serial", "extension"),
    [
        ("0614141", 10**9, "0"),  # serial needs 10 digits, only 9 left
        ("0614141123456789", 1, "0"),  # prefix leaves no room for a serial
        ("06141A1", 1, "0"),
        ("0614141", -1, "0"),
        ("0614141", 1, "10"),
        ("0614141", 1, "x"),
    ],
)
def test_make_sscc_refuses_what_does_not_fit(prefix: str, serial: int, extension: str) -> None:
    with pytest.raises(ValueError):
        make_sscc(prefix, serial, extension)


@given(
    st.text(alphabet=string.digits, min_size=6, max_size=12),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(string.digits),
)
def test_make_sscc_is_always_valid(prefix: str, serial: int, extension: str) -> None:
    assert is_valid_sscc(make_sscc(prefix, serial, extension))


def _documented_location_rule(code: str) -> str:
    canonical = code.strip().upper()
    total = sum((i % 96 + 1) * ord(c) for i, c in enumerate(canonical)) % 97
    return f"{total**5 % 97:02d}"


@pytest.mark.parametrize("code", ["A-01-02-3", "A-01-02-4", "DOCK-1", "QC", "R-12-05-B"])
def test_location_check_digits_follow_the_documented_rule(code: str) -> None:
    digits = location_check_digits(code)
    assert len(digits) == 2 and digits.isdigit()
    assert digits == _documented_location_rule(code)


def test_location_check_digits_are_stable_and_ignore_case_and_spaces() -> None:
    assert location_check_digits("A-01-02-3") == "93"
    assert location_check_digits(" a-01-02-3 ") == "93"


def test_location_check_digits_need_a_code() -> None:
    with pytest.raises(ValueError):
        location_check_digits("  ")


LOCATION_ALPHABET = string.ascii_uppercase + string.digits + "-._/"


@given(st.text(alphabet=LOCATION_ALPHABET, min_size=1, max_size=30), st.data())
def test_neighbouring_slots_never_share_check_digits(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(code) - 1))
    other = data.draw(st.sampled_from(LOCATION_ALPHABET).filter(lambda c: c != code[position]))
    neighbour = code[:position] + other + code[position + 1 :]
    assert location_check_digits(neighbour) != location_check_digits(code)


@given(st.text(alphabet=LOCATION_ALPHABET, min_size=2, max_size=30), st.data())
def test_swapped_characters_change_check_digits(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(code) - 2))
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert location_check_digits(swapped) != location_check_digits(code)


def test_consecutive_slots_do_not_step_by_a_constant() -> None:
    slots = [location_check_digits(f"A-01-02-{level}") for level in range(1, 8)]
    steps = {(int(b) - int(a)) % 97 for a, b in itertools.pairwise(slots)}
    assert len(steps) > 1
