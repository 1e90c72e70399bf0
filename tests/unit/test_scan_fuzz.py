"""Reading a scan never crashes: any text is either read or refused with a reason.

Whatever reaches a scan prompt (control characters, brackets, GS, web addresses with odd
hosts, other scripts' digits), the parser answers or raises ScanRejected, whose message an
operator can read; an uncaught error would end the RF session with "System error" and give
`wms scan explain` a traceback. A digit is 0-9: an Arabic-Indic or fullwidth digit is not a
digit of a GTIN, a quantity or a check digit, just as a quantity prompt refuses it.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.unit.test_scan import GTIN14, SSCC, FakeScanCatalog
from wms_tui.domain.checkdigits import is_ascii_digits, is_valid_gtin, normalize_gtin
from wms_tui.domain.errors import ScanRejected
from wms_tui.domain.scan import (
    GS,
    check_digit_verdicts,
    normalize_scan,
    parse_gs1,
    resolve_scan,
    scan_explanation,
)

# What a GS1 reader or a URL parser might trip on, as whole pieces a scan can be made of.
PIECES = [
    "]", "[", "]C1", "]d2", "]Q3", "]e0", "]E0", "]I1", "]Q1", "(", ")", "(01)", "(10)",
    "(17)", "(21)", "(30)", "(00)", "(02)", "00", "01", "02", "10", "17", "21", "30", "37",
    GS, "|", "\r", "\n", "\t", " ", "\x00", "\x1b", "\x7f", "\x9b", "\ud800",
    "http://", "https://", "id.gs1.org", "example.com", "[::1]", "[x", "%", "%zz", "%2F",
    "@", ":", "/", "/01/", "/10/", "/21/", "?", "#", "&", "=", ".",
    GTIN14, SSCC, "09506000134352", "140704", "991231", "AB-123",
    "٣", "٤", "٠٩٥٠٦٠٠٠١٣٤٣٥٢", "３", "４", "²", "௫", "A", "z", "-", "库",
]
pieces = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
characters = st.text(alphabet=st.sampled_from([p for p in PIECES if len(p) == 1]), max_size=30)
scans = st.one_of(pieces, characters, st.text(max_size=60))


def read(raw: str, separator: str | None = None) -> object:
    """Everything a terminal and `wms scan explain` do with one scan."""
    catalog = FakeScanCatalog()
    explanation = scan_explanation(raw, catalog, separator=separator)
    json.dumps(explanation)  # printable as the CLI's --json
    scan = normalize_scan(raw, separator=separator)
    check_digit_verdicts(scan.text)
    parse_gs1(scan)
    return resolve_scan(scan, catalog)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scans, separator=st.sampled_from([None, "|", "~"]))
@example(raw="]\x1d", separator=None)
@example(raw="https://[", separator=None)
@example(raw="http://[x/01/09506000134352", separator=None)
def test_any_text_is_read_or_refused_with_a_reason(raw: str, separator: str | None) -> None:
    try:
        read(raw, separator)
    except ScanRejected as refusal:
        assert str(refusal).strip()


@pytest.mark.parametrize("raw", ["]\x1d", "]\x1d0109506000134352", "]X\x1d01"])
def test_a_bracket_and_gs_is_refused_not_a_crash(raw: str) -> None:
    with pytest.raises(ScanRejected, match=r"not readable: .* is not a symbology identifier"):
        parse_gs1(raw)
    explanation = scan_explanation(raw, FakeScanCatalog())
    assert "is not a symbology identifier" in str(explanation["gs1_error"])


def test_a_lone_bracket_is_just_an_unknown_code() -> None:
    assert parse_gs1("]") is None


@pytest.mark.parametrize("raw", [
    "https://[", "http://[x/01/09506000134352", "https://[::1/01/09506000134352",
    "https://ex%zz[ample.com/01/09506000134352",
])
def test_a_web_address_with_an_odd_host_is_no_gs1_data(raw: str) -> None:
    assert parse_gs1(raw) is None
    explanation = scan_explanation(raw, FakeScanCatalog())
    assert explanation["gs1_data"] is None
    assert explanation["resolution"] == {
        "kind": "unknown", "message": explanation["resolution"]["message"],  # type: ignore[index]
        "item": None, "unit": None, "factor": None, "location": None, "lpn": None,
    }


ARABIC_GTIN = "٠٩٥٠٦٠٠٠١٣٤٣٥٢"  # 09506000134352 in Arabic-Indic digits
FULLWIDTH_GTIN = "０９５０６０００１３４３５２"


@pytest.mark.parametrize("digits", ["٣٤", "３４", "²"])
def test_other_scripts_digits_are_not_digits(digits: str) -> None:
    assert digits.isdigit()  # what Python alone would accept
    assert not is_ascii_digits(digits)
    assert is_ascii_digits("0123456789")
    assert not is_ascii_digits("")


@pytest.mark.parametrize("gtin", [ARABIC_GTIN, FULLWIDTH_GTIN])
def test_a_gtin_in_other_digits_is_no_gtin(gtin: str) -> None:
    assert not is_valid_gtin(gtin)
    with pytest.raises(ScanRejected, match="must be digits only"):
        normalize_gtin(gtin)
    assert parse_gs1(gtin) is None
    assert parse_gs1("01" + gtin) is None
    with pytest.raises(ScanRejected, match="is not a GS1 character"):
        parse_gs1("(01)" + gtin)
    with pytest.raises(ScanRejected, match="is not a GS1 character"):
        parse_gs1("]C101" + gtin)
    assert check_digit_verdicts("(01)" + gtin) == []


@pytest.mark.parametrize("quantity", ["٣٤", "３４"])
def test_a_gs1_quantity_in_other_digits_is_refused(quantity: str) -> None:
    # The same digits a quantity prompt refuses (see test_units), in AI (30) of a label.
    for raw in (f"(30){quantity}", f"]C130{quantity}", f"30{quantity}{GS}"):
        with pytest.raises(ScanRejected, match="is not a GS1 character"):
            parse_gs1(raw)
    gs1 = parse_gs1(f"]C10109506000134352{GS}3034")
    assert gs1 is not None and gs1.quantity == 34


def test_the_refusal_names_the_character_and_where_it_is() -> None:
    with pytest.raises(ScanRejected) as refused:
        parse_gs1("(30)1٣")
    assert str(refused.value) == (
        "GS1 barcode not readable: '٣' at position 6 is not a GS1 character")
