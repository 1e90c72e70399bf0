"""Scan normalisation, GS1 parsing and resolution, with GS1 General Specifications samples."""

from __future__ import annotations

import contextlib
import json
import string
import time
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_tui.domain.checkdigits import is_valid_gtin, is_valid_sscc, make_sscc
from wms_tui.domain.errors import ScanRejected
from wms_tui.domain.model import ItemRef, LocationRef, LocationType, LpnRef
from wms_tui.domain.scan import (
    DEFAULT_MAX_SCAN_LENGTH,
    GS,
    Gs1Data,
    NormalizedScan,
    check_digit_verdicts,
    normalize_scan,
    parse_gs1,
    resolve_scan,
    scan_explanation,
)
from wms_tui.domain.weights import Weight

GTIN14 = "09501101530003"  # GS1 General Specifications example GTIN
EAN13 = "5901234123457"  # GS1 EAN-13 example
SSCC = "106141411234567897"  # GS1 General Specifications example SSCC
# GS1 General Specifications GS1-128 example: GTIN, expiry 4 July 2014, batch AB-123.
CASE_LABEL = "01" + GTIN14 + "17140704" + "10AB-123"


def test_sample_keys_really_are_valid() -> None:
    assert is_valid_gtin(GTIN14)
    assert is_valid_gtin(EAN13)
    assert is_valid_gtin("4006381333931")
    assert is_valid_sscc(SSCC)


class TestNormalizeScan:
    @pytest.mark.parametrize("suffix", ["\r", "\n", "\r\n", "\t", "  \r\n", ""])
    def test_scanner_suffix_and_spaces_are_trimmed(self, suffix: str) -> None:
        assert normalize_scan("  A-01-02-3" + suffix) == NormalizedScan(text="A-01-02-3")

    @pytest.mark.parametrize(
        ("prefix", "body", "gs1"),
        [
            ("]C1", CASE_LABEL, True),
            ("]d2", CASE_LABEL, True),
            ("]Q3", CASE_LABEL, True),
            ("]e0", "01" + GTIN14, True),
            ("]J1", CASE_LABEL, True),
            ("]E0", EAN13, False),
            ("]A0", "CODE39-TEXT", False),
        ],
    )
    def test_aim_prefix_is_stripped_and_recorded(self, prefix: str, body: str, gs1: bool) -> None:
        scan = normalize_scan(prefix + body + "\r")
        assert scan.text == body
        assert scan.symbology == prefix
        assert scan.gs1 is gs1

    def test_gs_is_kept_as_the_field_separator(self) -> None:
        scan = normalize_scan("]C1" + CASE_LABEL + GS + "21SN-7\r\n")
        assert scan.text == CASE_LABEL + GS + "21SN-7"
        assert scan.gs1

    @pytest.mark.parametrize("separator", ["|", "~"])
    def test_configured_printable_separator_becomes_gs(self, separator: str) -> None:
        scan = normalize_scan(CASE_LABEL + separator + "21SN-7", separator=separator)
        assert scan.text == CASE_LABEL + GS + "21SN-7"
        assert scan.gs1

    def test_separator_is_left_alone_when_not_configured(self) -> None:
        assert normalize_scan("A|B").text == "A|B"

    @pytest.mark.parametrize("separator", ["", "||", GS, " ", "A", "7", "\x1b"])
    def test_unusable_separator_is_a_configuration_error(self, separator: str) -> None:
        with pytest.raises(ValueError, match="separator"):
            normalize_scan("A", separator=separator)

    @pytest.mark.parametrize(
        ("raw", "code_point", "position"),
        [
            ("AB\x1bC", "0x1B", 3),  # ESC, the start of a terminal escape sequence
            ("\x00ABC", "0x00", 1),  # NUL
            ("AB\x07", "0x07", 3),  # BEL
            ("A\x7fB", "0x7F", 2),  # DEL
            ("AB\x9b2J", "0x9B", 3),  # C1 CSI
            ("  A\x1bB", "0x1B", 4),  # position counts the scan as received
            ("A\rB", "0x0D", 2),  # Enter inside a scan is not a suffix
            ("\tA", "0x09", 1),
            ("A\x1cB", "0x1C", 2),  # FS is not the GS1 separator
            ("A\udc9bB", "0xDC9B", 2),  # an undecodable terminal byte
        ],
    )
    def test_control_characters_are_refused_with_position(
        self, raw: str, code_point: str, position: int
    ) -> None:
        with pytest.raises(ScanRejected) as refused:
            normalize_scan(raw)
        assert str(refused.value) == (
            f"scan has a control character ({code_point}) at position {position}"
        )

    @pytest.mark.parametrize("raw", ["", "\r\n", "    \t", "]C1\r", GS, GS + GS + "\n"])
    def test_empty_scan_is_refused(self, raw: str) -> None:
        with pytest.raises(ScanRejected):
            normalize_scan(raw)

    def test_ten_kilobytes_are_refused_quickly_with_the_limit(self) -> None:
        flood = "\x1b" * 10_240
        with pytest.raises(ScanRejected, match=f"the limit is {DEFAULT_MAX_SCAN_LENGTH}"):
            normalize_scan(flood)  # the length message wins: nothing scanned the characters
        started = time.perf_counter()
        for _ in range(1_000):
            with pytest.raises(ScanRejected):
                normalize_scan("A" * 10_240)
        assert time.perf_counter() - started < 1.0

    def test_length_limit_is_configurable(self) -> None:
        assert normalize_scan("A" * 300, max_length=300).text == "A" * 300
        with pytest.raises(ScanRejected, match="11 characters, the limit is 10"):
            normalize_scan("A" * 11 + "\r\n", max_length=10)

    def test_rich_markup_passes_through_literally(self) -> None:
        scan = normalize_scan("[bold]x[/bold]\r")
        assert scan.text == "[bold]x[/bold]"
        assert parse_gs1(scan) is None

    @given(st.text(max_size=300), st.sampled_from([None, "|", "~"]))
    def test_never_fails_otherwise_and_never_lets_controls_through(
        self, raw: str, separator: str | None
    ) -> None:
        try:
            scan = normalize_scan(raw, separator=separator)
        except ScanRejected:
            return
        controls = [c for c in scan.text if unicodedata.category(c) in ("Cc", "Cs") and c != GS]
        assert controls == []
        assert scan.text

    @given(
        st.sampled_from(["", "]C1", "]d2", "]Q3", "]E0", "]I1"]),
        st.text(alphabet=string.digits + "()" + GS + "AB-/:.", max_size=80),
    )
    def test_parsing_gs1_like_noise_only_ever_refuses(self, prefix: str, body: str) -> None:
        with contextlib.suppress(ScanRejected):
            data = parse_gs1(prefix + body)
            if data is not None:
                json.dumps(scan_explanation(prefix + body))


