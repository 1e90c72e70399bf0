"""Receiving rules shared by the RF flow and the posting, as pure functions on plain values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from wms_tui.domain.inbound.model import LOT_PATTERN, PALLET_UNITS, InboundLineRef
from wms_tui.domain.order_import import ISO_DATE


def is_pallet_unit(uom: str | None) -> bool:
    return uom is not None and uom.upper() in PALLET_UNITS


def valid_lot(text: str) -> bool:
    return LOT_PATTERN.fullmatch(text) is not None


def parse_expiry(text: str, today: date) -> date | None:
    """YYMMDD as GS1 reads it, or YYYY-MM-DD; None if it is not a real date.

    GS1's rules for YYMMDD: the century puts the year within 49 years back and 50 ahead of
    today's, and day 00 means the last day of the month.
    """
    text = text.strip()
    try:
        if ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        if len(text) == 6 and text.isascii() and text.isdigit():
            year = today.year - today.year % 100 + int(text[:2])
            if year - today.year >= 51:
                year -= 100
            elif year - today.year <= -50:
                year += 100
            month, day = int(text[2:4]), int(text[4:])
            if day == 0 and 1 <= month <= 12:
                following = date(year + month // 12, month % 12 + 1, 1)
                return date.fromordinal(following.toordinal() - 1)
            return date(year, month, day)
    except ValueError:
        return None
    return None


def choose_line(
    lines: Sequence[InboundLineRef], item_id: int, lot: str | None = None,
    sscc: str | None = None,
) -> InboundLineRef | None:
    """The line a receipt of this item counts against: one with quantity left first, then
    one announcing this pallet and lot (ASN pallet and lot are advice, never a refusal)."""
    candidates = [ln for ln in lines if ln.item_id == item_id]
    if not candidates:
        return None

    def rank(line: InboundLineRef) -> tuple[bool, bool, bool, int]:
        other_pallet = sscc is not None and line.sscc is not None and line.sscc != sscc
        other_lot = lot is not None and line.lot is not None and line.lot != lot
        return (line.remaining == 0, other_pallet, other_lot, line.line_no)

    return min(candidates, key=rank)


def announced_expiry(line: InboundLineRef | None, lot: str | None, today: date) -> date | None:
    """The expiry the line announces for this lot, which a receipt of it takes without asking.

    Only for the very lot announced, and never one already past: then the operator keys the
    date on the goods, and an expired one is refused as usual.
    """
    if line is None or lot is None or line.lot != lot or line.expiry is None:
        return None
    return line.expiry if line.expiry >= today else None


def quantity_in(base_quantity: int, uom: str, factor: int, base_uom: str) -> str:
    """A base quantity shown in the scanned unit when it divides evenly, else in base units."""
    if factor > 1 and base_quantity % factor == 0:
        return f"{base_quantity // factor} {uom}"
    return f"{base_quantity} {base_uom}"

