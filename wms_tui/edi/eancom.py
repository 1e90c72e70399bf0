"""EANCOM DESADV and ORDERS: read an interchange into messages (refused whole, each problem
named by segment and element), turn them into the order imports' rows, build a DESADV.

Segments are numbered through the interchange from UNB (1); UNA is not counted. Elements are
numbered after the tag (1 is the first data element), as the message guides do.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydifact.segmentcollection import RawSegmentCollection
from pydifact.segments import Segment

from wms_tui.domain.checkdigits import is_valid_sscc, normalize_gtin
from wms_tui.domain.errors import ScanRejected

KINDS = {"DESADV": "inbound", "ORDERS": "outbound"}
# Measure units that only say "pieces of the GTIN's unit": the GTIN already names the unit.
PIECES = {"PCE", "EA", "NAR", "C62"}
DATE_FORMATS = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S"}
UNA = "UNA:+.? '"


class EdiError(ValueError):
    """The interchange is refused whole; problems holds one sentence per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class EdiLine:
    """One LIN group: the item by GTIN or supplier article, what is despatched or ordered."""

    segment: int
    line_no: int
    quantity: int
    gtin: str | None = None
    article: str | None = None
    unit: str | None = None
    lot: str | None = None
    expiry: date | None = None
    sscc: str | None = None
    order_ref: str | None = None
    order_line: int | None = None


@dataclass(frozen=True)
class Package:
    """One CPS level: its parent level, the SSCC on it (GIN+BJ) and gross weight (MEA+PD)."""

    level: int
    parent: int | None = None
    sscc: str | None = None
    weight_kg: Decimal | None = None


@dataclass(frozen=True)
class EdiMessage:
    """One DESADV or ORDERS message with what this warehouse reads from it."""

    kind: str
    segment: int
    number: str
    order_ref: str | None = None
    document_date: datetime | None = None
    delivery_date: date | None = None
    buyer: str | None = None
    supplier: str | None = None
    delivery_party: str | None = None
    packages: tuple[Package, ...] = ()
    lines: tuple[EdiLine, ...] = ()


@dataclass
class _Draft:
    kind: str
    segment: int
    fields: dict[str, Any] = field(default_factory=dict)
    packages: list[Package] = field(default_factory=list)
    lines: list[EdiLine] = field(default_factory=list)
    count: int = 0


def _component(element: Any, index: int) -> str:
    parts = element if isinstance(element, list) else [element]
    value = parts[index] if index < len(parts) else ""
    return (value or "").strip()


def _element(seg: Segment, position: int, component: int = 0) -> str:
    elements = seg.elements
    if position > len(elements):
        return ""
    return _component(elements[position - 1], component)