class TestParseGs1:
    def test_hri_form_with_parentheses(self) -> None:
        data = parse_gs1(f"(01){GTIN14}(17)260630(10)AB-123")
        assert data == Gs1Data(
            gtin=GTIN14,
            lot="AB-123",
            expiry=date(2026, 6, 30),
            fields={"01": GTIN14, "17": "260630", "10": "AB-123"},
        )

    def test_day_zero_means_last_day_of_month(self) -> None:
        data = parse_gs1(f"(01){GTIN14}(17)280200")
        assert data is not None and data.expiry == date(2028, 2, 29)

    def test_gs1_128_case_label_with_aim_prefix(self) -> None:
        data = parse_gs1("]C1" + CASE_LABEL)
        assert data is not None
        assert (data.gtin, data.expiry, data.lot) == (GTIN14, date(2014, 7, 4), "AB-123")

    def test_element_string_with_gs_before_serial(self) -> None:
        data = parse_gs1(CASE_LABEL + GS + "21SN-7")
        assert data is not None
        assert (data.lot, data.serial) == ("AB-123", "SN-7")
        assert data.fields == {"01": GTIN14, "17": "140704", "10": "AB-123", "21": "SN-7"}

    def test_printable_separator_reads_like_gs(self) -> None:
        data = parse_gs1(normalize_scan("]d2" + CASE_LABEL + "|21SN-7", separator="|"))
        assert data is not None and data.serial == "SN-7"

    @pytest.mark.parametrize("raw", [f"(00){SSCC}", f"]C100{SSCC}", SSCC])
    def test_sscc(self, raw: str) -> None:
        data = parse_gs1(raw)
        assert data is not None and data.sscc == SSCC and data.gtin is None

    def test_pallet_label_with_content_and_count(self) -> None:
        data = parse_gs1(f"]C100{SSCC}02{GTIN14}3712")
        assert data is not None
        assert (data.sscc, data.content_gtin, data.quantity) == (SSCC, GTIN14, 12)

    def test_variable_count(self) -> None:
        data = parse_gs1(f"]C101{GTIN14}305" + GS + "10L1")
        assert data is not None and data.quantity == 5 and data.lot == "L1"

    def test_digital_link_in_a_qr_code(self) -> None:
        data = parse_gs1(f"]Q3https://id.gs1.org/01/{GTIN14}/10/AB-123")
        assert data is not None and (data.gtin, data.lot) == (GTIN14, "AB-123")

    @pytest.mark.parametrize(
        ("raw", "gtin14"),
        [
            (EAN13, "0" + EAN13),
            ("4006381333931", "04006381333931"),
            ("96385074", "00000096385074"),
            ("036000291452", "00036000291452"),
            (GTIN14, GTIN14),
            ("]E0" + EAN13, "0" + EAN13),
            ("01" + GTIN14, GTIN14),
        ],
    )
    def test_plain_gtins(self, raw: str, gtin14: str) -> None:
        data = parse_gs1(raw)
        assert data is not None and data.gtin == gtin14

    @pytest.mark.parametrize(
        "raw",
        [
            "A-01-02-3",
            "SKU-123",
            "10ABC",
            "LPN000123",
            "5901234123458",
            "12345",
            "0109501101530004",
        ],
    )
    def test_not_gs1_gives_none(self, raw: str) -> None:
        assert parse_gs1(raw) is None

    @pytest.mark.parametrize(
        ("raw", "reason"),
        [
            ("]C10109501101530004", "check digit"),
            ("(01)09501101530004", "check digit"),
            ("(00)106141411234567898", "check digit"),
            ("0109501101530004" + GS + "10AB", "check digit"),
            ("]E05901234123458", "check digit 8; expected 7"),
            (f"]C101{GTIN14}17140230", "17"),  # 30 February
            ("(01)0950", "01"),
            ("(10)A(10)B", "AI \\(10\\) appears twice"),
            ("]C1XYZ", "GS1"),
            ("]Q3https://example.com/no-gs1-here", "GS1"),
        ],
    )
    def test_claimed_gs1_that_does_not_parse_is_refused(self, raw: str, reason: str) -> None:
        with pytest.raises(ScanRejected, match=reason):
            parse_gs1(raw)


