"""Labels as images: SVG and PNG via python-barcode, and the geometry every format shares.

The PDF sheet is in `pdf.py` and ZPL in `zpl.py`. Carton and pallet labels are GS1 logistic
labels: every bar at least 0.495 mm wide (6 pixels at 300 dpi) and at least 32 mm high.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from xml.dom import minidom

from barcode.base import Barcode
from barcode.codex import Code128, Gs1_128
from barcode.ean import EuropeanArticleNumber13
from barcode.writer import ImageWriter, SVGWriter
from PIL import Image, ImageDraw, ImageFont

from wms_tui.domain.labels import LOGISTIC_KINDS, Label, Symbol, Symbology
from wms_tui.labels import fonts

DPI = 300
MM_PER_INCH = 25.4
HEADING_PT = 16
LINE_PT = 10
HRI_PT = 10
MARGIN_MM = 3.0
LINE_GAP_MM = 1.5
# GS1 logistic labels are 4 inch (or A6) wide at least, whatever they carry.
LOGISTIC_MIN_WIDTH_MM = 101.6


@dataclass(frozen=True)
class BarGeometry:
    """How a label's barcodes are drawn: narrowest bar, bar height, quiet zone each side."""

    module_mm: float
    height_mm: float
    quiet_mm: float


# Bin and item labels: GS1's nominal 0.33 mm, with 10+ modules of quiet zone each side.
SMALL_BARS = BarGeometry(module_mm=0.33, height_mm=15.0, quiet_mm=6.5)
# GS1 logistic labels: X-dimension 0.495 mm or more, bars 32 mm high or more, 10X quiet zones.
LOGISTIC_MIN_MODULE_MM = 0.495
LOGISTIC_MIN_HEIGHT_MM = 32.0
LOGISTIC_BARS = BarGeometry(module_mm=LOGISTIC_MIN_MODULE_MM, height_mm=LOGISTIC_MIN_HEIGHT_MM,
                            quiet_mm=10 * LOGISTIC_MIN_MODULE_MM)


def bar_geometry(label: Label) -> BarGeometry:
    return LOGISTIC_BARS if label.kind in LOGISTIC_KINDS else SMALL_BARS


def dots(millimetres: float, dpi: int) -> int:
    """Whole printer dots or pixels covering at least this length: never below a minimum."""
    return math.ceil(round(millimetres * dpi / MM_PER_INCH, 6))


def _python_barcode(symbol: Symbol, writer: object) -> Barcode:
    if symbol.symbology is Symbology.EAN13:
        # With guard bars python-barcode prints the digits in the usual 1-6-6 groups.
        return EuropeanArticleNumber13(symbol.data[:12], writer=writer, guardbar=True)
    if symbol.symbology is Symbology.GS1_128:
        return Gs1_128(symbol.data, writer=writer)
    return Code128(symbol.data, writer=writer)


def symbol_modules(symbol: Symbol) -> str:
    """The symbol's modules, '1' for bar and '0' for space, quiet zones left out."""
    modules: str = _python_barcode(symbol, None).build()[0]
    return modules


def code128_values(symbol: Symbol) -> list[int]:
    """The Code 128 symbol characters (start first, no check) of a Code 128 or GS1-128 symbol."""
    values: list[int] = _python_barcode(symbol, None).encoded
    return values


def _symbol_text(symbol: Symbol) -> str | None:
    # EAN-13 gets python-barcode's own digit groups under the bars.
    return None if symbol.symbology is Symbology.EAN13 else "\n".join(symbol.text)


def _barcode_options(geometry: BarGeometry) -> dict[str, float]:
    return {"module_width": geometry.module_mm, "module_height": geometry.height_mm,
            "quiet_zone": geometry.quiet_mm, "font_size": HRI_PT, "text_distance": 4.0,
            "text_line_distance": 2.0}


# PNG.


def _px(millimetres: float) -> int:
    return round(millimetres * DPI / MM_PER_INCH)


def _font(points: float, text: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.font_path_for(text)), _px(points * MM_PER_INCH / 72))


def _logistic_symbol_png(symbol: Symbol) -> Image.Image:
    """A GS1-128 symbol drawn on whole pixels: each module 6 px (0.508 mm), bars 32 mm high."""
    module = dots(LOGISTIC_BARS.module_mm, DPI)
    quiet = 10 * module
    bar_height = dots(LOGISTIC_BARS.height_mm, DPI)
    modules = symbol_modules(symbol)
    font = _font(HRI_PT, "")
    line_height = int(font.size) + _px(1.0)
    width = len(modules) * module + 2 * quiet
    height = bar_height + _px(2.0) + line_height * len(symbol.text) + _px(1.0)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    start = None
    for position, bit in enumerate(modules + "0"):
        if bit == "1" and start is None:
            start = position
        elif bit == "0" and start is not None:
            draw.rectangle((quiet + start * module, 0, quiet + position * module - 1,
                            bar_height - 1), fill="black")
            start = None
    y = bar_height + _px(2.0)
    for line in symbol.text:
        text_width = font.getlength(line)
        draw.text(((width - text_width) / 2, y), line, font=font, fill="black")
        y += line_height
    return image


