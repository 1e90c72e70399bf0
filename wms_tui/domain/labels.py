"""What a label carries: the barcode data and the human-readable text, before any rendering.

Location labels are Code 128 of the location barcode with its check digits; item labels are
EAN-13 for a GTIN-13 and Code 128 otherwise; pallet labels are GS1-128 with an SSCC and,
for a one-item pallet, the content GTIN, count, lot and expiry.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal, Protocol

from wms_tui.domain.checkdigits import is_valid_sscc, make_sscc, normalize_gtin
from wms_tui.domain.errors import BadInput, ScanRejected
from wms_tui.domain.scan import GS
from wms_tui.domain.text import shown

# python-barcode's marker for FNC1; renderers turn it into the symbol character FNC1.
FNC1 = "\xf1"
# GS1 General Specifications: at most 48 data characters in one GS1-128 symbol.
MAX_GS1_128_CHARACTERS = 48
# The human-readable text under a GS1-128 symbol wraps here, about the width of its bars.
HRI_LINE_LENGTH = 40
COMPANY_PREFIX_LENGTHS = range(4, 13)
# GS1 AI encodable character set 82, the characters a lot number may hold.
_CSET_82 = frozenset(string.ascii_letters + string.digits + "!\"%&'()*+,-./:;<=>?_")
# Characters any Code 128 label text may carry: printable ASCII.
_CODE128_PRINTABLE = re.compile(r"[ -~]+")
_MAX_LOT_LENGTH = 20
_MAX_COUNT_DIGITS = 8
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

LabelKind = Literal["location", "item", "pallet"]


class Symbology(StrEnum):
    CODE128 = "code128"
    EAN13 = "ean13"
    GS1_128 = "gs1-128"


@dataclass(frozen=True)
class Symbol:
    """One barcode: what it encodes and the human-readable lines printed under it.

    For GS1-128, data is the element string without the leading FNC1 (python-barcode's
    Gs1_128 adds it), with FNC1 after each variable-length field that is not last.
    For EAN-13, data is all 13 digits including the check digit.
    """

    symbology: Symbology
    data: str
    text: tuple[str, ...]

    @property
    def scanned(self) -> str:
        """What a scanner sends for this symbol (without an AIM prefix)."""
        return self.data.replace(FNC1, GS)


class Label(Protocol):
    """What every renderer needs: a heading, text lines and the barcodes, top to bottom."""

    @property
    def kind(self) -> LabelKind: ...
    @property
    def name(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def lines(self) -> tuple[str, ...]: ...
    @property
    def symbols(self) -> tuple[Symbol, ...]: ...


def file_stem(text: str) -> str:
    """A file name part from a code: anything but letters, digits, '.', '_', '-' becomes '_'."""
    stem = _FILE_UNSAFE.sub("_", text).strip("._")
    return stem or "label"


def _code128_text(value: str, what: str) -> str:
    if not _CODE128_PRINTABLE.fullmatch(value):
        raise BadInput(f"{what} {value!r} must be printable ASCII to go into a Code 128 barcode")
    return value


@dataclass(frozen=True)
class LocationLabel:
    """A bin label: the location barcode and the check digits operators key when it is torn."""

    code: str
    barcode: str
    check_digits: str

    def __post_init__(self) -> None:
        _code128_text(self.barcode, "location barcode")

    @property
    def kind(self) -> LabelKind:
        return "location"

    @property
    def name(self) -> str:
        return file_stem(self.code)

    @property
    def heading(self) -> str:
        return self.code

    @property
    def lines(self) -> tuple[str, ...]:
        return (f"check digits {self.check_digits}",)

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        return (Symbol(Symbology.CODE128, self.barcode, (self.barcode,)),)


@dataclass(frozen=True)
class ItemLabel:
    """A product label: EAN-13 when the unit has a GTIN-13, else Code 128 of its GTIN or SKU."""

    sku: str
    description: str = ""
    uom: str = ""
    factor: int = 1
    gtin: str | None = None

    def __post_init__(self) -> None:
        if self.gtin is not None:
            try:
                object.__setattr__(self, "gtin", normalize_gtin(self.gtin))
            except ScanRejected as exc:
                raise BadInput(f"item {shown(self.sku)}: {exc}") from None
        else:
            _code128_text(self.sku, "SKU")

    @property
    def kind(self) -> LabelKind:
        return "item"

    @property
    def name(self) -> str:
        unit = f"-{self.uom}" if self.uom else ""
        return file_stem(f"{self.sku}{unit}")

    @property
    def heading(self) -> str:
        return self.sku

    @property
    def lines(self) -> tuple[str, ...]:
        unit = f"{self.uom} x{self.factor}" if self.factor != 1 else self.uom
        return tuple(line for line in (self.description, unit) if line)

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        if self.gtin is None:
            return (Symbol(Symbology.CODE128, self.sku, (self.sku,)),)
        if self.gtin.startswith("0"):
            gtin13 = self.gtin[1:]
            return (Symbol(Symbology.EAN13, gtin13, (gtin13,)),)
        return (Symbol(Symbology.CODE128, self.gtin, (self.gtin,)),)


# GS1 AIs this label writes, with whether their length is fixed (no FNC1 needed after them).
_FIXED_LENGTH_AIS = frozenset({"00", "02", "15", "17"})


@dataclass(frozen=True)
class PalletLabel:
    """An SSCC pallet label; a one-item pallet also says what, how many, which lot and expiry.

    Fixed-length fields come first so at most one FNC1 separator is needed. When the whole
    element string exceeds the 48 characters GS1 allows in one symbol, the SSCC and the
    content go in separate symbols, as on a GS1 logistic label.
    """

    sscc: str
    content_gtin: str | None = None
    count: int | None = None
    lot: str | None = None
    expiry: date | None = None
    # (17) is the expiry date; (15) "best before" is used for food that stays safe after it.
    expiry_ai: Literal["17", "15"] = "17"
    sku: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if not is_valid_sscc(self.sscc):
            raise BadInput(f"SSCC {self.sscc!r} is not 18 digits with a right check digit")
        if self.content_gtin is not None:
            try:
                object.__setattr__(self, "content_gtin", normalize_gtin(self.content_gtin))
            except ScanRejected as exc:
                raise BadInput(f"content GTIN: {exc}") from None
        if (self.content_gtin is None) != (self.count is None):
            # GS1: (37) counts trade items of the GTIN in (02), so one needs the other.
            raise BadInput("a pallet label needs both the content GTIN (02) and the count (37)")
        if self.content_gtin is None and (self.lot is not None or self.expiry is not None):
            # GS1: lot and expiry describe trade items, so they need the GTIN they belong to.
            raise BadInput("a pallet label's lot and expiry need the content GTIN (02)")
        if self.count is not None and not 0 < self.count < 10**_MAX_COUNT_DIGITS:
            raise BadInput(f"count must be 1 to {10**_MAX_COUNT_DIGITS - 1}, got {self.count}")
        if self.lot is not None:
            if not 0 < len(self.lot) <= _MAX_LOT_LENGTH:
                raise BadInput(f"lot {self.lot!r} must be 1 to {_MAX_LOT_LENGTH} characters")
            bad = sorted(set(self.lot) - _CSET_82)
            if bad:
                raise BadInput(f"lot {self.lot!r} has characters GS1 does not allow: {bad}")
        if self.expiry_ai not in ("15", "17"):
            raise BadInput(f"expiry AI must be 15 or 17, got {self.expiry_ai!r}")

    @property
    def kind(self) -> LabelKind:
        return "pallet"

    @property
    def name(self) -> str:
        return self.sscc

    @property
    def elements(self) -> tuple[tuple[str, str], ...]:
        """(AI, value) pairs in symbol order: fixed-length first, then count, then lot."""
        pairs: list[tuple[str, str]] = [("00", self.sscc)]
        if self.content_gtin is not None:
            pairs.append(("02", self.content_gtin))
        if self.expiry is not None:
            pairs.append((self.expiry_ai, self.expiry.strftime("%y%m%d")))
        if self.count is not None:
            pairs.append(("37", str(self.count)))
        if self.lot is not None:
            pairs.append(("10", self.lot))
        return tuple(pairs)

    @property
    def hri(self) -> str:
        """The parenthesised human-readable text, e.g. (00)106141411234567897(02)…"""
        return "".join(f"({ai}){value}" for ai, value in self.elements)

    @property
    def heading(self) -> str:
        return f"SSCC {self.sscc}"

    @property
    def lines(self) -> tuple[str, ...]:
        lines = [" ".join(part for part in (self.sku, self.description) if part)]
        if self.count is not None:
            lines.append(f"count {self.count}")
        if self.lot is not None:
            lines.append(f"lot {self.lot}")
        if self.expiry is not None:
            word = "best before" if self.expiry_ai == "15" else "expiry"
            lines.append(f"{word} {self.expiry.isoformat()}")
        return tuple(line for line in lines if line)

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        elements = list(self.elements)
        groups = [elements]
        if len(_element_string(elements)) > MAX_GS1_128_CHARACTERS:
            # The SSCC gets its own symbol and every content symbol starts with (02), so each
            # one is recognised as GS1 even by a scanner that sends no AIM identifier.
            sscc, content_gtin, *details = elements
            groups = [[sscc], [content_gtin]]
            for element in details:
                if len(_element_string([*groups[-1], element])) > MAX_GS1_128_CHARACTERS:
                    groups.append([content_gtin])
                groups[-1].append(element)
        return tuple(
            Symbol(
                Symbology.GS1_128,
                _element_string(group),
                _wrap([f"({ai}){value}" for ai, value in group], HRI_LINE_LENGTH),
            )
            for group in groups
        )


def _wrap(parts: list[str], width: int) -> tuple[str, ...]:
    """Parts joined into lines of at most width characters; a longer part gets its own line."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return tuple(lines)


