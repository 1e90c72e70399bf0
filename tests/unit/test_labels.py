"""Labels: the data each barcode carries, and every rendered barcode decoded back with zxing-cpp."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from barcode.charsets import code128
from barcode.writer import ImageWriter
from PIL import Image

from tests.label_tools import FakePrinter, closed_port, decode, gs1_read
from wms_tui.domain.checkdigits import is_valid_sscc, make_sscc, normalize_gtin
from wms_tui.domain.errors import BadInput
from wms_tui.domain.labels import (
    FNC1,
    MAX_GS1_128_CHARACTERS,
    ItemLabel,
    Label,
    LocationLabel,
    PalletLabel,
    Symbology,
    company_prefix,
    next_sscc,
)
from wms_tui.domain.scan import GS, Gs1Data, parse_gs1
from wms_tui.labels import render

SVG = "{http://www.w3.org/2000/svg}"
SSCC = make_sscc("0614141", 123456789)  # 006141411234567890
LOCATION = LocationLabel("A-01-01-1", "A-01-01-1", "42")
ITEM_EAN = ItemLabel("WIDGET", "Blue widget", "EA", 1, "9501101530003")
ITEM_GTIN14 = ItemLabel("WIDGET", "Blue widget", "CS", 12, "19501101530000")
ITEM_SKU = ItemLabel("BOLT", "Bolt M8", "EA")
PALLET = PalletLabel(
    SSCC, content_gtin="09501101530003", count=12, lot="LOT-A1", expiry=date(2026, 12, 31),
    sku="WIDGET", description="Blue widget",
)


# Decoding helpers: zxing-cpp reads the pixels; nothing here trusts the renderer.
# TextMode.Plain gives a GS1-128 symbol's raw element string, as a scanner sends it: the leading
# FNC1 is left out (zxing-cpp reports it as the symbology identifier ]C1) and every later FNC1 is
# a GS. The default, TextMode.HRI, would give "(00)…(02)…" instead.





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


def test_pallet_label_orders_fixed_fields_first_and_separates_variable_ones_with_fnc1() -> None:
    assert PALLET.hri == f"(00){SSCC}(02)09501101530003(17)261231(37)12(10)LOT-A1"
    # Over 48 characters in all: the SSCC and the content get a symbol each.
    assert [symbol.data for symbol in PALLET.symbols] == [
        f"00{SSCC}", f"0209501101530003172612313712{FNC1}10LOT-A1",
    ]
    for symbol in PALLET.symbols:
        assert symbol.symbology is Symbology.GS1_128
        assert len(symbol.data) <= MAX_GS1_128_CHARACTERS
        assert not symbol.data.endswith(FNC1)
        # The parenthesised text under a symbol is exactly what it encodes.
        assert "".join(symbol.text) in PALLET.hri


def test_pallet_fields_that_fit_in_48_characters_share_one_symbol_with_fnc1() -> None:
    label = PalletLabel(SSCC, content_gtin="09501101530003", count=5, lot="L1")
    (symbol,) = label.symbols
    assert symbol.data == f"00{SSCC}0209501101530003375{FNC1}10L1"
    assert symbol.scanned == f"00{SSCC}0209501101530003375{GS}10L1"


def test_an_sscc_only_label_is_one_symbol() -> None:
    label = PalletLabel(SSCC)
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
        PalletLabel(**kwargs)


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


def assert_pallet_round_trips(label: PalletLabel, scans: list[str]) -> None:
    assert len(scans) == len(label.symbols)
    read = gs1_read(scans)
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
    assert gs1_read([data for _, data in found]).expiry == date(2026, 12, 31)


def test_pallet_png_with_fnc1_inside_one_symbol_decodes_to_gs() -> None:
    label = PalletLabel(SSCC, content_gtin="09501101530003", count=5, lot="L1")
    ((_, data),) = decode(render.label_png(label))
    assert data == f"00{SSCC}0209501101530003375{GS}10L1"
    assert_pallet_round_trips(label, [data])
    # A scanner set to send the AIM identifier gives the same fields.
    assert_pallet_round_trips(label, [f"]C1{data}"])


def test_pallet_png_with_long_fields_spreads_them_over_symbols_that_all_decode() -> None:
    label = PalletLabel(
        SSCC, content_gtin="19501101530000", count=12345678, lot="ABCDEFGHIJ-012345678",
        expiry=date(2027, 2, 28), expiry_ai="15",
    )
    assert len(label.symbols) == 3
    assert all(symbol.data.startswith("0219501101530000") for symbol in label.symbols[1:])
    found = decode(render.label_png(label))
    assert_pallet_round_trips(label, [data for _, data in found])


def test_sscc_only_pallet_png_decodes_to_the_sscc() -> None:
    label = PalletLabel(SSCC)
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
        ([PALLET] * 4, 1),
        ([PALLET] * 5, 2),
    ],
)
def test_pdf_sheet_has_one_page_per_grid_of_labels(labels: list[Label], pages: int) -> None:
    pdf = render.labels_pdf(labels)
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) == pages
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= 1


def test_pdf_of_no_labels_is_refused() -> None:
    with pytest.raises(BadInput):
        render.labels_pdf([])


# ZPL: structure, and the ^BC field data decoded back through real bars.

# Zebra's ^BC mode N invocation codes, written out here independently of the renderer.
ZPL_STARTS = {">9": ("A", 103), ">:": ("B", 104), ">;": ("C", 105)}
ZPL_CODES = {">5": 99, ">6": 100, ">7": 101, ">8": 102}


def zpl_codewords(field: str) -> list[int]:
    """Code 128 values that a Zebra printer prints for ^BC mode N field data."""
    subset, start = ZPL_STARTS[field[:2]]
    values, position = [start], 2
    while position < len(field):
        if field[position] == ">":
            value = ZPL_CODES[field[position : position + 2]]
            values.append(value)
            position += 2
            switch = {"A": {99: "C", 100: "B"}, "B": {99: "C", 101: "A"},
                      "C": {100: "B", 101: "A"}}[subset]
            subset = switch.get(value, subset)
        elif subset == "C":
            values.append(int(field[position : position + 2]))
            position += 2
        else:
            values.append(ord(field[position]) - 32)
            position += 1
    return values


def bars_of(values: list[int]) -> Image.Image:
    """Draw the Code 128 symbol for these values (with its mod-103 check) and return the image."""
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    modules = "".join(code128.CODES[v] for v in [*values, check]) + code128.STOP + "11"
    writer = ImageWriter(dpi=300)
    writer.set_options({"module_width": 0.33, "module_height": 15.0, "quiet_zone": 6.5,
                        "text": ""})
    image: Image.Image = writer.render([modules])
    return image


def zpl_fields(zpl: str, command: str) -> list[str]:
    return re.findall(rf"\^{command}[^\^]*\^FD([^\^]*)\^FS", zpl)


def test_zpl_has_one_format_per_label_and_utf8_text() -> None:
    zpl = render.labels_zpl([LOCATION, ITEM_EAN, PALLET])
    formats = re.findall(r"\^XA.*?\^XZ", zpl, flags=re.DOTALL)
    assert len(formats) == 3
    assert zpl.count("^XA") == zpl.count("^XZ") == 3
    for block in formats:
        assert "^CI28" in block
        assert "^PW" in block and "^LL" in block


def test_zpl_location_is_code128_that_decodes_to_the_barcode() -> None:
    zpl = render.label_zpl(LOCATION)
    (field,) = zpl_fields(zpl, "BC")
    assert field.startswith(">:")
    assert decode(bars_of(zpl_codewords(field))) == [("Code128", "A-01-01-1")]
    assert "^FDA-01-01-1^FS" in zpl
    assert "^FDcheck digits 42^FS" in zpl


def test_zpl_item_ean13_gives_the_printer_12_digits() -> None:
    zpl = render.label_zpl(ITEM_EAN)
    assert "^BC" not in zpl
    (field,) = zpl_fields(zpl, "BE")
    assert field == "950110153000"


def test_zpl_gtin14_item_decodes_to_the_gtin14() -> None:
    (field,) = zpl_fields(render.label_zpl(ITEM_GTIN14), "BC")
    assert field.startswith(">;")
    assert decode(bars_of(zpl_codewords(field))) == [("Code128", "19501101530000")]


def test_zpl_gs1_128_starts_with_fnc1_and_separates_with_fnc1() -> None:
    label = PalletLabel(SSCC, content_gtin="09501101530003", count=5, lot="L1")
    zpl = render.label_zpl(label)
    (field,) = zpl_fields(zpl, "BC")
    assert field.startswith(">;>8")
    assert field.count(">8") == 2
    found = decode(bars_of(zpl_codewords(field)))
    assert found == [("Code128", f"00{SSCC}0209501101530003375{GS}10L1")]
    assert_pallet_round_trips(label, [data for _, data in found])
    assert f"^FD(00){SSCC}(02)09501101530003^FS" in zpl


def test_zpl_pallet_symbols_all_decode_to_the_label_fields() -> None:
    fields = zpl_fields(render.label_zpl(PALLET), "BC")
    assert len(fields) == len(PALLET.symbols)
    scans = [data for field in fields for _, data in decode(bars_of(zpl_codewords(field)))]
    assert_pallet_round_trips(PALLET, scans)


def test_zpl_text_escapes_command_characters() -> None:
    label = ItemLabel("BOLT", "M8 ^XZ ~JA under_score", "EA")
    zpl = render.label_zpl(label)
    assert "^FH_^FDM8 _5EXZ _7EJA under_5Fscore^FS" in zpl
    assert zpl.count("^XZ") == 1


def test_zpl_refuses_barcode_data_it_cannot_write() -> None:
    with pytest.raises(BadInput, match="ZPL"):
        render.label_zpl(LocationLabel("A>1", "A>1", "00"))


# Sending to a printer.


def test_send_to_printer_delivers_the_exact_bytes() -> None:
    printer = FakePrinter()
    zpl = render.labels_zpl([LOCATION, PALLET, ItemLabel("MILCH", "Milch 1 l, Größe ½", "EA")])
    sent = render.send_to_printer(zpl, f"127.0.0.1:{printer.port}", timeout=5)
    assert printer.close() == zpl.encode("utf-8")
    assert sent == len(zpl.encode("utf-8"))


def test_unreachable_printer_is_a_clear_error() -> None:
    port = closed_port()
    with pytest.raises(render.PrinterError, match=rf"printer 127\.0\.0\.1:{port} unreachable"):
        render.send_to_printer("^XA^XZ", f"127.0.0.1:{port}", timeout=5)


@pytest.mark.parametrize("bad", ["", ":9100", "host:", "host:port", "host:70000"])
def test_printer_address_must_be_host_and_port(bad: str) -> None:
    with pytest.raises(BadInput, match="HOST:PORT"):
        render.send_to_printer("^XA^XZ", bad)
