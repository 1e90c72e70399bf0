"""Labels on paper: SVG and PNG via python-barcode, an A4 PDF sheet, and ZPL for Zebra printers."""

from __future__ import annotations

import io
import math
import socket
from collections.abc import Sequence
from pathlib import Path
from xml.dom import minidom

import barcode
from barcode.base import Barcode
from barcode.codex import Code128, Gs1_128
from barcode.ean import EuropeanArticleNumber13
from barcode.writer import ImageWriter, SVGWriter
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import BadInput, WmsError
from wms_tui.domain.labels import Label, Symbol, Symbology

DPI = 300
# The font python-barcode ships, so labels look the same on every machine.
FONT_PATH = Path(barcode.__file__).parent / "fonts" / "DejaVuSansMono.ttf"
# 0.33 mm modules are GS1's nominal X-dimension; 10+ modules of quiet zone each side.
BARCODE_OPTIONS: dict[str, float] = {
    "module_width": 0.33,
    "module_height": 15.0,
    "quiet_zone": 6.5,
    "font_size": 10,
    "text_distance": 4.0,
    "text_line_distance": 2.0,
}
HEADING_PT = 16
LINE_PT = 10
MARGIN_MM = 3.0

# Columns x rows per A4 page: bin labels 95 x 55 mm, item labels 63 x 46 mm, pallet labels A6.
PDF_GRID: dict[str, tuple[int, int]] = {"location": (2, 5), "item": (3, 6), "pallet": (2, 2)}
PDF_MARGIN_MM = 10.0
PDF_PADDING_MM = 3.0

ZPL_DOTS_PER_MM = 8  # 203 dpi printers, the common Zebra head
ZPL_WIDTH = 812  # 4 inch labels
ZPL_MARGIN = 40
ZPL_BAR_HEIGHT = 120
DEFAULT_PRINTER_PORT = 9100


class PrinterError(WmsError):
    """The label printer could not be reached or refused the data."""


# SVG and PNG.


def _python_barcode(symbol: Symbol, writer: object) -> Barcode:
    if symbol.symbology is Symbology.EAN13:
        # With guard bars python-barcode prints the digits in the usual 1-6-6 groups.
        return EuropeanArticleNumber13(symbol.data[:12], writer=writer, guardbar=True)
    if symbol.symbology is Symbology.GS1_128:
        return Gs1_128(symbol.data, writer=writer)
    return Code128(symbol.data, writer=writer)


def _symbol_text(symbol: Symbol) -> str | None:
    # EAN-13 gets python-barcode's own digit groups under the bars.
    return None if symbol.symbology is Symbology.EAN13 else "\n".join(symbol.text)


def symbol_png(symbol: Symbol) -> Image.Image:
    """One barcode with its human-readable lines, as a 300 dpi image."""
    code = _python_barcode(symbol, ImageWriter(dpi=DPI))
    image: Image.Image = code.render(dict(BARCODE_OPTIONS), _symbol_text(symbol))
    return image


def symbol_svg(symbol: Symbol) -> minidom.Element:
    """One barcode as an <svg> element (lengths in mm)."""
    writer = SVGWriter()
    writer.with_doctype = False
    # Unindented output; the label document is pretty-printed once as a whole.
    writer.compress = True
    code = _python_barcode(symbol, writer)
    rendered: bytes = code.render(dict(BARCODE_OPTIONS), _symbol_text(symbol))
    element = minidom.parseString(rendered).documentElement
    assert element is not None  # the writer always renders one <svg> root
    return element


def _px(millimetres: float) -> int:
    return round(millimetres * DPI / 25.4)


def _font(points: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), _px(points * 25.4 / 72))


def _texts(label: Label) -> list[tuple[str, int]]:
    return [(label.heading, HEADING_PT)] + [(line, LINE_PT) for line in label.lines]


def label_image(label: Label) -> Image.Image:
    """Heading, text lines and barcodes stacked top to bottom on a white card."""
    margin = _px(MARGIN_MM)
    texts = [(text, _font(points)) for text, points in _texts(label)]
    symbols = [symbol_png(symbol) for symbol in label.symbols]
    text_boxes = [font.getbbox(text) for text, font in texts]
    width = max([int(box[2]) + 2 * margin for box in text_boxes]
                + [image.width for image in symbols])
    line_gap = _px(1.5)
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


