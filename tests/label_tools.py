"""Reading labels back as a scanner would, measuring their bars, rasterising their PDFs, and
a raw TCP printer, for the label tests."""

from __future__ import annotations

import base64
import io
import re
import socket
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from barcode.charsets import code128
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw

from wms_tui.domain.scan import Gs1Data, normalize_scan, parse_gs1


def decode(png: bytes | Path | Image.Image) -> list[tuple[str, str]]:
    """(format, text) of every symbol zxing-cpp finds in a PNG, e.g. ("Code128", "A-01-01-1").

    TextMode.Plain gives a GS1-128 symbol's raw element string, as a scanner sends it: no leading
    FNC1 (zxing-cpp reports it as the symbology identifier ]C1) and GS for every later FNC1.
    """
    if isinstance(png, Path):
        png = png.read_bytes()
    image = png if isinstance(png, Image.Image) else Image.open(io.BytesIO(png))
    found = []
    for symbol in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
        assert symbol.text.isascii(), symbol.text
        found.append((symbol.format.name, symbol.text))
    return found


@dataclass(frozen=True)
class Found:
    """A symbol zxing-cpp found: what it says and where, in pixels (y grows downwards)."""

    format: str
    text: str
    identifier: str
    left: int
    top: int
    right: int
    bottom: int

    @property
    def scanned(self) -> str:
        """What a scanner set to send AIM identifiers gives, e.g. ']C1' + a GS1-128 string."""
        return self.identifier + self.text


def read_symbols(image: Image.Image) -> list[Found]:
    """Every symbol in the image with its bounding box, top to bottom."""
    found = []
    for symbol in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
        corners = [symbol.position.top_left, symbol.position.top_right,
                   symbol.position.bottom_left, symbol.position.bottom_right]
        xs, ys = [p.x for p in corners], [p.y for p in corners]
        found.append(Found(symbol.format.name, symbol.text, symbol.symbology_identifier,
                           min(xs), min(ys), max(xs), max(ys)))
    return sorted(found, key=lambda f: f.top)