class TestCheckDigitVerdicts:
    def test_plain_keys(self) -> None:
        assert check_digit_verdicts(EAN13) == [f"GTIN-13 {EAN13}: check digit 7 is right"]
        assert check_digit_verdicts("5901234123458") == [
            "GTIN-13 5901234123458: check digit 8 is wrong, expected 7"
        ]
        assert check_digit_verdicts(SSCC) == [f"SSCC {SSCC}: check digit 7 is right"]

    def test_keys_inside_gs1_text(self) -> None:
        assert check_digit_verdicts(f"(00){SSCC}(02)09501101530004(37)12") == [
            f"(00) SSCC {SSCC}: check digit 7 is right",
            "(02) GTIN 09501101530004: check digit 4 is wrong, expected 3",
        ]
        assert check_digit_verdicts(f"00{SSCC}02{GTIN14}37{12}") == [
            f"(00) SSCC {SSCC}: check digit 7 is right",
            f"(02) GTIN {GTIN14}: check digit 3 is right",
        ]
        assert check_digit_verdicts("10AB" + GS + f"01{GTIN14}") == [
            f"(01) GTIN {GTIN14}: check digit 3 is right"
        ]

    @pytest.mark.parametrize("text", ["A-01-02-3", "12345", "(10)AB-123"])
    def test_nothing_to_check(self, text: str) -> None:
        assert check_digit_verdicts(text) == []


def _item(sku: str, *, uom: str | None = None, factor: int = 1) -> ItemRef:
    return ItemRef(
        id=len(sku),
        sku=sku,
        description=f"{sku} test item",
        base_uom="EA",
        lot_tracked=True,
        expiry_tracked=True,
        serial_tracked=False,
        uom=uom,
        factor=factor,
    )


SHELF = LocationRef(
    id=1,
    code="A-01-02-3",
    barcode="LOC0001",
    check_digits="93",
    type=LocationType.PICK,
    walk_seq=10,
)
DOCK = LocationRef(
    id=2, code="DOCK-1", barcode="LOC0002", check_digits="38", type=LocationType.DOCK, walk_seq=1
)
PALLET = LpnRef(id=7, code="LPN000007", sscc=SSCC, location_id=2)
CASE = _item("ABC-1", uom="CS", factor=12)
EACH = _item("ABC-1", uom="EA")


