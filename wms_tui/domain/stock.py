"""The posting service: every stock change is one transaction of ledger rows plus balances."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from wms_tui.domain.errors import (
    N_,
    BadInput,
    InsufficientStock,
    InvalidQuantity,
    NotFound,
    TransientConflict,
)
from wms_tui.domain.model import (
    Actor,
    BalanceKey,
    ItemRef,
    MovementKind,
    MovementRecord,
    PostResult,
    StockStatus,
)
from wms_tui.domain.once import exactly_once
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.serials import serial_repository, store_received_serials, take_serials
from wms_tui.domain.status_words import status_word
from wms_tui.domain.units import to_base_units

T = TypeVar("T")
MAX_ATTEMPTS = 8
MAX_REFERENCE = 60


@dataclass(frozen=True)
class Receive:
    item_id: int
    quantity: int | str
    location_id: int
    reference: str
    uom: str | None = None
    lot: str | None = None
    expiry: date | None = None
    lpn: str | None = None
    sscc: str | None = None
    status: StockStatus = StockStatus.AVAILABLE
    # Set for a receipt beyond what its order allows (an over-receipt), with its supervisor.
    reason_code: str | None = None
    approved_by: int | None = None
    # One serial per base unit of a serial-tracked item (domain.serials), stored in stock.
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Move:
    item_id: int
    quantity: int | str
    from_location_id: int
    to_location_id: int
    reference: str
    uom: str | None = None
    lot_id: int | None = None
    from_lpn_id: int | None = None
    to_lpn_id: int | None = None
    status: StockStatus = StockStatus.AVAILABLE
    reason_code: str | None = None


@dataclass(frozen=True)
class MoveLpn:
    lpn_id: int
    to_location_id: int
    reference: str
    reason_code: str | None = None


@dataclass(frozen=True)
class Pick:
    """Issue stock; with reservation set, the units come out of that reservation."""

    item_id: int
    quantity: int | str
    location_id: int
    reference: str
    uom: str | None = None
    lot_id: int | None = None
    lpn_id: int | None = None
    reservation: str | None = None
    to_location_id: int | None = None
    # One serial per base unit picked; each must be in stock at location_id (domain.serials).
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class Adjust:
    """Signed correction of a balance; needs a reason code and a supervisor."""

    item_id: int
    delta: int
    location_id: int
    reason_code: str
    reference: str
    lot_id: int | None = None
    lpn_id: int | None = None
    status: StockStatus = StockStatus.AVAILABLE
    approved_by: int | None = None


@dataclass(frozen=True)
class ChangeStatus:
    item_id: int
    quantity: int | str
    location_id: int
    from_status: StockStatus
    to_status: StockStatus
    reference: str
    reason_code: str | None = None
    lot_id: int | None = None
    lpn_id: int | None = None


@dataclass(frozen=True)
class Reserve:
    item_id: int
    quantity: int
    location_id: int
    reference: str
    lot_id: int | None = None
    lpn_id: int | None = None


Command = Receive | Move | MoveLpn | Pick | Adjust | ChangeStatus


def new_confirmation_key() -> str:
    """A key made when the confirm step is shown, so a resubmit is recognised."""
    return uuid.uuid4().hex


def with_retry(work: Callable[[], T], attempts: int = MAX_ATTEMPTS) -> T:
    """Run one transaction, retrying lock and serialization conflicts with jittered backoff."""
    delay = 0.005
    for attempt in range(attempts):
        try:
            return work()
        except TransientConflict:
            if attempt == attempts - 1:
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")


def post(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, command: Command, key: str | None = None
) -> PostResult:
    """Post one confirmation exactly once: a known key returns the first result, posting nothing."""
    key = key or new_confirmation_key()
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")
    reference = command.reference.strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise BadInput(f"reference must be 1 to {MAX_REFERENCE} characters")
    return with_retry(lambda: _post_once(uow_factory(), actor, command, key))


def _post_once(uow: UnitOfWork, actor: Actor, command: Command, key: str) -> PostResult:
    with uow:
        def work() -> PostResult:
            ids = apply_in(uow, actor, command, key)
            return PostResult(confirmation=key, movement_ids=ids, message=_describe(command))

        return exactly_once(uow, actor.user_id, key, type(command).__name__.lower(), PostResult,
                            work, describe=lambda result: result.message)


def _describe(command: Command) -> str:
    return f"{type(command).__name__.lower()} {command.reference}"


def apply_in(uow: UnitOfWork, actor: Actor, command: Command, key: str) -> list[int]:
    """Post a command inside a transaction the caller owns (so it can add its own rows)."""
    base = MovementRecord(
        kind=MovementKind.MOVE, item_id=0, quantity=0, user_id=actor.user_id,
        terminal=actor.terminal, reference=command.reference.strip(), confirmation=key,
    )
    match command:
        case Receive():
            require(actor, Action.RECEIVE)
            return [_receive(uow, command, base)]
        case Move():
            require(actor, Action.MOVE)
            return [_move(uow, command, base)]
        case MoveLpn():
            require(actor, Action.MOVE)
            return _move_lpn(uow, command, base)
        case Pick():
            require(actor, Action.PICK)
            return [_pick(uow, command, base)]
        case Adjust():
            require(actor, Action.ADJUST)
            return [_adjust(uow, command, base)]
        case ChangeStatus():
            require(actor, Action.CHANGE_STATUS)
            return [_change_status(uow, command, base)]
    raise BadInput(f"unknown command {command!r}")


def _base_qty(uow: UnitOfWork, item: ItemRef, quantity: int | str, uom: str | None) -> int:
    return to_base_units(quantity, uom, item.base_uom, uow.catalog.units(item.id))


def _take(uow: UnitOfWork, key: BalanceKey, qty: int, item: ItemRef) -> None:
    if not uow.stock.take(key, qty):
        row = uow.stock.balance(key)
        loc = uow.catalog.location(key.location_id).code
        have = 0 if row is None else row.available
        raise InsufficientStock(
            N_("only {have} {uom} of {sku} free at {loc}, not {qty}"),
            have=have, uom=item.base_uom, sku=item.sku, loc=loc, qty=qty,
        )


def _receive(uow: UnitOfWork, cmd: Receive, base: MovementRecord) -> int:
    item = uow.catalog.item(cmd.item_id)
    qty = _base_qty(uow, item, cmd.quantity, cmd.uom)
    location = uow.catalog.location(cmd.location_id)
    if cmd.reason_code and not uow.catalog.reason_exists(cmd.reason_code):
        raise BadInput(N_("unknown reason code {code!r}"), code=cmd.reason_code)
    lot_id = _lot_for_receipt(uow, item, cmd.lot, cmd.expiry)
    lpn_id = None
    if cmd.lpn or cmd.sscc:
        lpn_id = uow.stock.ensure_lpn(cmd.lpn or cmd.sscc or "", cmd.sscc, location.id)
    key = BalanceKey(item.id, location.id, lot_id, lpn_id, cmd.status)
    uow.stock.put(key, qty)
    if lpn_id is not None:
        _place_lpn(uow, lpn_id, location.id)
    movement_id = uow.stock.append(replace(
        base, kind=MovementKind.RECEIVE, item_id=item.id, quantity=qty, lot_id=lot_id,
        to_location_id=location.id, to_lpn_id=lpn_id, to_status=cmd.status,
        reason_code=cmd.reason_code, approved_by=cmd.approved_by,
    ))
    if cmd.serials:
        store_received_serials(serial_repository(uow), item, qty, cmd.serials, movement_id,
                               location_id=location.id, lpn_id=lpn_id, lot_id=lot_id)
    return movement_id


def _place_lpn(uow: UnitOfWork, lpn_id: int, location_id: int) -> None:
    """An LPN is one pallet in one place: stock put on it elsewhere would split it."""
    elsewhere = [r.key.location_id for r in uow.stock.balances_on_lpn(lpn_id)
                 if r.quantity > 0 and r.key.location_id != location_id]
    if elsewhere:
        raise BadInput(N_("LPN {code} is at {loc}"),
                       code=uow.catalog.lpn(lpn_id).code,
                       loc=uow.catalog.location(elsewhere[0]).code)
    uow.stock.set_lpn_location(lpn_id, location_id)


def _lot_for_receipt(
    uow: UnitOfWork, item: ItemRef, lot: str | None, expiry: date | None
) -> int | None:
    if item.lot_tracked and not lot:
        raise BadInput(N_("{sku} is lot-tracked: a lot is needed"), sku=item.sku)
    if item.expiry_tracked and expiry is None:
        raise BadInput(N_("{sku} is expiry-tracked: an expiry date is needed"), sku=item.sku)
    if not lot:
        if expiry is not None:
            lot = f"EXP{expiry:%Y%m%d}"
        else:
            return None
    if len(lot) > 20:
        raise BadInput(N_("lot {lot!r}… is longer than 20 characters"), lot=lot[:20])
    lot_id = uow.stock.lot_id(item.id, lot, expiry, create=True)
    assert lot_id is not None
    known = uow.stock.lot_expiry(lot_id)
    if expiry is not None and known is not None and known != expiry:
        raise BadInput(N_("lot {lot} of {sku} expires {known}, not {expiry}"),
                       lot=lot, sku=item.sku, known=known, expiry=expiry)
    return lot_id


def _move(uow: UnitOfWork, cmd: Move, base: MovementRecord) -> int:
    if cmd.from_location_id == cmd.to_location_id and cmd.from_lpn_id == cmd.to_lpn_id:
        raise BadInput(N_("move from and to are the same place"))
    item = uow.catalog.item(cmd.item_id)
    qty = _base_qty(uow, item, cmd.quantity, cmd.uom)
    to_loc = uow.catalog.location(cmd.to_location_id)
    if cmd.reason_code and not uow.catalog.reason_exists(cmd.reason_code):
        raise BadInput(N_("unknown reason code {code!r}"), code=cmd.reason_code)
    src = BalanceKey(item.id, cmd.from_location_id, cmd.lot_id, cmd.from_lpn_id, cmd.status)
    dst = BalanceKey(item.id, to_loc.id, cmd.lot_id, cmd.to_lpn_id, cmd.status)
    _take(uow, src, qty, item)
    uow.stock.put(dst, qty)
    if cmd.to_lpn_id is not None:
        _place_lpn(uow, cmd.to_lpn_id, to_loc.id)
    return uow.stock.append(replace(
        base, kind=MovementKind.MOVE, item_id=item.id, quantity=qty, lot_id=cmd.lot_id,
        from_location_id=cmd.from_location_id, to_location_id=to_loc.id,
        from_lpn_id=cmd.from_lpn_id, to_lpn_id=cmd.to_lpn_id,
        from_status=cmd.status, to_status=cmd.status, reason_code=cmd.reason_code,
    ))


def _move_lpn(uow: UnitOfWork, cmd: MoveLpn, base: MovementRecord) -> list[int]:
    """Move everything on a pallet; reserved stock stays reserved wherever the pallet goes."""
    lpn = uow.catalog.lpn(cmd.lpn_id)
    to_loc = uow.catalog.location(cmd.to_location_id)
    if cmd.reason_code and not uow.catalog.reason_exists(cmd.reason_code):
        raise BadInput(N_("unknown reason code {code!r}"), code=cmd.reason_code)
    rows = [r for r in uow.stock.balances_on_lpn(lpn.id) if r.quantity > 0]
    if not rows:
        raise InsufficientStock(N_("LPN {code} is empty"), code=lpn.code)
    if any(r.reserved for r in rows):
        raise InsufficientStock(
            N_("LPN {code} has stock reserved for picking; move it by item"), code=lpn.code)
    if rows[0].key.location_id == to_loc.id:
        raise BadInput(N_("LPN {code} is already at {loc}"), code=lpn.code, loc=to_loc.code)
    ids = []
    for row in rows:
        item = uow.catalog.item(row.key.item_id)
        _take(uow, row.key, row.quantity, item)
        uow.stock.put(replace(row.key, location_id=to_loc.id), row.quantity)
        ids.append(uow.stock.append(replace(
            base, kind=MovementKind.MOVE, item_id=row.key.item_id, quantity=row.quantity,
            lot_id=row.key.lot_id, from_location_id=row.key.location_id,
            to_location_id=to_loc.id, from_lpn_id=lpn.id, to_lpn_id=lpn.id,
            from_status=row.key.status, to_status=row.key.status, reason_code=cmd.reason_code,
        )))
    uow.stock.set_lpn_location(lpn.id, to_loc.id)
    return ids


def _pick(uow: UnitOfWork, cmd: Pick, base: MovementRecord) -> int:
    item = uow.catalog.item(cmd.item_id)
    qty = _base_qty(uow, item, cmd.quantity, cmd.uom)
    key = BalanceKey(item.id, cmd.location_id, cmd.lot_id, cmd.lpn_id, StockStatus.AVAILABLE)
    if cmd.reservation:
        reserved = uow.stock.reserved_for(key, cmd.reservation)
        if reserved == 0:
            raise NotFound(N_("nothing of {sku} is reserved for {ref} here"),
                           sku=item.sku, ref=cmd.reservation)
        if qty > reserved:
            raise InvalidQuantity(N_("only {qty} {uom} reserved for {ref}"),
                                  qty=reserved, uom=item.base_uom, ref=cmd.reservation)
        # Releasing first inside the same transaction turns the reserved units into free ones.
        uow.stock.release(key, qty, cmd.reservation)
    _take(uow, key, qty, item)
    if cmd.to_location_id is not None:
        uow.stock.put(replace(key, location_id=cmd.to_location_id, lpn_id=None), qty)
    movement_id = uow.stock.append(replace(
        base, kind=MovementKind.PICK, item_id=item.id, quantity=qty, lot_id=cmd.lot_id,
        from_location_id=cmd.location_id, from_lpn_id=cmd.lpn_id,
        from_status=StockStatus.AVAILABLE, to_location_id=cmd.to_location_id,
        to_status=StockStatus.AVAILABLE if cmd.to_location_id is not None else None,
    ))
    if cmd.serials:
        take_serials(serial_repository(uow), item, qty, cmd.serials, movement_id,
                     from_location_id=cmd.location_id, from_lpn_id=cmd.lpn_id,
                     to_location_id=cmd.to_location_id)
    return movement_id


def _adjust(uow: UnitOfWork, cmd: Adjust, base: MovementRecord) -> int:
    if cmd.delta == 0:
        raise InvalidQuantity(N_("an adjustment of 0 changes nothing"))
    if not uow.catalog.reason_exists(cmd.reason_code):
        raise BadInput(N_("unknown reason code {code!r}"), code=cmd.reason_code)
    item = uow.catalog.item(cmd.item_id)
    uow.catalog.location(cmd.location_id)
    key = BalanceKey(item.id, cmd.location_id, cmd.lot_id, cmd.lpn_id, cmd.status)
    qty = abs(cmd.delta)
    if cmd.delta > 0:
        if item.lot_tracked and cmd.lot_id is None:
            raise BadInput(N_("{sku} is lot-tracked: a lot is needed"), sku=item.sku)
        uow.stock.put(key, qty)
        if cmd.lpn_id is not None:
            _place_lpn(uow, cmd.lpn_id, cmd.location_id)
        sides = dict(to_location_id=cmd.location_id, to_lpn_id=cmd.lpn_id, to_status=cmd.status)
    else:
        _take(uow, key, qty, item)
        sides = dict(from_location_id=cmd.location_id, from_lpn_id=cmd.lpn_id,
                     from_status=cmd.status)
    return uow.stock.append(replace(
        base, kind=MovementKind.ADJUST, item_id=item.id, quantity=qty, lot_id=cmd.lot_id,
        reason_code=cmd.reason_code, approved_by=cmd.approved_by, **sides,  # type: ignore[arg-type]
    ))


def _change_status(uow: UnitOfWork, cmd: ChangeStatus, base: MovementRecord) -> int:
    if cmd.from_status == cmd.to_status:
        raise BadInput(N_("stock is already {status}"), status=status_word(cmd.to_status))
    if cmd.reason_code and not uow.catalog.reason_exists(cmd.reason_code):
        raise BadInput(N_("unknown reason code {code!r}"), code=cmd.reason_code)
    item = uow.catalog.item(cmd.item_id)
    qty = _base_qty(uow, item, cmd.quantity, None)
    src = BalanceKey(item.id, cmd.location_id, cmd.lot_id, cmd.lpn_id, cmd.from_status)
    _take(uow, src, qty, item)
    uow.stock.put(replace(src, status=cmd.to_status), qty)
    return uow.stock.append(replace(
        base, kind=MovementKind.STATUS, item_id=item.id, quantity=qty, lot_id=cmd.lot_id,
        from_location_id=cmd.location_id, to_location_id=cmd.location_id,
        from_lpn_id=cmd.lpn_id, to_lpn_id=cmd.lpn_id,
        from_status=cmd.from_status, to_status=cmd.to_status, reason_code=cmd.reason_code,
    ))


def reserve(uow_factory: Callable[[], UnitOfWork], actor: Actor, cmd: Reserve) -> None:
    """Promise stock to a reference; reserved never exceeds on hand (code and CHECK)."""
    require(actor, Action.PICK)
    if cmd.quantity <= 0:
        raise InvalidQuantity(N_("reserve a quantity above 0"))

    def work() -> None:
        with uow_factory() as uow:
            key = BalanceKey(cmd.item_id, cmd.location_id, cmd.lot_id, cmd.lpn_id)
            if not uow.stock.reserve(key, cmd.quantity, cmd.reference):
                row = uow.stock.balance(key)
                free = 0 if row is None else row.available
                raise InsufficientStock(N_("only {free} free to reserve, not {qty}"),
                                        free=free, qty=cmd.quantity)
            uow.commit()

    with_retry(work)


def ledger_mismatches(uow: UnitOfWork) -> list[str]:
    """Every balance whose quantity differs from the sum of its ledger rows (should be none)."""
    sums = uow.stock.ledger_sums()
    problems = []
    seen = set()
    for row in uow.stock.balances():
        seen.add(row.key)
        if sums.get(row.key, 0) != row.quantity:
            problems.append(
                f"balance {row.key.text()} is {row.quantity}, ledger says {sums.get(row.key, 0)}")
        if row.quantity < 0 or row.reserved < 0 or row.reserved > row.quantity:
            problems.append(
                f"balance {row.key.text()} has {row.quantity} on hand, {row.reserved} reserved")
    for key, total in sums.items():
        if key not in seen and total != 0:
            problems.append(f"ledger has {total} for {key.text()} but there is no balance")
    return problems