class _Reader:
    """Walks the segments once, collecting every problem before refusing."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.messages: list[EdiMessage] = []
        self.draft: _Draft | None = None
        self.line: EdiLine | None = None

    def fail(self, number: int, seg: Segment, position: int, reason: str) -> None:
        self.problems.append(f"segment {number} {seg.tag}, element {position}: {reason}")

    def number_of(self, number: int, seg: Segment, position: int, component: int,
                  what: str) -> int | None:
        text = _element(seg, position, component)
        if not text.isascii() or not text.isdigit() or int(text) <= 0:
            self.fail(number, seg, position, f"{what} {text!r} is not a whole number above 0")
            return None
        return int(text)

    def when(self, number: int, seg: Segment) -> tuple[str, datetime | None]:
        qualifier, text, fmt = (_element(seg, 1, i) for i in range(3))
        pattern = DATE_FORMATS.get(fmt or "102")
        try:
            if pattern is None:
                raise ValueError(fmt)
            return qualifier, datetime.strptime(text, pattern)
        except ValueError:
            self.fail(number, seg, 1, f"date {text!r} does not match format {fmt or '102'}")
            return qualifier, None

    def segment(self, number: int, seg: Segment) -> None:
        tag = seg.tag
        if tag in ("UNA", "UNB", "UNZ"):
            return
        if tag == "UNH":
            self.start(number, seg)
            return
        draft = self.draft
        if draft is None:
            self.fail(number, seg, 1, "segment outside a message (UNH ... UNT)")
            return
        draft.count += 1
        if tag == "UNT":
            self.end(number, seg, draft)
        elif tag == "BGM":
            draft.fields["number"] = _element(seg, 2)
            if not draft.fields["number"]:
                self.fail(number, seg, 2, "the document number is missing")
        elif tag == "DTM":
            qualifier, moment = self.when(number, seg)
            self.dated(draft, qualifier, moment)
        elif tag == "NAD":
            party = _element(seg, 4) or _element(seg, 2) or _element(seg, 3)
            name = {"BY": "buyer", "SU": "supplier", "DP": "delivery_party"}.get(_element(seg, 1))
            if name:
                draft.fields[name] = party[:80]
        elif tag == "RFF" and _element(seg, 1) == "ON":
            self.reference(number, seg, draft)
        elif tag == "CPS":
            self.package(number, seg, draft)
        elif tag == "MEA" and _element(seg, 1) == "PD" and draft.packages and self.line is None:
            self.weight(number, seg, draft)
        elif tag == "GIN":
            self.identity(number, seg, draft)
        elif tag == "LIN":
            self.start_line(number, seg, draft)
        elif tag == "PIA" and self.line is not None:
            self.product(number, seg)
        elif tag == "GIR" and self.line is not None and _element(seg, 2, 1) == "BX":
            self.line = replace(self.line, lot=_element(seg, 2))
        elif tag == "QTY" and self.line is not None:
            self.quantity(number, seg, draft)

    def start(self, number: int, seg: Segment) -> None:
        if self.draft is not None:
            self.fail(number, seg, 1, "a message starts before the last one ended (UNT)")
        kind = _element(seg, 2)
        if kind not in KINDS:
            self.fail(number, seg, 2, f"message type {kind!r} is not DESADV or ORDERS")
        self.draft = _Draft(kind, number, count=1)
        self.line = None

    def end(self, number: int, seg: Segment, draft: _Draft) -> None:
        self.close_line(draft)
        said = _element(seg, 1)
        if said != str(draft.count):
            self.fail(number, seg, 1, f"says {said!r} segments, the message has {draft.count}")
        self.draft = None
        f = draft.fields
        self.messages.append(EdiMessage(
            draft.kind, draft.segment, f.get("number", ""), f.get("order_ref"),
            f.get("document_date"), f.get("delivery_date"), f.get("buyer"), f.get("supplier"),
            f.get("delivery_party"), tuple(draft.packages), tuple(draft.lines)))

    def dated(self, draft: _Draft, qualifier: str, moment: datetime | None) -> None:
        if moment is None:
            return
        if qualifier == "361" and self.line is not None:
            self.line = replace(self.line, expiry=moment.date())
        elif qualifier == "137":
            draft.fields["document_date"] = moment
        elif qualifier in ("2", "17", "132") and "delivery_date" not in draft.fields:
            draft.fields["delivery_date"] = moment.date()

    def reference(self, number: int, seg: Segment, draft: _Draft) -> None:
        ref = _element(seg, 1, 1)
        line_text = _element(seg, 1, 2)
        if self.line is None:
            draft.fields["order_ref"] = ref
            return
        order_line = None
        if line_text:
            order_line = self.number_of(number, seg, 1, 2, "order line")
        self.line = replace(self.line, order_ref=ref, order_line=order_line)

    def package(self, number: int, seg: Segment, draft: _Draft) -> None:
        self.close_line(draft)
        level = self.number_of(number, seg, 1, 0, "level")
        parent = _element(seg, 2)
        if level is not None:
            draft.packages.append(Package(level, int(parent) if parent.isdigit() else None))

    def weight(self, number: int, seg: Segment, draft: _Draft) -> None:
        unit, text = _element(seg, 3, 0), _element(seg, 3, 1)
        try:
            kg = Decimal(text)
            if unit != "KGM" or not kg.is_finite() or kg <= 0:
                raise InvalidOperation(text)
        except InvalidOperation:
            self.fail(number, seg, 3, f"weight {unit}:{text!r} is not a weight in KGM above 0")
            return
        draft.packages[-1] = replace(draft.packages[-1], weight_kg=kg)

    def identity(self, number: int, seg: Segment, draft: _Draft) -> None:
        code, value = _element(seg, 1), _element(seg, 2)
        if code == "BX" and self.line is not None:
            self.line = replace(self.line, lot=value)
        elif code == "BJ":
            if not is_valid_sscc(value):
                self.fail(number, seg, 2, f"{value!r} is not an SSCC (18 digits, check digit)")
            elif self.line is not None:
                self.line = replace(self.line, sscc=value)
            elif draft.packages:
                draft.packages[-1] = replace(draft.packages[-1], sscc=value)
            else:
                self.fail(number, seg, 2, "an SSCC before any CPS package level")

    def start_line(self, number: int, seg: Segment, draft: _Draft) -> None:
        self.close_line(draft)
        line_no = self.number_of(number, seg, 1, 0, "line number") or 0
        gtin = _element(seg, 3)
        if gtin:
            try:
                gtin = normalize_gtin(gtin)
            except ScanRejected:
                self.fail(number, seg, 3, f"{gtin!r} is not a GTIN (8 to 14 digits, check digit)")
        sscc = draft.packages[-1].sscc if draft.packages else None
        self.line = EdiLine(number, line_no, 0, gtin=gtin or None, sscc=sscc)

    def product(self, number: int, seg: Segment) -> None:
        assert self.line is not None
        for position in range(2, len(seg.elements) + 1):
            value, code = _element(seg, position), _element(seg, position, 1)
            if code == "SA" and value:
                self.line = replace(self.line, article=value)
            elif code == "NB" and value:
                self.line = replace(self.line, lot=value)
            elif code in ("SRV", "EN") and value and self.line.gtin is None:
                self.line = replace(self.line, gtin=value)

    def quantity(self, number: int, seg: Segment, draft: _Draft) -> None:
        assert self.line is not None
        wanted = "12" if draft.kind == "DESADV" else "21"
        if _element(seg, 1) != wanted:
            return
        text = _element(seg, 1, 1)
        if not text.isascii() or not text.isdigit() or int(text) <= 0:
            self.fail(number, seg, 1, f"quantity {text!r} is not a number of whole units")
            return
        unit = _element(seg, 1, 2).upper() or None
        self.line = replace(self.line, quantity=int(text), unit=unit)

    def close_line(self, draft: _Draft) -> None:
        line, self.line = self.line, None
        if line is None:
            return
        if line.quantity <= 0:
            wanted = "QTY+12" if draft.kind == "DESADV" else "QTY+21"
            self.problems.append(f"segment {line.segment} LIN, element 1: line {line.line_no} "
                                 f"has no {wanted} quantity")
        if line.gtin is None and line.article is None:
            self.problems.append(f"segment {line.segment} LIN, element 3: line {line.line_no} "
                                 "names no GTIN (LIN) or supplier article (PIA ...:SA)")
        draft.lines.append(line)


def parse_interchange(text: str) -> list[EdiMessage]:
    """Every DESADV and ORDERS message of an interchange; any problem refuses all of them."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            segments = RawSegmentCollection.from_str(text.strip()).segments
    except Exception as exc:  # pydifact raises its own errors and plain ones
        raise EdiError([f"not an EDIFACT interchange: {exc}"]) from exc
    reader = _Reader()
    counted = [s for s in segments if s.tag != "UNA"]
    for number, seg in enumerate(counted, start=1):
        reader.segment(number, seg)
    if reader.draft is not None:
        reader.problems.append(f"segment {reader.draft.segment} UNH, element 1: the message "
                               "has no UNT")
    if not reader.messages and not reader.problems:
        reader.problems.append("segment 1: the interchange holds no message (UNH)")
    if reader.problems:
        raise EdiError(reader.problems)
    return reader.messages