def _mm(value: str) -> float:
    return float(value.removesuffix("mm"))


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
    width = 0.0
    for text, points in _texts(label):
        size = points * 25.4 / 72
        y += size
        element = document.createElement("text")
        element.setAttribute("x", f"{MARGIN_MM:.3f}mm")
        element.setAttribute("y", f"{y:.3f}mm")
        element.setAttribute("style", f"fill:black;font-family:monospace;font-size:{points}pt")
        element.appendChild(document.createTextNode(text))
        root.appendChild(element)
        # A monospace glyph is about 0.6 em wide.
        width = max(width, 2 * MARGIN_MM + 0.6 * size * len(text))
        y += 1.5
    barcodes: list[minidom.Element] = []
    for symbol in label.symbols:
        nested = document.importNode(symbol_svg(symbol), True)
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


# The printable sheet.


def pdf_grid(labels: Sequence[Label]) -> tuple[int, int]:
    """Columns and rows per page: the grid of the largest kind of label on the sheet."""
    return min((PDF_GRID[label.kind] for label in labels), key=lambda grid: grid[0] * grid[1])


def labels_pdf(labels: Sequence[Label], *, grid: tuple[int, int] | None = None) -> bytes:
    """A4 pages with the labels in a grid, each label's PNG fitted into its cell."""
    if not labels:
        raise BadInput("no labels to put on a sheet")
    columns, rows = grid or pdf_grid(labels)
    buffer = io.BytesIO()
    # invariant=1 leaves out creation dates, so the same labels give the same file.
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle("wms labels")
    page_width, page_height = A4
    margin, padding = PDF_MARGIN_MM * mm, PDF_PADDING_MM * mm
    cell_width = (page_width - 2 * margin) / columns
    cell_height = (page_height - 2 * margin) / rows
    per_page = columns * rows
    for page in range(math.ceil(len(labels) / per_page)):
        if page:
            canvas.showPage()
        for slot, label in enumerate(labels[page * per_page : (page + 1) * per_page]):
            column, row = slot % columns, slot // columns
            x = margin + column * cell_width
            y = page_height - margin - (row + 1) * cell_height
            # Light cut lines around each label.
            canvas.setStrokeGray(0.8)
            canvas.rect(x, y, cell_width, cell_height)
            image = label_image(label)
            scale = min((cell_width - 2 * padding) / image.width,
                        (cell_height - 2 * padding) / image.height)
            drawn_width, drawn_height = image.width * scale, image.height * scale
            canvas.drawImage(
                ImageReader(image),
                x + (cell_width - drawn_width) / 2,
                y + (cell_height - drawn_height) / 2,
                width=drawn_width,
                height=drawn_height,
            )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ZPL.

# Zebra's invocation codes for Code 128 symbol characters in ^BC mode N.
_ZPL_START = {103: ">9", 104: ">:", 105: ">;"}
_ZPL_FUNCTION = {99: ">5", 100: ">6", 101: ">7", 102: ">8"}
# Code 128 value -> subset after a CODE A/B/C character in subsets A, B and C.
_SWITCHES = {"A": {99: "C", 100: "B"}, "B": {99: "C", 101: "A"}, "C": {100: "B", 101: "A"}}
# In ZPL field data these introduce commands or invocation codes, never plain data.
_ZPL_RESERVED = "^~>"


