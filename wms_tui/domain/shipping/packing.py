"""Packing a tote into cartons: each carton an LPN named by a new SSCC, its contents moved
from the tote onto it (MOVE movements) and recorded against the order's lines; units the
packer did not find are recorded as short with a reason. Every confirmation posts once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, TransientConflict
from wms_tui.domain.model import Actor, ItemRef, LocationRef, LocationType, StockStatus
from wms_tui.domain.outbound.model import OutboundOrderRef, OutboundStatus
from wms_tui.domain.outbound.steps import check_key
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.serials import SerialNotHere, check_entry, serial_repository
from wms_tui.domain.shipping.common import item_of, location_of, lot_of, run_once
from wms_tui.domain.shipping.model import (
    LineRoom,
    PackChunk,
    PackRequest,
    PackResult,
    ShortResult,
    SsccSettings,
    ToteStock,
    WeightSource,
    carton_type,
    carton_weight,
)
from wms_tui.domain.shipping.ports import CartonSpec, ShippingUnitOfWork
from wms_tui.domain.shipping.rules import after, merged, split_pack
from wms_tui.domain.status_words import status_word

# Serials skipped because a pallet label took them: more than this in a row is a broken counter.
MAX_SSCC_SKIPS = 1000


def tote_order(uow: ShippingUnitOfWork, tote: LocationRef) -> OutboundOrderRef:
    """The order the tote collects, its row locked until commit."""
    binding = uow.outbound.tote_binding(tote.id)
    if binding is None:
        raise BadInput(N_("tote {tote} holds no order"), tote=tote.code)
    uow.outbound.lock_order(binding.order_id)
    order = uow.outbound.order(binding.order_id)
    if order.status in (OutboundStatus.CANCELLED, OutboundStatus.SHIPPED):
        raise BadInput(N_("order {ref} is {status}"), ref=order.reference,
                       status=status_word(order.status))
    return order


def tote_stock(uow: ShippingUnitOfWork, tote: LocationRef, order_id: int) -> list[ToteStock]:
    """What is loose in the tote to pack: free stock off any LPN, less what was recorded short."""
    shorts = uow.shipping.short_at_pack(order_id, tote.id)
    found = []
    for row in uow.stock.balances(location_id=tote.id):
        k = row.key
        if k.lpn_id is not None or k.status != StockStatus.AVAILABLE:
            continue
        left = row.available - shorts.get((k.item_id, k.lot_id), 0)
        if left > 0:
            expiry = uow.stock.lot_expiry(k.lot_id) if k.lot_id is not None else None
            found.append(ToteStock(k.item_id, k.lot_id, left, expiry))
    return found


def line_room(uow: ShippingUnitOfWork, order_id: int) -> list[LineRoom]:
    packed = uow.shipping.packed_by_line(order_id)
    return [LineRoom(ln.id, ln.line_no, ln.item_id, ln.picked - packed.get(ln.id, 0))
            for ln in uow.outbound.lines(order_id)]


def pack_carton(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, *, tote: str,
    requests: Sequence[PackRequest] = (), everything: bool = False, kind: str,
    settings: SsccSettings, weight_kg: Decimal | None = None,
    weight_source: WeightSource | None = None, station: str | None = None,
    key: str | None = None,
) -> PackResult:
    """Pack units of the tote's order into one new carton at the station (default the tote).

    requests name the units (an item, quantity, optionally lot and serials); everything packs
    all that is left in the tote. Units the tote does not hold or the order does not need are
    refused as extras, naming how many.
    """
    key = check_key(key)
    require(actor, Action.PICK)
    if everything == bool(requests):
        raise BadInput(N_("name the units packed, or pack everything left in the tote"))
    code = carton_type(kind)
    weight = carton_weight(weight_kg) if weight_kg is not None else None
    return run_once(
        uow_factory, actor, key, "pack", PackResult,
        lambda uow: _pack(uow, actor, tote, requests, everything, code, settings, weight,
                          weight_source, station, key),
        describe=lambda r: f"pack {r.sscc} {r.order}")


def _pack(
    uow: ShippingUnitOfWork, actor: Actor, tote_code: str, requests: Sequence[PackRequest],
    everything: bool, kind: str, settings: SsccSettings, weight: Decimal | None,
    weight_source: WeightSource | None, station_code: str | None, key: str,
) -> PackResult:
    tote = location_of(uow, tote_code, LocationType.STAGING)
    order = tote_order(uow, tote)
    station = (location_of(uow, station_code, LocationType.STAGING, LocationType.DOCK)
               if station_code else tote)
    left, room = tote_stock(uow, tote, order.id), line_room(uow, order.id)
    items: dict[int, ItemRef] = {}
    wanted_serials: dict[int, list[str]] = {}
    chunks: list[PackChunk] = []
    asked: list[tuple[int, int | None, int, tuple[str, ...]]] = []
    if everything:
        asked = [(s.item_id, s.lot_id, s.quantity, ()) for s in left]
        if not asked:
            raise BadInput(N_("tote {tote} has nothing left to pack"), tote=tote.code)
    else:
        for request in requests:
            item = item_of(uow, request.item)
            items[item.id] = item
            asked.append((item.id, lot_of(uow, item, request.lot), request.quantity,
                          request.serials))
    for item_id, lot_id, quantity, serials in asked:
        item = items.setdefault(item_id, uow.catalog.item(item_id))
        found = split_pack(item_id, quantity, lot_id, left, room, sku=item.sku,
                           uom=item.base_uom, tote=tote.code, order=order.reference)
        left, room = after(left, room, found)
        chunks += found
        wanted_serials.setdefault(item_id, []).extend(serials)
    sscc = _new_sscc(uow, settings)
    lpn_id = uow.stock.ensure_lpn(sscc, sscc, station.id)
    carton_id = uow.shipping.add_carton(CartonSpec(
        sscc, lpn_id, order.id, tote.id, kind, actor.user_id, weight,
        weight_source if weight is not None else None))
    movement_ids = []
    serials_of = _serials(uow, tote, items, chunks, wanted_serials)
    for (item_id, lot_id), quantity in _by_lot(chunks).items():
        [movement_id] = stock.apply_in(uow, actor, stock.Move(
            item_id, quantity, tote.id, station.id, order.reference, lot_id=lot_id,
            to_lpn_id=lpn_id), key)
        movement_ids.append(movement_id)
        moving = serials_of.get((item_id, lot_id), [])
        place_serials(uow, items[item_id], moving, tote.id, station.id, lpn_id, movement_id)
        for chunk in merged([c for c in chunks if (c.item_id, c.lot_id) == (item_id, lot_id)]):
            mine, moving = moving[:chunk.quantity], moving[chunk.quantity:]
            uow.shipping.add_carton_line(carton_id, chunk.line_id, item_id, lot_id,
                                         chunk.quantity, mine, movement_id)
    return PackResult(key, sscc, tote.code, order.reference, station.code, movement_ids,
                      sum(c.quantity for c in chunks),
                      f"{weight:f}" if weight is not None else None)


def _by_lot(chunks: Sequence[PackChunk]) -> dict[tuple[int, int | None], int]:
    totals: dict[tuple[int, int | None], int] = {}
    for c in chunks:
        totals[(c.item_id, c.lot_id)] = totals.get((c.item_id, c.lot_id), 0) + c.quantity
    return totals


def _new_sscc(uow: ShippingUnitOfWork, settings: SsccSettings) -> str:
    """The next SSCC from the counter, past any a pallet label issued from the same range."""
    for _ in range(MAX_SSCC_SKIPS):
        sscc = settings.sscc(uow.shipping.next_sscc_serial(settings.extension, settings.prefix))
        if not uow.shipping.sscc_taken(sscc):
            return sscc
    raise TransientConflict("no free SSCC serial in a thousand tries")


def _serials(
    uow: ShippingUnitOfWork, tote: LocationRef, items: dict[int, ItemRef],
    chunks: Sequence[PackChunk], wanted: dict[int, list[str]],
) -> dict[tuple[int, int | None], list[str]]:
    """The serials each (item, lot) of the carton carries: those the packer named, else all
    of the item loose in the tote when that is exactly the quantity packed."""
    found: dict[tuple[int, int | None], list[str]] = {}
    totals = _by_lot(chunks)
    for item_id in dict.fromkeys(i for i, _ in totals):
        item = items[item_id]
        if not item.serial_tracked:
            continue
        total = sum(q for (i, _), q in totals.items() if i == item_id)
        named = wanted.get(item_id) or []
        if not named:
            here = [r.serial for r in serial_repository(uow).at_location(tote.id, item_id)
                    if r.lpn_id is None]
            if len(here) != total:
                raise BadInput(N_("{sku} is serial-tracked: name the {qty} serials packed"),
                               sku=item.sku, qty=total)
            named = here
        left = list(check_entry(named, total, item.sku))
        for (i, lot_id), quantity in totals.items():
            if i == item_id:
                found[(i, lot_id)], left = left[:quantity], left[quantity:]
    return found


def place_serials(uow: ShippingUnitOfWork, item: ItemRef, serials: Sequence[str],
                  from_id: int, to_id: int, lpn_id: int, movement_id: int) -> None:
    """Move a carton's serials with it (onto its LPN at to_id) and link them to the movement."""
    repo = serial_repository(uow)
    records = {r.serial: r for r in repo.in_stock(item.id, serials)}
    for serial in serials:
        record = records.get(serial)
        if record is None or not repo.place(record.id, from_id, to_id, lpn_id):
            raise SerialNotHere(N_("Serial {serial} not here"), serial=serial)
        repo.link(record.id, movement_id)


