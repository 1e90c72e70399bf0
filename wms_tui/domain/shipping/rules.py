"""Pure packing rules: which order lines and lots the units in a carton are counted against,
and which requests are refused as extras (more than the tote holds or the order needs)."""

from __future__ import annotations

from collections.abc import Sequence

from wms_tui.domain.errors import N_, InvalidQuantity, ScanRejected
from wms_tui.domain.shipping.model import LineRoom, PackChunk, ToteStock


def _fefo(slot: ToteStock) -> tuple[bool, str, str]:
    """First expiry first; lots without an expiry after, then by lot code."""
    return (slot.expiry is None, slot.expiry.isoformat() if slot.expiry else "", slot.lot or "")


def split_pack(
    item_id: int, quantity: int, lot_id: int | None, stock: Sequence[ToteStock],
    lines: Sequence[LineRoom], *, sku: str, uom: str, tote: str, order: str,
) -> list[PackChunk]:
    """Split units of one item (and lot, when given) over the tote's lots, first expiry first,
    and the order's lines in line order; refuses what the tote or the order has no room for.

    stock and lines are what is left after earlier requests of the same carton.
    """
    if quantity <= 0:
        raise InvalidQuantity(N_("pack a quantity above 0"))
    mine = [ln for ln in sorted(lines, key=lambda ln: ln.line_no) if ln.item_id == item_id]
    if not mine:
        raise ScanRejected(N_("{sku} is not on order {order}: take it out"), sku=sku,
                           order=order)
    slots = sorted((s for s in stock if s.item_id == item_id and s.quantity > 0
                    and (lot_id is None or s.lot_id == lot_id)), key=_fefo)
    have = sum(s.quantity for s in slots)
    if have < quantity:
        raise InvalidQuantity(
            N_("tote {tote} holds {have} {uom} of {sku} to pack, not {qty}: {extra} extra"),
            tote=tote, have=have, uom=uom, sku=sku, qty=quantity, extra=quantity - have)
    room = sum(ln.room for ln in mine)
    if room < quantity:
        raise InvalidQuantity(
            N_("order {order} needs {room} more {uom} of {sku}, not {qty}: {extra} extra"),
            order=order, room=room, uom=uom, sku=sku, qty=quantity, extra=quantity - room)
    chunks: list[PackChunk] = []
    slot_left = {i: s.quantity for i, s in enumerate(slots)}
    line_left = {i: ln.room for i, ln in enumerate(mine)}
    wanted = quantity
    si = li = 0
    while wanted:
        while slot_left[si] == 0:
            si += 1
        while line_left[li] == 0:
            li += 1
        take = min(wanted, slot_left[si], line_left[li])
        chunks.append(PackChunk(item_id, slots[si].lot_id, mine[li].line_id, take))
        slot_left[si] -= take
        line_left[li] -= take
        wanted -= take
    return chunks


def after(stock: Sequence[ToteStock], lines: Sequence[LineRoom],
          chunks: Sequence[PackChunk]) -> tuple[list[ToteStock], list[LineRoom]]:
    """The tote's stock and the lines' room once these chunks are packed."""
    stock_out = list(stock)
    lines_out = list(lines)
    for chunk in chunks:
        for i, s in enumerate(stock_out):
            if s.item_id == chunk.item_id and s.lot_id == chunk.lot_id and s.quantity:
                stock_out[i] = ToteStock(s.item_id, s.lot_id, s.quantity - chunk.quantity,
                                         s.expiry, s.lot)
                break
        for i, ln in enumerate(lines_out):
            if ln.line_id == chunk.line_id:
                lines_out[i] = LineRoom(ln.line_id, ln.line_no, ln.item_id,
                                        ln.room - chunk.quantity)
                break
    return stock_out, lines_out


def merged(chunks: Sequence[PackChunk]) -> list[PackChunk]:
    """Chunks of the same line and lot added together, in first-seen order."""
    totals: dict[tuple[int, int | None, int], int] = {}
    for c in chunks:
        key = (c.item_id, c.lot_id, c.line_id)
        totals[key] = totals.get(key, 0) + c.quantity
    return [PackChunk(item, lot, line, qty) for (item, lot, line), qty in totals.items()]