def dark_runs(values: list[int]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark pixels (below mid-grey) in a row or column."""
    runs, start = [], None
    for position, value in enumerate([*values, 255]):
        if value < 128 and start is None:
            start = position
        elif value >= 128 and start is not None:
            runs.append((start, position - start))
            start = None
    return runs


@dataclass(frozen=True)
class Bars:
    """A linear symbol's bars as measured on the image, in pixels."""

    narrowest: int
    height: int


def measure_bars(image: Image.Image, symbol: Found) -> Bars:
    """The narrowest bar across the symbol's middle row, and the height of its bars there.

    zxing-cpp reports a linear symbol's box on the scan line it read; the bars are the dark
    runs of that row, and each bar's height is the dark run of its column through the row.
    """
    grey = image.convert("L")
    row_y = (symbol.top + symbol.bottom) // 2
    row = [int(grey.getpixel((x, row_y))) for x in range(grey.width)]  # type: ignore[arg-type]
    runs = [(s, n) for s, n in dark_runs(row)
            if symbol.left - 2 <= s and s + n <= symbol.right + 3]
    assert len(runs) > 10, f"no bars found at y={row_y}"
    heights = []
    for start, length in runs:
        column = [int(grey.getpixel((start + length // 2, y)))  # type: ignore[arg-type]
                  for y in range(grey.height)]
        (span,) = [(s, n) for s, n in dark_runs(column) if s <= row_y < s + n]
        heights.append(span[1])
    return Bars(narrowest=min(n for _, n in runs), height=min(heights))


# Rasterising the PDFs reportlab writes: filled rectangles (the bars) are all a scanner needs.

_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|/[^\s/<>\[\]()]+|[^\s/<>\[\]()]+")


def _stream(pdf: bytes, number: int) -> bytes:
    match = re.search(rb"\n%d 0 obj\s*<<(.*?)>>\s*stream\r?\n(.*?)endstream" % number, pdf, re.S)
    assert match is not None, f"object {number} has no stream"
    data = match.group(2).strip()
    if b"ASCII85Decode" in match.group(1):
        data = base64.a85decode(data, adobe=True)
    return zlib.decompress(data) if b"FlateDecode" in match.group(1) else data


def pdf_streams(pdf: bytes) -> list[bytes]:
    """Every stream in the PDF, decoded (ASCII85 and Flate, as reportlab writes them)."""
    numbers = [int(n) for n in re.findall(rb"\n(\d+) 0 obj\s*<<[^>]*?/Length", pdf)]
    return [_stream(pdf, number) for number in numbers]


@dataclass(frozen=True)
class PdfPage:
    """A page's size and the rectangles filled on it, in points from the bottom-left corner."""

    width: float
    height: float
    rects: list[tuple[float, float, float, float, float]]  # x, y, width, height, grey


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_text_strings(pdf: bytes) -> list[bytes]:
    """The bytes of every literal string shown with Tj in the PDF, escapes decoded."""
    found = []
    for stream in pdf_streams(pdf):
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            found.append(re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: (bytes([int(m.group(1), 8)]) if m.group(1)[:1].isdigit()
                           else _ESCAPES.get(m.group(1), m.group(1))),
                literal, flags=re.S))
    return found


def pdf_pages(pdf: bytes) -> list[PdfPage]:
    """Each page's filled rectangles, as reportlab's barcode graphics draw bars.

    Only q/Q, cm, re, the grey and RGB fill colours and the fill operators are understood;
    text and stroked lines are left out, so what is found is the vector bars alone.
    """
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", pdf)
    assert kids is not None
    pages = []
    for page in re.findall(rb"(\d+) 0 R", kids.group(1)):
        body = re.search(rb"\n%s 0 obj\s*<<(.*?)endobj" % page, pdf, re.S)
        assert body is not None
        box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", body.group(1))
        contents = re.search(rb"/Contents\s+(\d+) 0 R", body.group(1))
        assert box is not None and contents is not None
        _, _, width, height = (float(v) for v in box.group(1).split())
        matrix: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        stack: list[tuple[float, ...]] = []
        operands: list[bytes] = []
        path: list[tuple[float, float, float, float]] = []
        rects: list[tuple[float, float, float, float, float]] = []
        grey = 0.0
        in_text = False
        for token in _TOKEN.findall(_stream(pdf, int(contents.group(1)))):
            if token == b"BT":
                in_text = True
            elif token == b"ET":
                in_text = False
            elif in_text:
                continue
            elif re.fullmatch(rb"[-+]?[\d.]+", token):
                operands.append(token)
                continue
            elif token == b"q":
                stack.append(matrix)
            elif token == b"Q":
                matrix = stack.pop()
            elif token == b"cm":
                a, b, c, d, e, f = (float(v) for v in operands[-6:])
                ma, mb, mc, md, me, mf = matrix
                assert b == c == 0 and mb == mc == 0, "rotated drawing is not supported"
                matrix = (a * ma, 0.0, 0.0, d * md, e * ma + me, f * md + mf)
            elif token == b"re":
                x, y, w, h = (float(v) for v in operands[-4:])
                path.append((x, y, w, h))
            elif token in (b"g", b"rg"):
                values = [float(v) for v in operands[-(1 if token == b"g" else 3):]]
                grey = sum(values) / len(values)
            elif token in (b"f", b"f*", b"F", b"B", b"B*", b"b", b"b*"):
                ma, _, _, md, me, mf = matrix
                for x, y, w, h in path:
                    x0, x1 = sorted((ma * x + me, ma * (x + w) + me))
                    y0, y1 = sorted((md * y + mf, md * (y + h) + mf))
                    rects.append((x0, y0, x1 - x0, y1 - y0, grey))
                path = []
            elif token in (b"S", b"s", b"n"):
                path = []
            operands = []
        pages.append(PdfPage(width, height, rects))
    return pages


def pdf_page_images(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
    """Each page rendered as a white image with its filled rectangles drawn in."""
    images = []
    scale = dpi / 72
    for page in pdf_pages(pdf):
        image = Image.new("L", (round(page.width * scale), round(page.height * scale)), 255)
        draw = ImageDraw.Draw(image)
        for x, y, w, h, grey in page.rects:
            top = image.height - round((y + h) * scale)
            bottom = image.height - round(y * scale)
            draw.rectangle((round(x * scale), top, round((x + w) * scale) - 1, bottom - 1),
                           fill=round(grey * 255))
        images.append(image)
    return images


# ZPL: Zebra's ^BC mode N invocation codes, written out here independently of the renderer.
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
    """The ^FD data of every field drawn with this command, e.g. "BC", in order."""
    return re.findall(rf"\^{command}[^\^]*\^FD([^\^]*)\^FS", zpl)


def gs1_read(scans: list[str]) -> Gs1Data:
    """All fields of several GS1 scans, read as the RF app reads them (normalize + parse)."""
    fields: dict[str, str] = {}
    merged: dict[str, object] = {}
    for raw in scans:
        scan = normalize_scan(raw)
        assert scan.gs1, raw
        data = parse_gs1(scan)
        assert data is not None, raw
        fields.update(data.fields)
        merged.update({k: v for k, v in vars(data).items() if v is not None and k != "fields"})
    return Gs1Data(**merged, fields=fields)  # type: ignore[arg-type]


class FakePrinter:
    """A raw TCP 'printer' on 127.0.0.1 that keeps everything it receives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            while chunk := connection.recv(65536):
                self.received += chunk

    def close(self) -> bytes:
        self.thread.join(timeout=10)
        self.server.close()
        return self.received


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