def record_short(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, *, tote: str, item: str,
    quantity: int, reason: str, lot: str | None = None, key: str | None = None,
) -> ShortResult:
    """Record units of the tote's order the packer did not find, with a reason code.

    The book stock stays in the tote (a count settles where it went); the order line keeps
    them unshipped, so the order stays open with them left.
    """
    key = check_key(key)
    require(actor, Action.PICK)
    if quantity <= 0:
        raise InvalidQuantity(N_("a short is a quantity above 0"))
    def work(uow: ShippingUnitOfWork) -> ShortResult:
        code = reason.strip().upper()
        if not uow.catalog.reason_exists(code):
            raise BadInput(N_("unknown reason code {code!r}"), code=code[:12])
        place = location_of(uow, tote, LocationType.STAGING)
        order = tote_order(uow, place)
        found = item_of(uow, item)
        lot_id = lot_of(uow, found, lot)
        room = line_room(uow, order.id)
        split_pack(found.id, quantity, lot_id, tote_stock(uow, place, order.id), room,
                   sku=found.sku, uom=found.base_uom, tote=place.code, order=order.reference)
        slots = [s for s in tote_stock(uow, place, order.id)
                 if s.item_id == found.id and (lot_id is None or s.lot_id == lot_id)]
        left = quantity
        for slot in slots:
            take = min(left, slot.quantity)
            if take:
                uow.shipping.add_pack_exception(order.id, place.id, found.id, slot.lot_id, take,
                                                code, actor.user_id)
            left -= take
        return ShortResult(key, place.code, order.reference, found.sku, quantity, code)

    return run_once(uow_factory, actor, key, "pack_short", ShortResult, work,
                    describe=lambda r: f"short {r.sku} {r.order}")