class FakeScanCatalog:
    """A dict-backed catalogue: GTIN-14s, SKUs and aliases, location and LPN codes."""

    def __init__(self) -> None:
        self.items_by_gtin = {GTIN14: CASE, "0" + EAN13: EACH}
        self.items_by_code = {"ABC-1": EACH, "ALIAS-9": EACH, "96385074": _item("SHORT-8")}
        self.locations = {code: loc for loc in (SHELF, DOCK) for code in (loc.code, loc.barcode)}
        self.lpns = {PALLET.code: PALLET, SSCC: PALLET}

    def item_by_gtin(self, gtin14: str) -> ItemRef | None:
        return self.items_by_gtin.get(gtin14)

    def item_by_code(self, code: str) -> ItemRef | None:
        return self.items_by_code.get(code)

    def location_by_code(self, code: str) -> LocationRef | None:
        return self.locations.get(code)

    def lpn_by_code(self, code: str) -> LpnRef | None:
        return self.lpns.get(code)


@pytest.fixture
def catalog() -> FakeScanCatalog:
    return FakeScanCatalog()


def _resolve(raw: str, catalog: FakeScanCatalog, **kwargs: LocationRef) -> object:
    return resolve_scan(normalize_scan(raw, separator="|"), catalog, **kwargs)


class TestResolveScan:
    def test_case_label_answers_item_lot_expiry_and_quantity(
        self, catalog: FakeScanCatalog
    ) -> None:
        resolution = resolve_scan(normalize_scan(f"]C1{CASE_LABEL}|305", separator="|"), catalog)
        assert resolution.kind == "item"
        assert resolution.item == CASE
        assert (resolution.lot, resolution.expiry, resolution.quantity) == (
            "AB-123",
            date(2014, 7, 4),
            5,
        )
        assert resolution.message == "item ABC-1 (CS x12)"

    def test_ean13_each(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan(EAN13), catalog)
        assert (resolution.kind, resolution.item, resolution.message) == (
            "item",
            EACH,
            "item ABC-1 (EA)",
        )

    def test_sscc_finds_the_lpn(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan(f"(00){SSCC}"), catalog)
        assert (resolution.kind, resolution.lpn, resolution.message) == (
            "lpn",
            PALLET,
            "LPN LPN000007",
        )

    def test_pallet_label_gives_lpn_with_its_content(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan(f"]C100{SSCC}02{GTIN14}3712"), catalog)
        assert (resolution.kind, resolution.lpn, resolution.item) == ("lpn", PALLET, CASE)
        assert resolution.quantity == 12

    def test_new_pallet_from_a_supplier_reads_as_its_content(
        self, catalog: FakeScanCatalog
    ) -> None:
        new_sscc = make_sscc("0614141", 1)
        resolution = resolve_scan(normalize_scan(f"]C100{new_sscc}02{GTIN14}3720"), catalog)
        assert (resolution.kind, resolution.item, resolution.quantity) == ("item", CASE, 20)
        assert resolution.gs1 is not None and resolution.gs1.sscc == new_sscc

    def test_unknown_sscc(self, catalog: FakeScanCatalog) -> None:
        new_sscc = make_sscc("0614141", 1)
        resolution = resolve_scan(normalize_scan(f"(00){new_sscc}"), catalog)
        assert (resolution.kind, resolution.message) == ("unknown", f"unknown SSCC {new_sscc}")

    def test_unknown_gtin(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan("4006381333931"), catalog)
        assert (resolution.kind, resolution.message) == ("unknown", "unknown GTIN 04006381333931")

    def test_check_digits_confirm_the_expected_location(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan("93"), catalog, expected_location=SHELF)
        assert (resolution.kind, resolution.location) == ("check_digits", SHELF)
        assert resolution.message == "location A-01-02-3 (check digits)"

    def test_check_digits_of_another_location_do_not_confirm(
        self, catalog: FakeScanCatalog
    ) -> None:
        resolution = resolve_scan(normalize_scan("38"), catalog, expected_location=SHELF)
        assert resolution.kind == "unknown"

    def test_check_digits_mean_nothing_without_an_expected_location(
        self, catalog: FakeScanCatalog
    ) -> None:
        assert resolve_scan(normalize_scan("93"), catalog).kind == "unknown"

    @pytest.mark.parametrize("raw", ["A-01-02-3", "LOC0001\r\n"])
    def test_location_by_code_or_barcode(self, raw: str, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan(raw), catalog, expected_location=DOCK)
        assert (resolution.kind, resolution.location) == ("location", SHELF)
        assert resolution.message == "location A-01-02-3"
        assert resolution.gs1 is None

    def test_lpn_by_code(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan("LPN000007"), catalog)
        assert (resolution.kind, resolution.lpn) == ("lpn", PALLET)

    @pytest.mark.parametrize("raw", ["ABC-1", "ALIAS-9"])
    def test_item_by_sku_or_alias(self, raw: str, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan(raw), catalog)
        assert (resolution.kind, resolution.item) == ("item", EACH)

    def test_valid_gtin8_that_is_really_a_sku(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan("96385074"), catalog)
        assert resolution.kind == "item"
        assert resolution.item is not None and resolution.item.sku == "SHORT-8"

    def test_unknown_is_an_answer_not_an_error(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan("XYZ"), catalog)
        assert (resolution.kind, resolution.message) == ("unknown", "unknown barcode 'XYZ'")

    def test_unknown_message_shows_markup_literally_and_gs_visibly(
        self, catalog: FakeScanCatalog
    ) -> None:
        assert resolve_scan(normalize_scan("[bold]x[/bold]"), catalog).message == (
            "unknown barcode '[bold]x[/bold]'"
        )
        resolution = resolve_scan(normalize_scan("10AB" + GS + "99X"), catalog)
        assert resolution.message == "unknown barcode '10AB<GS>99X'"

    def test_malformed_gs1_is_refused(self, catalog: FakeScanCatalog) -> None:
        with pytest.raises(ScanRejected, match="check digit"):
            resolve_scan(normalize_scan("]C10109501101530004"), catalog)


