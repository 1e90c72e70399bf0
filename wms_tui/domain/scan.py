"""What a scan says: normalise the raw characters, read GS1 data, find the thing it names.

The text of a scan is operator input: it is never rendered with Rich markup, and the
explanation shows control characters escaped rather than sending them to a terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal, Protocol

from wms_tui.domain.checkdigits import (
    GTIN_LENGTHS,
    SSCC_LENGTH,
    gs1_check_digit,
    is_ascii_digits,
    is_valid_gtin,
    is_valid_sscc,
    normalize_gtin,
)
from wms_tui.domain.errors import N_, ScanRejected
from wms_tui.domain.model import ItemRef, LocationRef, LpnRef
from wms_tui.domain.text import shown
from wms_tui.domain.weights import Weight, gs1_weight

if TYPE_CHECKING:
    from biip.gs1_element_strings import GS1ElementString

GS = "\x1d"
DEFAULT_MAX_SCAN_LENGTH = 256

# Scanners end a scan with Enter or Tab; only those and spaces are trimmed, never GS.
_SCANNER_SUFFIX = "\r\n\t "
_AIM_PREFIX = re.compile(r"\][A-Za-z][0-9A-Za-z]")
# AIM identifiers whose data is a GS1 element string (FNC1 in first position).
GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
# AIM identifiers whose data is a bare GTIN (EAN-13/UPC-A, EAN-8, ITF-14).
GTIN_SYMBOLOGIES = frozenset({"]E0", "]E4", "]I1"})
# Refused because a terminal or parser could act on them: C0 controls other than GS, DEL,
# C1 controls, and the lone surrogates that undecodable terminal bytes turn into.
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x1c\x1e\x1f\x7f-\x9f\ud800-\udfff]")
# Digits are 0-9 only: \d would also match other scripts' digits, which no GS1 key has.
_HRI_START = re.compile(r"\([0-9]{2,4}\)")
# Without an AIM prefix or GS, only a leading SSCC or GTIN key with a right check digit
# marks an element string, so a SKU such as "10ABC" is not read as lot "ABC".
_LEADING_GS1_KEY = re.compile(r"(?:00([0-9]{18})|0[12]([0-9]{14}))")
_HRI_KEY = re.compile(r"\((00|01|02)\)\s*([0-9]+)")
_DISPLAY_LIMIT = 40


@dataclass(frozen=True)
class NormalizedScan:
    """A scan with suffix and AIM prefix removed; GS is kept as the GS1 field separator."""

    text: str
    symbology: str | None = None
    gs1: bool = False


@dataclass(frozen=True)
class Gs1Data:
    """What a GS1 barcode answers; fields keeps each AI's raw value as scanned, weights the
    weight AIs (310n, 320n, 330n, 340n) decoded with their implied decimal point."""

    gtin: str | None = None
    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None
    sscc: str | None = None
    quantity: int | None = None
    content_gtin: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    weights: dict[str, Weight] = field(default_factory=dict)

    @property
    def net_weight(self) -> Weight | None:
        return next((w for w in self.weights.values() if w.basis == "net"), None)

    @property
    def gross_weight(self) -> Weight | None:
        return next((w for w in self.weights.values() if w.basis == "gross"), None)

    @property
    def weight(self) -> Weight | None:
        """The net weight (310n/320n, the first if both), else the gross (logistic) weight."""
        return self.net_weight or self.gross_weight


ResolutionKind = Literal["item", "location", "lpn", "check_digits", "unknown"]


@dataclass(frozen=True)
class Resolution:
    """The thing a scan names, plus any lot, expiry, serial or quantity its GS1 data gave."""

    kind: ResolutionKind
    item: ItemRef | None = None
    location: LocationRef | None = None
    lpn: LpnRef | None = None
    gs1: Gs1Data | None = None
    quantity: int | None = None
    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None
    weight: Weight | None = None
    message: str = ""


class ScanCatalog(Protocol):
    """The lookups a scan needs; the database layer and test fakes both provide them."""

    def item_by_gtin(self, gtin14: str) -> ItemRef | None:
        """The item and unit a GTIN-14 stands for (ItemRef.uom and factor)."""
        ...

    def item_by_code(self, code: str) -> ItemRef | None:
        """The item whose SKU or alias is code."""
        ...

    def location_by_code(self, code: str) -> LocationRef | None:
        """The location whose barcode or code is code."""
        ...

    def lpn_by_code(self, code: str) -> LpnRef | None:
        """The LPN whose code or SSCC is code."""
        ...


def _check_separator(separator: str) -> None:
    if (
        len(separator) != 1
        or not separator.isprintable()
        or separator.isspace()
        or separator.isalnum()
    ):
        raise ValueError(
            f"scan separator must be one printable symbol such as '|' or '~', got {separator!r}"
        )


def _looks_like_element_string(text: str) -> bool:
    match = _LEADING_GS1_KEY.match(text)
    if match is None:
        return False
    sscc, gtin = match.groups()
    return is_valid_sscc(sscc) if sscc is not None else is_valid_gtin(gtin)


def normalize_scan(
    raw: str,
    *,
    separator: str | None = None,
    max_length: int = DEFAULT_MAX_SCAN_LENGTH,
) -> NormalizedScan:
    """Clean one scan or typed entry, refusing anything a terminal or parser could misread."""
    if separator is not None:
        _check_separator(separator)
    trimmed = raw.rstrip(_SCANNER_SUFFIX)
    text = trimmed.lstrip(" ")
    leading = len(trimmed) - len(text)
    # The cap comes before any per-character work so an endless paste costs nothing.
    if len(text) > max_length:
        raise ScanRejected(N_("scan is too long: {length} characters, the limit is {limit}"),
                           length=len(text), limit=max_length)
    bad = _FORBIDDEN_CHARACTER.search(text)
    if bad is not None:
        raise ScanRejected(
            N_("scan has a control character (0x{code:02X}) at position {position}"),
            code=ord(bad.group()), position=leading + bad.start() + 1,
        )
    if not text:
        raise ScanRejected(N_("Nothing scanned: scan the code"))

    symbology: str | None = None
    if _AIM_PREFIX.match(text):
        symbology, text = text[:3], text[3:]
        if not text:
            raise ScanRejected(N_("scan has only the symbology identifier {symbology}"),
                               symbology=symbology)
    if separator is not None:
        text = text.replace(separator, GS)
    if not text.strip(GS):
        raise ScanRejected(N_("scan has only GS1 separators and no data"))
    gs1 = (
        symbology in GS1_SYMBOLOGIES
        or GS in text
        or _HRI_START.match(text) is not None
        or _looks_like_element_string(text)
    )
    return NormalizedScan(text=text, symbology=symbology, gs1=gs1)


def _claims_gs1(scan: NormalizedScan) -> bool:
    """True when the scan itself says it is GS1, so a failure to parse is an error."""
    return (
        scan.symbology in GS1_SYMBOLOGIES
        or GS in scan.text
        or _HRI_START.match(scan.text) is not None
    )


def _not_gs1_character(text: str) -> tuple[str, int] | None:
    """The first character no GS1 element string or Digital Link can hold, and its position.

    GS1 data is ASCII (GS1's character set 82 and URI syntax): a fullwidth or Arabic-Indic
    digit is not a digit of a GTIN or a quantity, however str.isdigit and int() read it.
    """
    for position, character in enumerate(text, 1):
        if not character.isascii():
            return character, position
    return None


class Gs1Unreadable(Exception):
    """GS1 data that does not parse, with biip's reason or ours."""


def _gs1_elements(scan: NormalizedScan) -> list[GS1ElementString]:
    """The element strings biip finds, or Gs1Unreadable with biip's reason."""
    # biip costs a tenth of a command's start-up, so it is loaded by the first GS1 scan only.
    import biip
    from biip.gs1_messages import GS1Message

    if _HRI_START.match(scan.text):
        try:
            return list(GS1Message.parse_hri(scan.text).element_strings)
        except biip.ParseError as exc:
            raise Gs1Unreadable(str(exc)) from exc
    prefix = scan.symbology if scan.symbology in GS1_SYMBOLOGIES else ""
    if not prefix and scan.text.startswith("]"):
        # biip would read it as a symbology identifier: "]" and a GS is an IndexError there.
        raise Gs1Unreadable(f"'{shown(scan.text[:3])}' is not a symbology identifier")
    try:
        result = biip.parse(f"{prefix}{scan.text}")
    except biip.ParseError as exc:
        raise Gs1Unreadable(str(exc)) from exc
    except (ValueError, IndexError) as exc:
        # biip lets urllib's errors through for a malformed web address (https://[).
        raise Gs1Unreadable(f"not a GS1 element string or Digital Link ({exc})") from exc
    if result.gs1_message is not None:
        return list(result.gs1_message.element_strings)
    if result.gs1_digital_link_uri is not None:
        return list(result.gs1_digital_link_uri.element_strings)
    reason = (
        result.gs1_message_error
        or result.gs1_digital_link_uri_error
        or f"no GS1 data in {scan.text!r}"
    )
    raise Gs1Unreadable(reason)


def _add_weight(weights: dict[str, Weight], ai: str, weight: Weight) -> None:
    """One AI per measure and unit: (3102) next to (3103) leaves the weight unknown (GS1
    syntax dictionary: 310n excludes the other 310n); kg next to lb is allowed."""
    other = next((a for a in weights if a[:3] == ai[:3] and a != ai), None)
    if other is not None:
        raise Gs1Unreadable(f"AI ({other}) and ({ai}) both give the {weight.basis} weight "
                         f"in {weight.unit}")
    weights[ai] = weight


def _gs1_data_from(elements: list[GS1ElementString]) -> Gs1Data:
    fields: dict[str, str] = {}
    dates: dict[str, date] = {}
    weights: dict[str, Weight] = {}
    for element in elements:
        error = element.gtin_error or element.sscc_error or element.gln_error
        if error:
            raise Gs1Unreadable(error)
        ai = element.ai.ai
        if fields.setdefault(ai, element.value) != element.value:
            raise Gs1Unreadable(f"AI ({ai}) appears twice with different values")
        if element.date is not None:
            dates.setdefault(ai, element.date)
        # biip places the implied decimal point (GS1 General Specifications 3.6).
        weight = gs1_weight(ai, element.decimal) if element.decimal is not None else None
        if weight is not None:
            _add_weight(weights, ai, weight)
    quantity_text = fields.get("30") or fields.get("37")
    if quantity_text is not None and not is_ascii_digits(quantity_text):
        raise Gs1Unreadable(f"quantity '{shown(quantity_text)}' is not digits 0-9")
    return Gs1Data(
        gtin=fields.get("01"),
        lot=fields.get("10"),
        expiry=dates.get("17"),
        serial=fields.get("21"),
        sscc=fields.get("00"),
        quantity=int(quantity_text) if quantity_text is not None else None,
        content_gtin=fields.get("02"),
        fields=fields,
        weights=weights,
    )


def parse_gs1(scan: NormalizedScan | str) -> Gs1Data | None:
    """GS1 data in a scan, None when it is not GS1 at all (a location code or a SKU).

    Raises ScanRejected when the scan claims to be GS1 (AIM GS1 or GTIN identifier,
    HRI parentheses, or a GS) but does not parse or has a wrong check digit.
    """
    if isinstance(scan, str):
        scan = normalize_scan(scan)
    text = scan.text

    if _claims_gs1(scan):
        odd = _not_gs1_character(text)
        if odd is not None:
            raise ScanRejected(
                N_("GS1 barcode not readable: '{character}' at position {position} "
                   "is not a GS1 character"),
                character=shown(odd[0]), position=odd[1],
            )
        try:
            return _gs1_data_from(_gs1_elements(scan))
        except Gs1Unreadable as exc:
            raise ScanRejected(N_("GS1 barcode not readable: {reason}"), reason=str(exc)) from exc

    if scan.symbology in GTIN_SYMBOLOGIES:
        try:
            return Gs1Data(gtin=normalize_gtin(text))
        except ScanRejected as exc:
            raise ScanRejected(N_("{symbology} barcode not readable: {reason}"),
                               symbology=scan.symbology, reason=exc) from exc

    # A bare number with a wrong check digit may still be a SKU, so it is not refused here.
    if is_valid_gtin(text):
        return Gs1Data(gtin=normalize_gtin(text))
    if is_valid_sscc(text):
        return Gs1Data(sscc=text)
    if text.isascii() and (
        _looks_like_element_string(text) or text.startswith(("http://", "https://"))
    ):
        try:
            return _gs1_data_from(_gs1_elements(scan))
        except Gs1Unreadable:
            return None
    return None


def _key_verdict(label: str, code: str) -> str:
    expected = gs1_check_digit(code[:-1])
    if code[-1] == expected:
        return f"{label} {code}: check digit {expected} is right"
    return f"{label} {code}: check digit {code[-1]} is wrong, expected {expected}"


def _ai_key_verdict(ai: str, value: str) -> str:
    if ai == "00":
        if len(value) != SSCC_LENGTH:
            return f"(00) SSCC {value}: {len(value)} digits, expected {SSCC_LENGTH}"
        return _key_verdict("(00) SSCC", value)
    if len(value) != 14:
        return f"({ai}) GTIN {value}: {len(value)} digits, expected 14"
    return _key_verdict(f"({ai}) GTIN", value)


def check_digit_verdicts(text: str) -> list[str]:
    """One line per GTIN or SSCC found in the text saying whether its check digit is right."""
    if text.isascii() and text.isdigit():
        if len(text) in GTIN_LENGTHS:
            return [_key_verdict(f"GTIN-{len(text)}", text)]
        if len(text) == SSCC_LENGTH:
            return [_key_verdict("SSCC", text)]
    if _HRI_START.match(text):
        return [_ai_key_verdict(ai, value) for ai, value in _HRI_KEY.findall(text)]
    verdicts: list[str] = []
    for segment in text.split(GS):
        # Fixed-length keys chain without separators, as in an SSCC followed by (02).
        position = 0
        while match := _LEADING_GS1_KEY.match(segment, position):
            ai = segment[match.start() : match.start() + 2]
            verdicts.append(_ai_key_verdict(ai, match.group(1) or match.group(2)))
            position = match.end()
    return verdicts


def _item_message(item: ItemRef) -> str:
    unit = item.uom or item.base_uom
    pack = f"{unit} x{item.factor}" if item.factor != 1 else unit
    return f"item {item.sku} ({pack})"


def _resolution(
    kind: ResolutionKind,
    message: str,
    gs1: Gs1Data | None,
    *,
    item: ItemRef | None = None,
    location: LocationRef | None = None,
    lpn: LpnRef | None = None,
) -> Resolution:
    return Resolution(
        kind=kind,
        item=item,
        location=location,
        lpn=lpn,
        gs1=gs1,
        quantity=gs1.quantity if gs1 is not None else None,
        lot=gs1.lot if gs1 is not None else None,
        expiry=gs1.expiry if gs1 is not None else None,
        serial=gs1.serial if gs1 is not None else None,
        weight=gs1.weight if gs1 is not None else None,
        message=message,
    )


def resolve_scan(
    scan: NormalizedScan,
    catalog: ScanCatalog,
    *,
    expected_location: LocationRef | None = None,
) -> Resolution:
    """Find what a scan names; kind "unknown" is an answer, the flow decides what it means.

    Raises ScanRejected only when the scan claims GS1 and is malformed (see parse_gs1).
    """
    gs1 = parse_gs1(scan)
    # A pallet label often carries only the content GTIN (02) next to its SSCC.
    gtin = (gs1.gtin or gs1.content_gtin) if gs1 is not None else None
    gtin_item = catalog.item_by_gtin(gtin) if gtin is not None else None

    if gs1 is not None and gs1.sscc is not None:
        lpn = catalog.lpn_by_code(gs1.sscc)
        if lpn is not None:
            return _resolution("lpn", f"LPN {lpn.code}", gs1, lpn=lpn, item=gtin_item)
    if gtin_item is not None:
        return _resolution("item", _item_message(gtin_item), gs1, item=gtin_item)

    text = scan.text
    if expected_location is not None and text == expected_location.check_digits:
        message = f"location {expected_location.code} (check digits)"
        return _resolution("check_digits", message, gs1, location=expected_location)
    location = catalog.location_by_code(text)
    if location is not None:
        return _resolution("location", f"location {location.code}", gs1, location=location)
    lpn = catalog.lpn_by_code(text)
    if lpn is not None:
        return _resolution("lpn", f"LPN {lpn.code}", gs1, lpn=lpn)
    item = catalog.item_by_code(text)
    if item is not None:
        return _resolution("item", _item_message(item), gs1, item=item)

    if gs1 is not None and gs1.sscc is not None:
        message = f"unknown SSCC {gs1.sscc}"
    elif gtin is not None:
        message = f"unknown GTIN {gtin}"
    else:
        message = f"unknown barcode '{shown(text, _DISPLAY_LIMIT)}'"
    return _resolution("unknown", message, gs1)


def _gs1_json(gs1: Gs1Data) -> dict[str, object]:
    return {
        "gtin": gs1.gtin,
        "lot": gs1.lot,
        "expiry": gs1.expiry.isoformat() if gs1.expiry is not None else None,
        "serial": gs1.serial,
        "sscc": gs1.sscc,
        "quantity": gs1.quantity,
        "content_gtin": gs1.content_gtin,
        "fields": {ai: shown(value) for ai, value in gs1.fields.items()},
        # Values as text: a float would lose the decimals the label states (1.500 kg).
        "weights": {
            ai: {"value": f"{weight.value:f}", "unit": weight.unit, "basis": weight.basis}
            for ai, weight in gs1.weights.items()
        },
    }


def _resolution_json(resolution: Resolution) -> dict[str, object]:
    return {
        "kind": resolution.kind,
        "message": resolution.message,
        "item": resolution.item.sku if resolution.item is not None else None,
        "unit": (resolution.item.uom or resolution.item.base_uom) if resolution.item else None,
        "factor": resolution.item.factor if resolution.item is not None else None,
        "location": resolution.location.code if resolution.location is not None else None,
        "lpn": resolution.lpn.code if resolution.lpn is not None else None,
    }


def scan_explanation(
    raw: str,
    catalog: ScanCatalog | None = None,
    *,
    separator: str | None = None,
    max_length: int = DEFAULT_MAX_SCAN_LENGTH,
    expected_location: LocationRef | None = None,
) -> dict[str, object]:
    """Everything known about one scan as a JSON-able dict, for `wms scan explain`."""
    explanation: dict[str, object] = {
        "raw": shown(raw, max_length),
        "raw_length": len(raw),
        "accepted": False,
        "rejection": None,
        "text": None,
        "symbology": None,
        "gs1": False,
        "gs1_data": None,
        "gs1_error": None,
        "check_digits": [],
        "resolution": None,
    }
    try:
        scan = normalize_scan(raw, separator=separator, max_length=max_length)
    except ScanRejected as exc:
        explanation["rejection"] = str(exc)
        return explanation
    explanation.update(
        accepted=True,
        text=shown(scan.text),
        symbology=scan.symbology,
        gs1=scan.gs1,
        check_digits=check_digit_verdicts(scan.text),
    )
    try:
        gs1 = parse_gs1(scan)
    except ScanRejected as exc:
        explanation["gs1_error"] = str(exc)
        return explanation
    if gs1 is not None:
        explanation["gs1_data"] = _gs1_json(gs1)
    if catalog is not None:
        resolution = resolve_scan(scan, catalog, expected_location=expected_location)
        explanation["resolution"] = _resolution_json(resolution)
    return explanation
