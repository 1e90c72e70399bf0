"""GS1 logistic (carton and pallet) labels measured on what is rendered, Chinese on labels, and
vector barcodes in PDFs.

The GS1 rules checked: the SSCC barcode is the lowest, the narrowest bar is at least 0.495 mm
and the bars at least 32 mm high. Nothing here trusts the renderer's own numbers: PNGs are
decoded and measured in pixels, PDFs are read back from their drawing operators.
"""

from __future__ import annotations

import io
import random
import re
from datetime import date
from decimal import Decimal

import pytest
from barcode.codex import Gs1_128
from PIL import Image, ImageChops, ImageDraw, ImageFont

from tests.label_tools import (
    bars_of,
    decode,
    gs1_read,
    measure_bars,
    pdf_page_images,
    pdf_pages,
    pdf_text_strings,
    read_symbols,
    zpl_codewords,
    zpl_fields,
)
from wms_tui.domain.checkdigits import make_sscc
from wms_tui.domain.errors import BadInput
from wms_tui.domain.labels import (
    FNC1,
    ItemLabel,
    LabelContent,
    LocationLabel,
    LogisticLabel,
    gs1_128_symbol_characters,
    weight_element,
)
from wms_tui.labels import fonts, pdf, render, zpl

MM_PER_INCH = 25.4
POINTS_PER_MM = 72 / MM_PER_INCH
MIN_X_MM = 0.495
MIN_HEIGHT_MM = 32.0
SSCC = make_sscc("0614141", 123456789)
CHINESE = "蓝色小部件 250g"
CARTON = LogisticLabel(
    SSCC, content_gtin="09501101530003", count=12, lot="LOT-A1", expiry=date(2026, 12, 31),
    sku="WIDGET", description=CHINESE, unit="carton",
    ship_from=("Acme DC", "88 Harbour Rd, Shanghai"), ship_to=("Retail Co", "1 Main St, Suzhou"),
    gross_weight_kg=Decimal("12.5"),
)


def assert_carton_fields(scans: list[str]) -> None:
    read = gs1_read(scans)
    assert (read.sscc, read.content_gtin, read.quantity, read.lot, read.expiry) == (
        SSCC, "09501101530003", 12, "LOT-A1", date(2026, 12, 31))
    assert read.fields["3301"] == "000125"


# What the label carries.


def test_carton_label_has_ship_from_ship_to_and_content_blocks() -> None:
    assert CARTON.kind == "carton"
    assert CARTON.lines[:4] == (
        "From: Acme DC", "      88 Harbour Rd, Shanghai", "To: Retail Co", "    1 Main St, Suzhou")
    assert f"WIDGET {CHINESE}" in CARTON.lines
    assert {"count 12", "lot LOT-A1", "expiry 2026-12-31", "gross weight 12.5 kg"} <= set(
        CARTON.lines)
    assert CARTON.symbols[-1].data == f"00{SSCC}"
    assert CARTON.symbols[-1].text == (f"(00){SSCC}",)


def test_a_mixed_carton_lists_its_contents_as_text_and_barcodes_only_sscc_and_weight() -> None:
    label = LogisticLabel(
        SSCC, unit="carton", ship_from=("A",), ship_to=("B",), gross_weight_kg=Decimal("3.25"),
        contents=(LabelContent("WIDGET", "Blue widget", 3, "EA"),
                  LabelContent("MILK", "Milk", 2, "EA", "L1", date(2031, 1, 31))),
    )
    assert "WIDGET Blue widget 3 EA" in label.lines
    assert "MILK Milk 2 EA lot L1 exp 2031-01-31" in label.lines
    assert [s.data for s in label.symbols] == ["3302000325", f"00{SSCC}"]


@pytest.mark.parametrize(
    ("kilograms", "element"),
    [("12.5", ("3301", "000125")), ("250", ("3300", "000250")), ("0.125", ("3303", "000125")),
     ("999999", ("3300", "999999")), ("12.50", ("3301", "000125"))],
)
def test_weight_is_330n_with_as_few_decimals_as_exact(kilograms: str, element: tuple[str, str]
                                                      ) -> None:
    assert weight_element(Decimal(kilograms)) == element


@pytest.mark.parametrize("kilograms", ["0", "-1", "1000000", "1.2345", "NaN"])
def test_a_weight_that_330n_cannot_carry_is_refused(kilograms: str) -> None:
    with pytest.raises(BadInput, match="weight"):
        weight_element(Decimal(kilograms))