class TestScanExplanation:
    def test_explains_a_case_label(self, catalog: FakeScanCatalog) -> None:
        explanation = scan_explanation(f"]C1{CASE_LABEL}{GS}21SN-7\r\n", catalog)
        json.dumps(explanation)
        assert explanation["raw"] == f"]C1{CASE_LABEL}<GS>21SN-7\\x0d\\x0a"
        assert explanation["text"] == f"{CASE_LABEL}<GS>21SN-7"
        assert explanation["symbology"] == "]C1"
        assert explanation["gs1"] is True
        assert explanation["gs1_data"] == {
            "gtin": GTIN14,
            "lot": "AB-123",
            "expiry": "2014-07-04",
            "serial": "SN-7",
            "sscc": None,
            "quantity": None,
            "content_gtin": None,
            "fields": {"01": GTIN14, "17": "140704", "10": "AB-123", "21": "SN-7"},
            "weights": {},
        }
        assert explanation["check_digits"] == [f"(01) GTIN {GTIN14}: check digit 3 is right"]
        assert explanation["resolution"] == {
            "kind": "item",
            "message": "item ABC-1 (CS x12)",
            "item": "ABC-1",
            "unit": "CS",
            "factor": 12,
            "location": None,
            "lpn": None,
        }

    def test_explains_a_refusal_without_raising(self) -> None:
        explanation = scan_explanation("AB\x1b[2J")
        json.dumps(explanation)
        assert explanation["accepted"] is False
        assert explanation["raw"] == "AB\\x1b[2J"
        assert explanation["rejection"] == "scan has a control character (0x1B) at position 3"

    def test_explains_a_bad_check_digit(self) -> None:
        explanation = scan_explanation("(01)09501101530004")
        assert explanation["accepted"] is True
        assert "check digit" in str(explanation["gs1_error"])
        assert explanation["check_digits"] == [
            "(01) GTIN 09501101530004: check digit 4 is wrong, expected 3"
        ]

    def test_huge_raw_is_shown_truncated(self) -> None:
        explanation = scan_explanation("A" * 10_240)
        assert explanation["raw_length"] == 10_240
        assert str(explanation["raw"]).endswith(f"...(+{10_240 - DEFAULT_MAX_SCAN_LENGTH})")
        assert "limit is 256" in str(explanation["rejection"])

    def test_without_catalog_there_is_no_resolution(self) -> None:
        assert scan_explanation("A-01-02-3")["resolution"] is None


