"""ZPL for Zebra printers, and sending it to a printer's raw port.

Text is UTF-8 (^CI28). A line with Chinese is printed in a CJK TrueType font held by the
printer: mapped with ^CW and named in the field with ^A@. Zebra's Andale Mono WT Simplified
Chinese (E:ANMDS.TTF, downloadable from Zebra, resident on some Asian models) is the default;
WMS_ZPL_CJK_FONT names another, e.g. E:SIMSUN.TTF downloaded to the printer.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import BadInput, WmsError
from wms_tui.domain.labels import LOGISTIC_KINDS, Label, Symbol, Symbology
from wms_tui.labels import fonts
from wms_tui.labels.render import (
    LOGISTIC_BARS,
    MM_PER_INCH,
    code128_values,
    dots,
    symbol_modules,
)

DEFAULT_DPI = 203  # 8 dots/mm, the common Zebra head
PRINTER_DPIS = (152, 203, 300, 600)
DEFAULT_CJK_FONT = "E:ANMDS.TTF"
CJK_FONT_ENV = "WMS_ZPL_CJK_FONT"
DPI_ENV = "WMS_ZPL_DPI"
# The ^CW slot the CJK font is mapped to, for templates that ask for it as font 1.
CJK_FONT_SLOT = "1"
_FONT_NAME = re.compile(r"[REBA]:[A-Za-z0-9_-]{1,16}\.(TTF|TTE|FNT)", re.IGNORECASE)
LABEL_WIDTH_MM = 101.6  # 4 inch labels
MARGIN_MM = 5.0
SMALL_BAR_HEIGHT_MM = 15.0
DEFAULT_PRINTER_PORT = 9100


class PrinterError(WmsError):
    """The label printer could not be reached or refused the data."""


@dataclass(frozen=True)
class ZplSettings:
    """The printer the ZPL is for: its resolution, and the CJK font it holds."""

    dpi: int = DEFAULT_DPI
    cjk_font: str = DEFAULT_CJK_FONT

    def __post_init__(self) -> None:
        if self.dpi not in PRINTER_DPIS:
            raise BadInput(f"ZPL printer resolution must be one of {PRINTER_DPIS} dpi, "
                           f"got {self.dpi}")
        if not _FONT_NAME.fullmatch(self.cjk_font):
            raise BadInput(f"ZPL CJK font must be a printer font file such as {DEFAULT_CJK_FONT}"
                           f" or E:SIMSUN.TTF, got {self.cjk_font!r}")

    @classmethod
    def from_env(cls) -> ZplSettings:
        """Settings from $WMS_ZPL_DPI and $WMS_ZPL_CJK_FONT, defaults where unset."""
        dpi_text = os.environ.get(DPI_ENV, "").strip()
        if dpi_text and not is_ascii_digits(dpi_text):
            raise BadInput(f"{DPI_ENV} must be a number of dots per inch, got {dpi_text!r}")
        return cls(dpi=int(dpi_text) if dpi_text else DEFAULT_DPI,
                   cjk_font=os.environ.get(CJK_FONT_ENV, "").strip() or DEFAULT_CJK_FONT)

    def dots(self, millimetres: float) -> int:
        return dots(millimetres, self.dpi)


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
    values = code128_values(symbol)
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


def _text_field(x: int, y: int, size: int, text: str, settings: ZplSettings) -> str:
    """One line of text: the printer's font 0, or the CJK font by name when it has Chinese."""
    font = (f"^A@N,{size},{size},{settings.cjk_font}" if fonts.has_cjk(text)
            else f"^A0N,{size},{size}")
    return f"^FO{x},{y}{font}^FH_^FD{_zpl_text(text)}^FS"


def _small_module_dots(modules: int, room: int) -> int:
    """The widest module (1-3 dots) that keeps a bin or item symbol inside the margins."""
    return max([1] + [width for width in (2, 3) if modules * width <= room])


def label_zpl(label: Label, settings: ZplSettings | None = None) -> str:
    """One ZPL label (^XA … ^XZ) for a 4 inch Zebra printer, text in UTF-8 (^CI28).

    Carton and pallet labels get GS1 logistic bars: each module the fewest whole dots of at
    least 0.495 mm (4 at 203 dpi, 6 at 300 dpi), bars at least 32 mm high.
    """
    settings = settings or ZplSettings()
    margin = settings.dots(MARGIN_MM)
    width = settings.dots(LABEL_WIDTH_MM)
    logistic = label.kind in LOGISTIC_KINDS
    bar_height = settings.dots(LOGISTIC_BARS.height_mm if logistic else SMALL_BAR_HEIGHT_MM)
    gap = settings.dots(1.25)
    hri = settings.dots(3.5)
    fields: list[str] = []
    texts = [(label.heading, 16)] + [(line, 10) for line in label.lines]
    cjk = any(fonts.has_cjk(text) for text, _ in texts)
    y = margin
    for text, points in texts:
        size = settings.dots(points * MM_PER_INCH / 72 * 1.4)
        fields.append(_text_field(margin, y, size, text, settings))
        y += size + gap
    for symbol in label.symbols:
        y += gap
        modules = len(symbol_modules(symbol))
        if logistic:
            module = settings.dots(LOGISTIC_BARS.module_mm)
            quiet = 10 * module
            # A symbol wider than the label widens it: its bars are never narrowed.
            width = max(width, modules * module + 2 * quiet + 2 * margin)
            x = max(margin + quiet, (width - modules * module) // 2)
        else:
            module = _small_module_dots(modules, width - 2 * margin)
            x = margin
        fields.append(f"^BY{module}")
        if symbol.symbology is Symbology.EAN13:
            # ^BE takes the first 12 digits and prints its own check digit and digits.
            fields.append(f"^FO{x},{y}^BEN,{bar_height},Y,N^FD{symbol.data[:12]}^FS")
            y += bar_height + settings.dots(5)
            continue
        fields.append(f"^FO{x},{y}^BCN,{bar_height},N,N,N,N^FD{zpl_code128_data(symbol)}^FS")
        y += bar_height + gap
        for line in symbol.text:
            fields.append(f"^FO{x},{y}^A0N,{hri},{hri}^FH_^FD{_zpl_text(line)}^FS")
            y += hri + settings.dots(0.75)
    y += margin
    head = f"^XA^CI28^PW{width}^LL{y}^LH0,0"
    if cjk:
        head += f"^CW{CJK_FONT_SLOT},{settings.cjk_font}"
    return "\n".join([head, *fields, "^XZ"]) + "\n"


def labels_zpl(labels: Sequence[Label], settings: ZplSettings | None = None) -> str:
    return "".join(label_zpl(label, settings) for label in labels)


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