def _element_string(elements: Iterable[tuple[str, str]]) -> str:
    """AIs and values run together, FNC1 after a variable-length field that is not last."""
    parts: list[str] = []
    for ai, value in elements:
        if parts and parts[-1][:2] not in _FIXED_LENGTH_AIS:
            parts[-1] += FNC1
        parts.append(ai + value)
    return "".join(parts)


def company_prefix(value: str) -> str:
    """A GS1 company prefix as configured: 4 to 12 digits."""
    prefix = value.strip()
    if not (prefix.isascii() and prefix.isdigit() and len(prefix) in COMPANY_PREFIX_LENGTHS):
        raise BadInput(f"GS1 company prefix must be 4 to 12 digits, got {value!r}")
    return prefix


def next_sscc(prefix: str, issued: Iterable[str], extension: str = "0") -> str:
    """The SSCC after the highest serial already issued under this company prefix."""
    prefix = company_prefix(prefix)
    head = extension + prefix
    serials = [
        int(sscc[len(head) : -1])
        for sscc in issued
        if sscc.startswith(head) and is_valid_sscc(sscc)
    ]
    serial = max(serials, default=0) + 1
    try:
        return make_sscc(prefix, serial, extension)
    except ValueError:
        raise BadInput(
            f"every SSCC serial under company prefix {prefix} is used; ask GS1 for another prefix"
        ) from None

