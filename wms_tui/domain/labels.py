"""What a label carries: the barcode data and the human-readable text, before any rendering.

Location labels are Code 128 of the location barcode with its check digits; item labels are
EAN-13 for a GTIN-13 and Code 128 otherwise; carton and pallet labels are GS1 logistic labels:
ship-from and ship-to blocks, what is inside, and GS1-128 symbols with the SSCC lowest.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
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

LabelKind = Literal["location", "item", "pallet", "carton"]
LogisticUnit = Literal["pallet", "carton"]
# Kinds printed as GS1 logistic labels: X-dimension of 0.495 mm or more, bars 32 mm or higher.
LOGISTIC_KINDS: frozenset[str] = frozenset({"pallet", "carton"})
# A 4 inch logistic label at X = 0.495 mm holds a GS1-128 symbol of this many symbol
# characters (start and check included) between its 10X quiet zones; more fields go in
# another symbol.
MAX_LOGISTIC_SYMBOL_CHARACTERS = 14
# (330n) logistic weight in kg: six digits with n implied decimals.
_WEIGHT_DIGITS = 6
_MAX_WEIGHT_DECIMALS = 3


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


# GS1 AIs (by their first two digits) of predefined length: no FNC1 is needed after them.
_FIXED_LENGTH_AIS = frozenset({"00", "02", "15", "17", "33"})


@dataclass(frozen=True)
class LabelContent:
    """One line of what a carton or pallet holds, printed in the label's content block."""

    sku: str
    description: str = ""
    quantity: int | None = None
    uom: str = ""
    lot: str | None = None
    expiry: date | None = None

    @property
    def text(self) -> str:
        amount = f"{self.quantity} {self.uom}".strip() if self.quantity is not None else ""
        lot = f"lot {self.lot}" if self.lot else ""
        expiry = f"exp {self.expiry.isoformat()}" if self.expiry is not None else ""
        parts = (self.sku, self.description, amount, lot, expiry)
        return " ".join(part for part in parts if part)


def weight_element(kilograms: Decimal) -> tuple[str, str]:
    """(330n, six digits): the gross weight in kg with n implied decimals, as few as exact."""
    if not kilograms.is_finite() or kilograms <= 0:
        raise BadInput(f"weight must be more than 0 kg, got {kilograms}")
    for decimals in range(_MAX_WEIGHT_DECIMALS + 1):
        scaled = kilograms.scaleb(decimals)
        if scaled == scaled.to_integral_value():
            digits = str(int(scaled))
            if len(digits) > _WEIGHT_DIGITS:
                break
            return f"330{decimals}", digits.zfill(_WEIGHT_DIGITS)
    raise BadInput(f"weight {kilograms} kg must fit six digits with at most "
                   f"{_MAX_WEIGHT_DECIMALS} decimals (330n)")


@dataclass(frozen=True)
class LogisticLabel:
    """A GS1 logistic label for a carton or a pallet: who ships, to whom, what, and the SSCC.

    A unit of one item and lot also carries the content GTIN, count, lot and expiry in
    barcodes; a mixed unit lists its contents as text only, as GS1 logistic labels do. The
    gross weight, when known, is (330n). The SSCC gets a symbol of its own, the lowest one;
    the other fields fill the symbols above it, as many per symbol as a 4 inch label holds at
    the logistic X-dimension.
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
    unit: LogisticUnit = "pallet"
    ship_from: tuple[str, ...] = ()
    ship_to: tuple[str, ...] = ()
    contents: tuple[LabelContent, ...] = ()
    gross_weight_kg: Decimal | None = None

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
        if self.unit not in LOGISTIC_KINDS:
            raise BadInput(f"a logistic label is for a carton or a pallet, not {self.unit!r}")
        if self.gross_weight_kg is not None:
            weight_element(self.gross_weight_kg)

    @property
    def kind(self) -> LabelKind:
        return self.unit

    @property
    def name(self) -> str:
        return self.sscc

    @property
    def elements(self) -> tuple[tuple[str, str], ...]:
        """(AI, value) pairs: the SSCC, then the content with its count next to its GTIN."""
        pairs: list[tuple[str, str]] = [("00", self.sscc)]
        if self.content_gtin is not None:
            pairs.append(("02", self.content_gtin))
        if self.count is not None:
            pairs.append(("37", str(self.count)))
        if self.expiry is not None:
            pairs.append((self.expiry_ai, self.expiry.strftime("%y%m%d")))
        if self.gross_weight_kg is not None:
            pairs.append(weight_element(self.gross_weight_kg))
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
        lines = [*_block("From", self.ship_from), *_block("To", self.ship_to)]
        lines.append(" ".join(part for part in (self.sku, self.description) if part))
        if self.count is not None:
            lines.append(f"count {self.count}")
        if self.lot is not None:
            lines.append(f"lot {self.lot}")
        if self.expiry is not None:
            word = "best before" if self.expiry_ai == "15" else "expiry"
            lines.append(f"{word} {self.expiry.isoformat()}")
        lines.extend(content.text for content in self.contents)
        if self.gross_weight_kg is not None:
            lines.append(f"gross weight {self.gross_weight_kg} kg")
        return tuple(line for line in lines if line)

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        sscc, *content = self.elements
        groups: list[list[tuple[str, str]]] = []
        for element in content:
            grown = [*groups[-1], element] if groups else []
            if grown and gs1_128_symbol_characters(
                _element_string(grown)
            ) <= MAX_LOGISTIC_SYMBOL_CHARACTERS:
                groups[-1] = grown
            else:
                groups.append([element])
        # GS1 logistic labels: the SSCC is always the lowest barcode, in a symbol of its own.
        groups.append([sscc])
        return tuple(
            Symbol(
                Symbology.GS1_128,
                _element_string(group),
                _wrap([f"({ai}){value}" for ai, value in group], HRI_LINE_LENGTH),
            )
            for group in groups
        )


def _block(caption: str, lines: tuple[str, ...]) -> list[str]:
    """A ship-from or ship-to block: the caption before its first line, the rest indented."""
    shown_lines = [line.strip() for line in lines if line.strip()]
    if not shown_lines:
        return []
    first, *rest = shown_lines
    indent = " " * (len(caption) + 2)
    return [f"{caption}: {first}", *(indent + line for line in rest)]


def gs1_128_symbol_characters(data: str) -> int:
    """Symbol characters of the GS1-128 symbol for data, start, leading FNC1 and check included.

    Counted as python-barcode (and so the ZPL) encodes it: starting in subset C, digits in
    pairs, a run of four or more digits switching back to C, anything else in subset B.
    """
    count = 3
    subset = "C"
    position = 0
    while position < len(data):
        char = data[position]
        if char.isdigit():
            end = position
            while end < len(data) and data[end].isdigit():
                end += 1
            run = end - position
            if subset == "B" and run > 3:
                count += 1
                subset = "C"
            if subset == "C":
                count += run // 2
                if run % 2:
                    count += 2
                    subset = "B"
            else:
                count += run
            position = end
            continue
        if char != FNC1 and subset == "C":
            count += 1
            subset = "B"
        count += 1
        position += 1
    return count


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