def rows_for_import(messages: Sequence[EdiMessage]) -> tuple[str, list[dict[str, object]],
                                                               dict[int, str]]:
    """The order kind, one import row per line (as the CSV import reads them) and, per row
    number, the segment it came from."""
    kinds = {KINDS[m.kind] for m in messages}
    if len(kinds) != 1:
        raise EdiError(["the interchange mixes DESADV and ORDERS: send one type per file"])
    kind = kinds.pop()
    rows: list[dict[str, object]] = []
    origins: dict[int, str] = {}
    for message in messages:
        head: dict[str, object] = {"reference": message.number}
        if kind == "inbound":
            head.update(supplier=message.supplier, expected_date=message.delivery_date)
        else:
            head.update(customer=message.buyer or message.delivery_party,
                        ship_date=message.delivery_date)
        for line in message.lines:
            row = dict(head, line_no=line.line_no, sku=line.gtin or line.article,
                       quantity=line.quantity)
            if line.unit and line.unit not in PIECES:
                row["uom"] = line.unit
            if kind == "inbound":
                row.update(lot=line.lot, expiry=line.expiry, sscc=line.sscc)
            rows.append({k: v for k, v in row.items() if v is not None})
            origins[len(rows)] = f"segment {line.segment} LIN (line {line.line_no})"
    return kind, rows, origins