def symbol_png(symbol: Symbol, geometry: BarGeometry = SMALL_BARS) -> Image.Image:
    """One barcode with its human-readable lines, as a 300 dpi image."""
    if geometry == LOGISTIC_BARS and symbol.symbology is not Symbology.EAN13:
        return _logistic_symbol_png(symbol)
    code = _python_barcode(symbol, ImageWriter(dpi=DPI))
    image: Image.Image = code.render(_barcode_options(geometry), _symbol_text(symbol))
    return image


def _texts(label: Label) -> list[tuple[str, int]]:
    return [(label.heading, HEADING_PT)] + [(line, LINE_PT) for line in label.lines]


def label_image(label: Label) -> Image.Image:
    """Heading, text lines and barcodes stacked top to bottom on a white card."""
    margin = _px(MARGIN_MM)
    texts = [(text, _font(points, text)) for text, points in _texts(label)]
    geometry = bar_geometry(label)
    symbols = [symbol_png(symbol, geometry) for symbol in label.symbols]
    text_boxes = [font.getbbox(text) for text, font in texts]
    least = _px(LOGISTIC_MIN_WIDTH_MM) if label.kind in LOGISTIC_KINDS else 0
    width = max([least] + [int(box[2]) + 2 * margin for box in text_boxes]
                + [image.width for image in symbols])
    line_gap = _px(LINE_GAP_MM)
    height = margin + sum(int(font.size) + line_gap for _, font in texts)
    height += sum(image.height for image in symbols) + margin
    card = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(card)
    y = margin
    for text, font in texts:
        draw.text((margin, y), text, font=font, fill="black")
        y += int(font.size) + line_gap
    for image in symbols:
        card.paste(image, ((width - image.width) // 2, y))
        y += image.height
    return card


def label_png(label: Label) -> bytes:
    buffer = io.BytesIO()
    label_image(label).save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


# SVG.


def symbol_svg(symbol: Symbol, geometry: BarGeometry = SMALL_BARS) -> minidom.Element:
    """One barcode as an <svg> element (lengths in mm)."""
    writer = SVGWriter()
    writer.with_doctype = False
    # Unindented output; the label document is pretty-printed once as a whole.
    writer.compress = True
    code = _python_barcode(symbol, writer)
    rendered: bytes = code.render(_barcode_options(geometry), _symbol_text(symbol))
    element = minidom.parseString(rendered).documentElement
    assert element is not None  # the writer always renders one <svg> root
    return element


def _mm(value: str) -> float:
    return float(value.removesuffix("mm"))


def _text_width_mm(text: str, size_mm: float) -> float:
    """About how wide a line is: a monospace glyph 0.6 em, a CJK glyph a full em."""
    return sum(size_mm if fonts.has_cjk(char) else 0.6 * size_mm for char in text)


def label_svg(label: Label) -> str:
    """The label as one SVG document: text elements above each barcode's nested <svg>."""
    document = minidom.getDOMImplementation().createDocument(
        "http://www.w3.org/2000/svg", "svg", None
    )
    root = document.documentElement
    assert root is not None  # createDocument was given its root element's name
    root.setAttribute("xmlns", "http://www.w3.org/2000/svg")
    background = document.createElement("rect")
    background.setAttribute("width", "100%")
    background.setAttribute("height", "100%")
    background.setAttribute("style", "fill:white")
    root.appendChild(background)
    y = MARGIN_MM
    width = LOGISTIC_MIN_WIDTH_MM if label.kind in LOGISTIC_KINDS else 0.0
    for text, points in _texts(label):
        size = points * MM_PER_INCH / 72
        y += size
        element = document.createElement("text")
        element.setAttribute("x", f"{MARGIN_MM:.3f}mm")
        element.setAttribute("y", f"{y:.3f}mm")
        family = "monospace,'WenQuanYi Micro Hei','Noto Sans CJK SC'"
        element.setAttribute("style", f"fill:black;font-family:{family};font-size:{points}pt")
        element.appendChild(document.createTextNode(text))
        root.appendChild(element)
        width = max(width, 2 * MARGIN_MM + _text_width_mm(text, size))
        y += LINE_GAP_MM
    barcodes: list[minidom.Element] = []
    geometry = bar_geometry(label)
    for symbol in label.symbols:
        nested = document.importNode(symbol_svg(symbol, geometry), True)
        assert isinstance(nested, minidom.Element)
        nested.setAttribute("y", f"{y:.3f}mm")
        root.appendChild(nested)
        barcodes.append(nested)
        width = max(width, _mm(nested.getAttribute("width")))
        y += _mm(nested.getAttribute("height"))
    for nested in barcodes:
        nested.setAttribute("x", f"{(width - _mm(nested.getAttribute('width'))) / 2:.3f}mm")
    y += MARGIN_MM
    root.setAttribute("width", f"{width:.3f}mm")
    root.setAttribute("height", f"{y:.3f}mm")
    return document.toprettyxml(indent="  ", encoding="UTF-8").decode("utf-8")