def test_symbol_character_count_matches_what_python_barcode_encodes() -> None:
    """The grouping rule counts exactly what the PNG and ZPL print (random GS1-like data)."""
    rng = random.Random(16)
    alphabet = "0123456789" * 4 + "ABZ-./" + FNC1
    samples = [symbol.data for symbol in CARTON.symbols]
    for _ in range(3000):
        data = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))).strip(FNC1)
        if data:
            samples.append(data)
    for data in samples:
        assert gs1_128_symbol_characters(data) == len(Gs1_128(data).encoded) + 1, data


# PNG: decoded and measured.


def test_carton_png_meets_the_gs1_logistic_label_rules() -> None:
    png = render.label_png(CARTON)
    image = Image.open(io.BytesIO(png))
    dpi = round(image.info["dpi"][0])
    found = read_symbols(image)
    assert len(found) == len(CARTON.symbols) == 4
    assert all(symbol.identifier == "]C1" for symbol in found)
    assert_carton_fields([symbol.scanned for symbol in found])
    # The SSCC barcode is the lowest on the label.
    lowest = max(found, key=lambda symbol: symbol.top)
    assert lowest.text == f"00{SSCC}"
    assert all(symbol.bottom < lowest.top for symbol in found if symbol is not lowest)
    for symbol in found:
        bars = measure_bars(image, symbol)
        assert bars.narrowest * MM_PER_INCH / dpi >= MIN_X_MM, symbol.text
        assert bars.height * MM_PER_INCH / dpi >= MIN_HEIGHT_MM, symbol.text


def test_the_small_label_geometry_would_fail_the_logistic_rules() -> None:
    """The measurement can fail: a bin label's 0.33 mm, 15 mm bars are caught by it."""
    image = render.label_image(LocationLabel("A-01-01-1", "A-01-01-1", "42"))
    (symbol,) = read_symbols(image)
    bars = measure_bars(image, symbol)
    assert bars.narrowest * MM_PER_INCH / render.DPI < MIN_X_MM
    assert bars.height * MM_PER_INCH / render.DPI < MIN_HEIGHT_MM


# PDF: vector bars, measured from the drawing operators and decoded from a rasterised page.


def test_carton_pdf_draws_vector_bars_that_meet_the_gs1_rules_and_decode() -> None:
    sheet = pdf.labels_pdf([CARTON])
    assert re.findall(rb"/Subtype\s*/Image", sheet) == []
    (page,) = pdf_pages(sheet)
    bars = [rect for rect in page.rects if rect[4] < 0.5]
    assert len(bars) > 100
    # reportlab writes lengths to 5 decimals of a point.
    assert min(w for _, _, w, _, _ in bars) >= MIN_X_MM * POINTS_PER_MM - 1e-4
    assert min(h for _, _, _, h, _ in bars) >= MIN_HEIGHT_MM * POINTS_PER_MM - 1e-4
    (image,) = pdf_page_images(sheet, dpi=600)
    found = read_symbols(image)
    assert len(found) == 4
    assert_carton_fields([symbol.scanned for symbol in found])
    assert found[-1].text == f"00{SSCC}"


def test_location_sheet_pdf_decodes_from_its_vector_bars() -> None:
    labels = [LocationLabel(code, code, "00") for code in ("A-01-01-1", "A-01-01-2", "B-07-03-2")]
    sheet = pdf.labels_pdf(labels)
    assert re.findall(rb"/Subtype\s*/Image", sheet) == []
    (image,) = pdf_page_images(sheet)
    assert sorted(symbol.text for symbol in read_symbols(image)) == [
        "A-01-01-1", "A-01-01-2", "B-07-03-2"]


def test_item_pdf_ean13_decodes_from_its_vector_bars() -> None:
    sheet = pdf.labels_pdf([ItemLabel("WIDGET", "Blue widget", "EA", 1, "9501101530003")])
    (image,) = pdf_page_images(sheet)
    assert [(s.format, s.text) for s in read_symbols(image)] == [("EAN13", "9501101530003")]


# ZPL: the logistic geometry in dots.


@pytest.mark.parametrize(("dpi", "module", "height"), [(203, 4, 256), (300, 6, 378)])
def test_carton_zpl_modules_and_bar_height_meet_the_gs1_rules(dpi: int, module: int,
                                                              height: int) -> None:
    text = zpl.label_zpl(CARTON, zpl.ZplSettings(dpi=dpi))
    assert set(re.findall(r"\^BY(\d+)", text)) == {str(module)}
    assert module * MM_PER_INCH / dpi >= MIN_X_MM
    heights = {int(h) for h in re.findall(r"\^BCN,(\d+),", text)}
    assert heights == {height}
    assert height * MM_PER_INCH / dpi >= MIN_HEIGHT_MM
    fields = zpl_fields(text, "BC")
    # The last barcode drawn, so the lowest on the label, is the SSCC alone.
    assert fields[-1] == f">;>800{SSCC}"
    positions = [int(y) for y in re.findall(r"\^FO\d+,(\d+)\^BC", text)]
    assert positions == sorted(positions)
    scans = [f"]C1{data}" for field in fields for _, data in decode_zpl(field)]
    assert_carton_fields(scans)