def zpl_code128_data(symbol: Symbol) -> str:
    """^FD data for ^BC mode N: the same symbol characters python-barcode draws, as ZPL codes.

    Start code, subset switches and FNC1 are written as invocation codes (>; start C,
    >8 FNC1, …), so the printed symbol is exactly the one the PNG shows.
    """
    if symbol.symbology is Symbology.EAN13:
        raise ValueError("EAN-13 is printed with ^BE, not ^BC")
    bad = sorted({c for c in symbol.data if c in _ZPL_RESERVED})
    if bad:
        raise BadInput(f"ZPL Code 128 cannot carry {bad} in {symbol.data!r}")
    values: list[int] = _python_barcode(symbol, None).encoded
    subset = {103: "A", 104: "B", 105: "C"}[values[0]]
    parts = [_ZPL_START[values[0]]]
    for value in values[1:]:
        if value in _ZPL_FUNCTION:
            parts.append(_ZPL_FUNCTION[value])
            subset = _SWITCHES[subset].get(value, subset)
        elif subset == "C":
            parts.append(f"{value:02d}")
        elif value < 64 or (subset == "B" and value < 95):
            parts.append(chr(value + 32))
        else:
            raise BadInput(f"ZPL Code 128 cannot carry the control characters in {symbol.data!r}")
    return "".join(parts)


def _zpl_text(text: str) -> str:
    """Field data for a text field with ^FH: '_', '^' and '~' written as hex escapes."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _module_dots(modules: int) -> int:
    """The widest module (1-3 dots) that keeps the symbol inside the label's margins."""
    room = ZPL_WIDTH - 2 * ZPL_MARGIN
    return max([1] + [dots for dots in (2, 3) if modules * dots <= room])


def label_zpl(label: Label) -> str:
    """One ZPL label (^XA … ^XZ) for a 4 inch, 203 dpi Zebra printer, text in UTF-8 (^CI28)."""
    fields: list[str] = []
    y = ZPL_MARGIN
    for text, points in _texts(label):
        dots = round(points * 25.4 / 72 * ZPL_DOTS_PER_MM * 1.4)
        fields.append(f"^FO{ZPL_MARGIN},{y}^A0N,{dots},{dots}^FH_^FD{_zpl_text(text)}^FS")
        y += dots + 10
    for symbol in label.symbols:
        y += 10
        modules = len(_python_barcode(symbol, None).build()[0])
        fields.append(f"^BY{_module_dots(modules)}")
        if symbol.symbology is Symbology.EAN13:
            # ^BE takes the first 12 digits and prints its own check digit and digits.
            fields.append(f"^FO{ZPL_MARGIN},{y}^BEN,{ZPL_BAR_HEIGHT},Y,N^FD{symbol.data[:12]}^FS")
            y += ZPL_BAR_HEIGHT + 40
            continue
        data = zpl_code128_data(symbol)
        fields.append(f"^FO{ZPL_MARGIN},{y}^BCN,{ZPL_BAR_HEIGHT},N,N,N,N^FD{data}^FS")
        y += ZPL_BAR_HEIGHT + 10
        for line in symbol.text:
            fields.append(f"^FO{ZPL_MARGIN},{y}^A0N,28,28^FH_^FD{_zpl_text(line)}^FS")
            y += 34
    y += ZPL_MARGIN
    head = f"^XA^CI28^PW{ZPL_WIDTH}^LL{y}^LH0,0"
    return "\n".join([head, *fields, "^XZ"]) + "\n"


def labels_zpl(labels: Sequence[Label]) -> str:
    return "".join(label_zpl(label) for label in labels)


def _printer_address(host_port: str) -> tuple[str, int]:
    host, colon, port_text = host_port.strip().rpartition(":")
    if not colon:
        host, port_text = port_text, str(DEFAULT_PRINTER_PORT)
    host = host.strip("[]")
    if not host or not is_ascii_digits(port_text) or not 0 < int(port_text) < 65536:
        raise BadInput(f"printer must be HOST:PORT such as zebra1:9100, got {host_port!r}")
    return host, int(port_text)


def send_to_printer(zpl: str, host_port: str, timeout: float = 10.0) -> int:
    """Send ZPL to a Zebra printer's raw port (9100); returns the bytes sent."""
    host, port = _printer_address(host_port)
    payload = zpl.encode("utf-8")
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(payload)
            # Half-close so the printer sees the end of the job before the socket closes.
            connection.shutdown(socket.SHUT_WR)
    except TimeoutError:
        raise PrinterError(
            f"printer {host}:{port} did not answer within {timeout:g} s: is it on and reachable?"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PrinterError(f"printer {host}:{port} unreachable: {reason}") from None
    return len(payload)
