"""Labels: the data each barcode carries, and every rendered barcode decoded back with zxing-cpp."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from tests.label_tools import (
    FakePrinter,
    bars_of,
    closed_port,
    decode,
    gs1_read,
    zpl_codewords,
    zpl_fields,
)
from wms_tui.domain.checkdigits import is_valid_sscc, make_sscc, normalize_gtin
from wms_tui.domain.errors import BadInput
from wms_tui.domain.labels import (
    FNC1,
    MAX_GS1_128_CHARACTERS,
    ItemLabel,
    Label,
    LocationLabel,
    LogisticLabel,
    Symbology,
    company_prefix,
    next_sscc,
)
from wms_tui.domain.scan import GS, Gs1Data, parse_gs1
from wms_tui.labels import pdf, render, zpl

SVG = "{http://www.w3.org/2000/svg}"
SSCC = make_sscc("0614141", 123456789)  # 006141411234567890
LOCATION = LocationLabel("A-01-01-1", "A-01-01-1", "42")
ITEM_EAN = ItemLabel("WIDGET", "Blue widget", "EA", 1, "9501101530003")
ITEM_GTIN14 = ItemLabel("WIDGET", "Blue widget", "CS", 12, "19501101530000")
ITEM_SKU = ItemLabel("BOLT", "Bolt M8", "EA")
PALLET = LogisticLabel(
    SSCC, content_gtin="09501101530003", count=12, lot="LOT-A1", expiry=date(2026, 12, 31),
    sku="WIDGET", description="Blue widget",
)

# Content fields that need an FNC1 between them inside one symbol: (37) is variable length.
LONG_COUNT = LogisticLabel(SSCC, content_gtin="09501101530003", count=12345678,
                           expiry=date(2026, 12, 31))


# What the labels carry.


def test_location_label_is_code128_of_the_barcode_with_check_digits_in_text() -> None:
    (symbol,) = LOCATION.symbols
    assert symbol.symbology is Symbology.CODE128
    assert symbol.data == "A-01-01-1"
    assert LOCATION.heading == "A-01-01-1"
    assert LOCATION.lines == ("check digits 42",)


@pytest.mark.parametrize(
    ("label", "symbology", "data"),
    [
        (ITEM_EAN, Symbology.EAN13, "9501101530003"),
        (ITEM_GTIN14, Symbology.CODE128, "19501101530000"),
        (ITEM_SKU, Symbology.CODE128, "BOLT"),
    ],
)
def test_item_label_symbology_follows_the_gtin(
    label: ItemLabel, symbology: Symbology, data: str
) -> None:
    (symbol,) = label.symbols
    assert (symbol.symbology, symbol.data) == (symbology, data)


def test_item_label_refuses_a_gtin_with_a_wrong_check_digit() -> None:
    with pytest.raises(BadInput, match="check digit"):
        ItemLabel("WIDGET", gtin="9501101530004")


def test_pallet_label_puts_the_sscc_alone_in_the_lowest_symbol_and_content_above() -> None:
    assert PALLET.hri == f"(00){SSCC}(02)09501101530003(37)12(17)261231(10)LOT-A1"
    # GS1 logistic labels: the SSCC is the lowest barcode; the content fills the symbols above,
    # as many fields per symbol as a 4 inch label holds at X = 0.495 mm.
    assert [symbol.data for symbol in PALLET.symbols] == [
        "02095011015300033712", "17261231", "10LOT-A1", f"00{SSCC}",
    ]
    for symbol in PALLET.symbols:
        assert symbol.symbology is Symbology.GS1_128
        assert len(symbol.data) <= MAX_GS1_128_CHARACTERS
        assert not symbol.data.endswith(FNC1)
        # The parenthesised text under a symbol is exactly what it encodes.
        assert "".join(symbol.text) in PALLET.hri


def test_a_variable_length_field_inside_a_symbol_is_ended_by_fnc1() -> None:
    assert [symbol.data for symbol in LONG_COUNT.symbols] == [
        "0209501101530003", f"3712345678{FNC1}17261231", f"00{SSCC}",
    ]
    assert LONG_COUNT.symbols[1].scanned == f"3712345678{GS}17261231"


def test_an_sscc_only_label_is_one_symbol() -> None:
    label = LogisticLabel(SSCC)
    assert [s.data for s in label.symbols] == [f"00{SSCC}"]
    assert label.hri == f"(00){SSCC}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sscc": "006141411234567891"}, "check digit"),
        ({"sscc": SSCC, "count": 3}, "both the content GTIN"),
        ({"sscc": SSCC, "content_gtin": "09501101530003"}, "both the content GTIN"),
        ({"sscc": SSCC, "content_gtin": "09501101530003", "count": 0}, "count must be"),
        ({"sscc": SSCC, "lot": "L1"}, "need the content GTIN"),
        ({"sscc": SSCC, "expiry": date(2030, 1, 1)}, "need the content GTIN"),
        ({"sscc": SSCC, "content_gtin": "09501101530003", "count": 1, "lot": "A" * 21}, "1 to 20"),
        ({"sscc": SSCC, "content_gtin": "09501101530003", "count": 1, "lot": "L 1"}, "not allow"),
        ({"sscc": SSCC, "content_gtin": "09501101530003", "count": 1, "lot": "Lé"}, "not allow"),
    ],
)
def test_pallet_label_refuses_what_gs1_does_not_allow(kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(BadInput, match=message):
        LogisticLabel(**kwargs)


def test_next_sscc_follows_the_highest_serial_of_this_prefix_only() -> None:
    wrong_check = make_sscc("0614141", 99)[:-1] + str((int(make_sscc("0614141", 99)[-1]) + 1) % 10)
    issued = [make_sscc("0614141", 7), make_sscc("0614141", 41), make_sscc("0999999", 900),
              wrong_check, "not-an-sscc"]
    sscc = next_sscc("0614141", issued)
    assert sscc == make_sscc("0614141", 42)
    assert is_valid_sscc(sscc)
    assert next_sscc("0614141", []) == make_sscc("0614141", 1)


def test_next_sscc_says_when_the_prefix_is_used_up() -> None:
    last = make_sscc("061414112345", 9999)
    with pytest.raises(BadInput, match="used"):
        next_sscc("061414112345", [last])


@pytest.mark.parametrize("bad", ["", "123", "1234567890123", "06141A1", "０６１４１４１"])
def test_company_prefix_must_be_4_to_12_ascii_digits(bad: str) -> None:
    with pytest.raises(BadInput, match="company prefix"):
        company_prefix(bad)


# PNG: decoded by zxing-cpp back to the same data.


def test_location_png_decodes_to_the_location_barcode() -> None:
    assert decode(render.label_png(LOCATION)) == [("Code128", "A-01-01-1")]


def test_item_png_by_sku_decodes_to_the_sku() -> None:
    assert decode(render.label_png(ITEM_SKU)) == [("Code128", "BOLT")]


def test_item_png_ean13_decodes_to_the_gtin() -> None:
    ((kind, data),) = decode(render.label_png(ITEM_EAN))
    assert kind == "EAN13"
    assert normalize_gtin(data) == "09501101530003"
    assert parse_gs1(data) == Gs1Data(gtin="09501101530003")


def test_item_png_gtin14_decodes_to_the_gtin14() -> None:
    ((kind, data),) = decode(render.label_png(ITEM_GTIN14))
    assert (kind, data) == ("Code128", "19501101530000")
    assert parse_gs1(data) == Gs1Data(gtin="19501101530000")


def assert_pallet_round_trips(label: LogisticLabel, scans: list[str]) -> None:
    assert len(scans) == len(label.symbols)
    # A symbol that starts with neither (00) nor (02) is GS1 by its AIM identifier ]C1.
    read = gs1_read([s if s.startswith(("]C1", "00", "02")) else f"]C1{s}" for s in scans])
    assert read.sscc == label.sscc
    assert read.content_gtin == label.content_gtin
    assert read.quantity == label.count
    assert read.lot == label.lot
    if label.expiry is not None:
        assert read.fields[label.expiry_ai] == label.expiry.strftime("%y%m%d")


def test_pallet_png_decodes_to_sscc_content_count_lot_and_expiry() -> None:
    found = decode(render.label_png(PALLET))
    assert {kind for kind, _ in found} == {"Code128"}
    assert_pallet_round_trips(PALLET, [data for _, data in found])
    assert gs1_read([f"]C1{data}" for _, data in found]).expiry == date(2026, 12, 31)


def test_pallet_png_with_fnc1_inside_one_symbol_decodes_to_gs() -> None:
    found = [data for _, data in decode(render.label_png(LONG_COUNT))]
    assert f"3712345678{GS}17261231" in found
    assert_pallet_round_trips(LONG_COUNT, found)
    # A scanner set to send the AIM identifier gives the same fields.
    assert_pallet_round_trips(LONG_COUNT, [f"]C1{data}" for data in found])


def test_pallet_png_with_long_fields_spreads_them_over_symbols_that_all_decode() -> None:
    label = LogisticLabel(
        SSCC, content_gtin="19501101530000", count=12345678, lot="ABCDEFGHIJ-012345678",
        expiry=date(2027, 2, 28), expiry_ai="15",
    )
    assert len(label.symbols) == 4
    assert label.symbols[-1].data == f"00{SSCC}"
    found = decode(render.label_png(label))
    # Symbols that do not start with (00), (01) or (02) are GS1 by their AIM identifier.
    assert_pallet_round_trips(label, [f"]C1{data}" for _, data in found])


def test_sscc_only_pallet_png_decodes_to_the_sscc() -> None:
    label = LogisticLabel(SSCC)
    ((_, data),) = decode(render.label_png(label))
    assert gs1_read([data]).sscc == SSCC


# SVG and PDF.


@pytest.mark.parametrize("label", [LOCATION, ITEM_EAN, ITEM_SKU, PALLET], ids=lambda x: x.name)
def test_svg_is_xml_with_the_human_readable_text(label: Label) -> None:
    root = ET.fromstring(render.label_svg(label).encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    texts = [element.text or "" for element in root.iter(f"{SVG}text")]
    assert label.heading in texts
    for line in label.lines:
        assert line in texts
    nested = [child for child in root if child.tag == f"{SVG}svg"]
    assert len(nested) == len(label.symbols)
    for symbol in label.symbols:
        if symbol.symbology is not Symbology.EAN13:
            for line in symbol.text:
                assert line in texts


def test_svg_of_a_pallet_shows_the_parenthesised_gs1_text() -> None:
    svg = render.label_svg(PALLET)
    assert f"(00){SSCC}" in svg
    assert "(10)LOT-A1" in svg


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize(
    ("labels", "pages"),
    [
        ([LOCATION] * 10, 1),
        ([LOCATION] * 11, 2),
        ([ITEM_EAN, ITEM_SKU] * 9 + [ITEM_GTIN14], 2),
        # Logistic labels are never scaled into a grid cell: a page of their own size each.
        ([PALLET] * 4, 4),
    ],
)
def test_pdf_sheet_has_one_page_per_grid_of_labels(labels: list[Label], pages: int) -> None:
    sheet = pdf.labels_pdf(labels)
    assert sheet.startswith(b"%PDF")
    assert pdf_pages(sheet) == pages
    # Barcodes are vector graphics: the PDF holds no raster image.
    assert re.findall(rb"/Subtype\s*/Image", sheet) == []


def test_pdf_of_no_labels_is_refused() -> None:
    with pytest.raises(BadInput):
        pdf.labels_pdf([])


# ZPL: structure, and the ^BC field data decoded back through real bars.


def test_zpl_has_one_format_per_label_and_utf8_text() -> None:
    text = zpl.labels_zpl([LOCATION, ITEM_EAN, PALLET])
    formats = re.findall(r"\^XA.*?\^XZ", text, flags=re.DOTALL)
    assert len(formats) == 3
    assert text.count("^XA") == text.count("^XZ") == 3
    for block in formats:
        assert "^CI28" in block
        assert "^PW" in block and "^LL" in block


def test_zpl_location_is_code128_that_decodes_to_the_barcode() -> None:
    text = zpl.label_zpl(LOCATION)
    (field,) = zpl_fields(text, "BC")
    assert field.startswith(">:")
    assert decode(bars_of(zpl_codewords(field))) == [("Code128", "A-01-01-1")]
    assert "^FDA-01-01-1^FS" in text
    assert "^FDcheck digits 42^FS" in text


def test_zpl_item_ean13_gives_the_printer_12_digits() -> None:
    text = zpl.label_zpl(ITEM_EAN)
    assert "^BC" not in text
    (field,) = zpl_fields(text, "BE")
    assert field == "950110153000"


def test_zpl_gtin14_item_decodes_to_the_gtin14() -> None:
    (field,) = zpl_fields(zpl.label_zpl(ITEM_GTIN14), "BC")
    assert field.startswith(">;")
    assert decode(bars_of(zpl_codewords(field))) == [("Code128", "19501101530000")]


def test_zpl_gs1_128_starts_with_fnc1_and_separates_with_fnc1() -> None:
    zpl_text = zpl.label_zpl(LONG_COUNT)
    gtin, count_and_expiry, sscc = zpl_fields(zpl_text, "BC")
    assert all(field.startswith(">;>8") for field in (gtin, count_and_expiry, sscc))
    assert count_and_expiry.count(">8") == 2
    found = decode(bars_of(zpl_codewords(count_and_expiry)))
    assert found == [("Code128", f"3712345678{GS}17261231")]
    scans = [data for field in (gtin, count_and_expiry, sscc)
             for _, data in decode(bars_of(zpl_codewords(field)))]
    assert_pallet_round_trips(LONG_COUNT, scans)
    assert "^FD(37)12345678(17)261231^FS" in zpl_text
    assert f"^FD(00){SSCC}^FS" in zpl_text


def test_zpl_pallet_symbols_all_decode_to_the_label_fields() -> None:
    fields = zpl_fields(zpl.label_zpl(PALLET), "BC")
    assert len(fields) == len(PALLET.symbols)
    scans = [data for field in fields for _, data in decode(bars_of(zpl_codewords(field)))]
    assert_pallet_round_trips(PALLET, scans)


def test_zpl_text_escapes_command_characters() -> None:
    label = ItemLabel("BOLT", "M8 ^XZ ~JA under_score", "EA")
    text = zpl.label_zpl(label)
    assert "^FH_^FDM8 _5EXZ _7EJA under_5Fscore^FS" in text
    assert text.count("^XZ") == 1


def test_zpl_refuses_barcode_data_it_cannot_write() -> None:
    with pytest.raises(BadInput, match="ZPL"):
        zpl.label_zpl(LocationLabel("A>1", "A>1", "00"))


# Sending to a printer.


def test_send_to_printer_delivers_the_exact_bytes() -> None:
    printer = FakePrinter()
    text = zpl.labels_zpl([LOCATION, PALLET, ItemLabel("MILCH", "Milch 1 l, Größe ½", "EA")])
    sent = zpl.send_to_printer(text, f"127.0.0.1:{printer.port}", timeout=5)
    assert printer.close() == text.encode("utf-8")
    assert sent == len(text.encode("utf-8"))


def test_unreachable_printer_is_a_clear_error() -> None:
    port = closed_port()
    with pytest.raises(zpl.PrinterError, match=rf"printer 127\.0\.0\.1:{port} unreachable"):
        zpl.send_to_printer("^XA^XZ", f"127.0.0.1:{port}", timeout=5)


@pytest.mark.parametrize("bad", ["", ":9100", "host:", "host:port", "host:70000"])
def test_printer_address_must_be_host_and_port(bad: str) -> None:
    with pytest.raises(BadInput, match="HOST:PORT"):
        zpl.send_to_printer("^XA^XZ", bad)