class TestWeightAis:
    """310n/320n net and 330n/340n gross weights: n digits after the implied decimal point."""

    @pytest.mark.parametrize(("ai", "digits", "weight"), [
        ("3103", "001234", Weight(Decimal("1.234"), "kg", "net")),
        ("3100", "001234", Weight(Decimal("1234"), "kg", "net")),
        ("3105", "001234", Weight(Decimal("0.01234"), "kg", "net")),
        ("3202", "002720", Weight(Decimal("27.20"), "lb", "net")),
        ("3303", "001500", Weight(Decimal("1.500"), "kg", "gross")),
        ("3401", "012345", Weight(Decimal("1234.5"), "lb", "gross")),
    ])
    def test_the_implied_decimal_is_placed(self, ai: str, digits: str, weight: Weight) -> None:
        data = parse_gs1(f"]C101{GTIN14}{ai}{digits}")
        assert data is not None
        assert data.fields[ai] == digits
        assert data.weights == {ai: weight}
        assert data.weight == weight

    @pytest.mark.parametrize("raw", [
        f"(01){GTIN14}(3103)001234",
        f"01{GTIN14}3103001234",
        f"]C13103001234{GS}01{GTIN14}",
        f"https://id.gs1.org/01/{GTIN14}?3103=001234",
    ])
    def test_every_form_of_gs1_data_gives_the_weight(self, raw: str) -> None:
        data = parse_gs1(raw)
        assert data is not None and data.weight == Weight(Decimal("1.234"), "kg", "net")

    def test_net_and_gross_on_one_label(self) -> None:
        data = parse_gs1(f"]C101{GTIN14}3303001500{GS}3103001234")
        assert data is not None
        assert data.net_weight == Weight(Decimal("1.234"), "kg", "net")
        assert data.gross_weight == Weight(Decimal("1.500"), "kg", "gross")
        assert data.weight == data.net_weight

    def test_a_logistic_label_with_only_the_gross_weight(self) -> None:
        data = parse_gs1(f"]C100{SSCC}02{GTIN14}3712{GS}3402000150")
        assert data is not None and data.net_weight is None
        assert data.weight == data.gross_weight == Weight(Decimal("1.50"), "lb", "gross")

    def test_kg_and_lb_of_the_same_weight_may_stand_together(self) -> None:
        data = parse_gs1(f"]C101{GTIN14}3103001234{GS}3202000272")
        assert data is not None and set(data.weights) == {"3103", "3202"}
        assert data.weight == Weight(Decimal("1.234"), "kg", "net")

    def test_one_weight_in_two_precisions_is_refused(self) -> None:
        with pytest.raises(ScanRejected, match=r"AI \(3103\) and \(3102\) both give the net"):
            parse_gs1(f"]C101{GTIN14}3103001234{GS}3102000123")

    @pytest.mark.parametrize("raw", [
        f"]C101{GTIN14}310300123", f"]C101{GTIN14}3103ABCDEF", f"]C101{GTIN14}3106001234",
        f"(01){GTIN14}(3103)00123\uff14",
    ])
    def test_a_malformed_weight_is_refused(self, raw: str) -> None:
        with pytest.raises(ScanRejected, match="GS1 barcode not readable"):
            parse_gs1(raw)

    def test_no_weight_ai_no_weight(self) -> None:
        data = parse_gs1(f"]C101{GTIN14}3560001234")
        assert data is not None and data.weights == {} and data.weight is None

    def test_the_resolution_carries_the_weight(self, catalog: FakeScanCatalog) -> None:
        resolution = resolve_scan(normalize_scan(f"]C101{GTIN14}3103001234"), catalog)
        assert resolution.kind == "item" and resolution.item == CASE
        assert resolution.weight == Weight(Decimal("1.234"), "kg", "net")

    def test_the_explanation_shows_the_raw_digits_and_the_weight(self) -> None:
        explanation = scan_explanation(f"(01){GTIN14}(3103)001234(3303)001500")
        json.dumps(explanation)
        gs1_data = explanation["gs1_data"]
        assert isinstance(gs1_data, dict)
        assert gs1_data["fields"] == {"01": GTIN14, "3103": "001234", "3303": "001500"}
        assert gs1_data["weights"] == {
            "3103": {"value": "1.234", "unit": "kg", "basis": "net"},
            "3303": {"value": "1.500", "unit": "kg", "basis": "gross"},
        }