@dataclass(frozen=True)
class Despatch:
    """What a DESADV for one shipment says: cartons as packages under one shipment level."""

    number: str
    shipped_at: datetime
    sender: str
    recipient: str
    control: str
    buyer: str | None
    packages: tuple[Package, ...]
    lines: tuple[EdiLine, ...]


def _dtm(qualifier: str, moment: datetime | date) -> Segment:
    if isinstance(moment, datetime):
        return Segment("DTM", [qualifier, moment.strftime("%Y%m%d%H%M"), "203"])
    return Segment("DTM", [qualifier, moment.strftime("%Y%m%d"), "102"])


def build_desadv(despatch: Despatch) -> str:
    """The interchange: UNB, one DESADV D.96A EAN005 message, UNZ; one segment a line."""
    d = despatch
    body: list[Segment] = [
        Segment("UNH", "1", ["DESADV", "D", "96A", "UN", "EAN005"]),
        Segment("BGM", "351", d.number, "9"),
        _dtm("137", d.shipped_at), _dtm("11", d.shipped_at),
    ]
    orders = sorted({ln.order_ref for ln in d.lines if ln.order_ref})
    if len(orders) == 1:
        body.append(Segment("RFF", ["ON", orders[0]]))
    if d.buyer:
        body.append(Segment("NAD", "BY", "", "", d.buyer))
    body.append(Segment("CPS", "1"))
    for package in d.packages:
        body.append(Segment("CPS", str(package.level), str(package.parent or 1)))
        body.append(Segment("PAC", "1", "", "CT"))
        if package.weight_kg is not None:
            body.append(Segment("MEA", "PD", "AAB", ["KGM", f"{package.weight_kg:f}"]))
        body += [Segment("PCI", "33E"), Segment("GIN", "BJ", package.sscc or "")]
        for line in (ln for ln in d.lines if ln.sscc == package.sscc):
            body.append(Segment("LIN", str(line.line_no), "", [line.gtin or "", "SRV"])
                        if line.gtin else Segment("LIN", str(line.line_no)))
            if line.article:
                body.append(Segment("PIA", "1", [line.article, "SA"]))
            body.append(Segment("QTY", ["12", str(line.quantity)] +
                                ([line.unit] if line.unit else [])))
            if line.order_ref:
                body.append(Segment("RFF", ["ON", line.order_ref, str(line.order_line or "")]))
            if line.lot or line.expiry:
                body.append(Segment("PCI", "36E"))
                if line.expiry:
                    body.append(_dtm("361", line.expiry))
                if line.lot:
                    body.append(Segment("GIN", "BX", line.lot))
    body.append(Segment("CNT", ["2", str(len(d.lines))]))
    body.append(Segment("UNT", str(len(body) + 1), "1"))
    stamp = d.shipped_at
    names = " ".join(filter(None, [d.buyer, *(ln.article or "" for ln in d.lines),
                                   *(ln.lot or "" for ln in d.lines)]))
    # UNOC (syntax 3) holds Latin-1 only; a Chinese customer name needs UNOW (UTF-8, syntax 4).
    syntax = ["UNOC", "3"] if names.isascii() or _latin1(names) else ["UNOW", "4"]
    segments = [Segment("UNB", syntax, [d.sender, "14"], [d.recipient, "14"],
                        [stamp.strftime("%y%m%d"), stamp.strftime("%H%M")], d.control),
                *body, Segment("UNZ", "1", d.control)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = RawSegmentCollection.from_segments(segments).serialize(break_lines=True)
    return f"{UNA}\n{text.strip()}\n"


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