def decode_zpl(field: str) -> list[tuple[str, str]]:
    return decode(bars_of(zpl_codewords(field)))


# Chinese.


def ink(char: str, font_path: str) -> Image.Image:
    image = Image.new("L", (120, 120), 255)
    ImageDraw.Draw(image).text((10, 10), char, font=ImageFont.truetype(font_path, 80), fill=0)
    return image


def test_chinese_on_png_is_drawn_in_glyphs_not_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """DejaVu (the old labels' only font) draws every CJK character as the same box."""
    cjk, latin = str(fonts.font_path_for(CHINESE)), str(fonts.LATIN_FONT_PATH)
    assert cjk != latin
    assert ImageChops.difference(ink("蓝", latin), ink("色", latin)).getbbox() is None
    assert ImageChops.difference(ink("蓝", cjk), ink("色", cjk)).getbbox() is not None
    # The label itself, against the same label drawn with the CJK font missing.
    label = ItemLabel("WIDGET", CHINESE, "EA")
    with_glyphs = render.label_image(label)
    monkeypatch.setattr(fonts, "font_path_for", lambda text: fonts.LATIN_FONT_PATH)
    with_boxes = render.label_image(label)
    assert with_glyphs.size == with_boxes.size or with_glyphs.width != with_boxes.width
    common = (0, 0, min(with_glyphs.width, with_boxes.width),
              min(with_glyphs.height, with_boxes.height))
    difference = ImageChops.difference(with_glyphs.crop(common).convert("L"),
                                       with_boxes.crop(common).convert("L")).getbbox()
    assert difference is not None
    # Only the Chinese line differs: the heading above it and the barcode below are the same.
    heading_bottom = render._px(render.MARGIN_MM) + round(render.HEADING_PT * render.DPI / 72)
    assert heading_bottom <= difference[1]


def test_chinese_on_pdf_uses_the_cid_font_with_the_unicode_text() -> None:
    sheet = pdf.labels_pdf([ItemLabel("WIDGET", CHINESE, "EA")])
    assert b"/BaseFont /STSong-Light" in sheet
    assert b"UniGB-UCS2-H" in sheet
    # The CID font takes UCS-2 codes (蓝 is U+84DD): the text is there to extract and search.
    assert CHINESE.encode("utf-16-be") in pdf_text_strings(sheet)


def test_latin_only_pdf_registers_no_cid_font() -> None:
    sheet = pdf.labels_pdf([ItemLabel("WIDGET", "Blue widget", "EA")])
    assert b"STSong-Light" not in sheet


def test_chinese_on_zpl_maps_a_cjk_font_and_names_it_in_the_field() -> None:
    text = zpl.label_zpl(CARTON)
    head = text.splitlines()[0]
    assert head.startswith("^XA^CI28")
    assert "^CW1,E:ANMDS.TTF" in head
    assert f"^A@N,40,40,E:ANMDS.TTF^FH_^FDWIDGET {CHINESE}^FS" in text
    # Latin lines stay in the printer's font 0.
    assert "^A0N,40,40^FH_^FDcount 12^FS" in text
    latin_only = zpl.label_zpl(ItemLabel("WIDGET", "Blue widget", "EA"))
    assert "^CW" not in latin_only and "^A@" not in latin_only


def test_zpl_cjk_font_and_resolution_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WMS_ZPL_CJK_FONT", "E:SIMSUN.TTF")
    monkeypatch.setenv("WMS_ZPL_DPI", "300")
    settings = zpl.ZplSettings.from_env()
    assert settings == zpl.ZplSettings(dpi=300, cjk_font="E:SIMSUN.TTF")
    assert f"^A@N,59,59,E:SIMSUN.TTF^FH_^FDWIDGET {CHINESE}^FS" in zpl.label_zpl(
        CARTON, settings)


@pytest.mark.parametrize(("dpi", "font", "message"), [
    (250, "E:ANMDS.TTF", "resolution"), (203, "SIMSUN", "CJK font"), (203, "E:A^B.TTF", "CJK font"),
])
def test_bad_zpl_settings_are_refused(dpi: int, font: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        zpl.ZplSettings(dpi=dpi, cjk_font=font)
