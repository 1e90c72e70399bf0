"""Supervised stock control: signed adjustments and status changes (QC release and rejection,
damaged, blocked), each with a reason of the right kind, posted once on the ledger.

The codes a supervisor types (SKU, location, lot, LPN, reason) are read in the same
transaction that posts, through `exactly_once`, so a retried command never posts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, InsufficientStock, InvalidQuantity
from wms_tui.domain.model import Actor, BalanceKey, ItemRef, LocationRef, PostResult, StockStatus
from wms_tui.domain.once import exactly_once
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.ports import CatalogRepository, UnitOfWork
from wms_tui.domain.status_words import kind_word, status_word

ADJUST_KIND = "adjust"
STATUS_KIND = "status"
# Seeded by migrations 0001 (QC-PASS, QC-FAIL) and 0014 (the rest), all of kind "status".
QC_RELEASE_REASON = "QC-PASS"
QC_REJECT_REASONS = ("QC-REJ", "QC-DMG", "QC-LABEL")
# The reason a status change records when the supervisor names none; other changes need one.
_DEFAULT_REASONS = {
    (StockStatus.QC_HOLD, StockStatus.AVAILABLE): QC_RELEASE_REASON,
    (StockStatus.AVAILABLE, StockStatus.QC_HOLD): "QC-FAIL",
    (StockStatus.AVAILABLE, StockStatus.BLOCKED): "BLOCK",
    (StockStatus.QC_HOLD, StockStatus.BLOCKED): "BLOCK",
    (StockStatus.BLOCKED, StockStatus.AVAILABLE): "UNBLOCK",
}


class ReasonCatalog(CatalogRepository, Protocol):
    def reason_kind(self, code: str) -> str | None:
        """An active reason code's kind; None when there is no such active code."""
        ...


class StockControlUnitOfWork(UnitOfWork, Protocol):
    @property
    def catalog(self) -> ReasonCatalog: ...


StockControlUowFactory = Callable[[], StockControlUnitOfWork]


@dataclass(frozen=True)
class StockPlace:
    """One balance as a supervisor names it: codes, not ids."""

    item: str
    location: str
    lot: str | None = None
    lpn: str | None = None


@dataclass(frozen=True)
class AdjustRequest:
    place: StockPlace
    # Signed, in the item's base unit: +found, -lost.
    delta: int
    reason: str
    status: StockStatus = StockStatus.AVAILABLE
    reference: str | None = None


@dataclass(frozen=True)
class StatusRequest:
    place: StockPlace
    quantity: int
    from_status: StockStatus
    to_status: StockStatus
    reason: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class _Resolved:
    item: ItemRef
    location: LocationRef
    lot_id: int | None
    lpn_id: int | None


def default_status_reason(from_status: StockStatus, to_status: StockStatus) -> str | None:
    return _DEFAULT_REASONS.get((from_status, to_status))


def adjust_stock(
    uow_factory: StockControlUowFactory, actor: Actor, request: AdjustRequest, key: str
) -> PostResult:
    """Post a signed adjustment with an adjust reason, the supervisor as approver."""
    require(actor, Action.ADJUST)
    if request.delta == 0:
        raise InvalidQuantity(N_("an adjustment of 0 changes nothing"))
    return _once(uow_factory, actor, key, "adjust", lambda uow: _adjust(uow, actor, request, key))


def change_stock_status(
    uow_factory: StockControlUowFactory, actor: Actor, request: StatusRequest, key: str
) -> PostResult:
    """Post a status change (available, qc_hold, damaged, blocked) with a status reason."""
    require(actor, Action.CHANGE_STATUS)
    if request.quantity < 1:
        raise InvalidQuantity(N_("change the status of 1 or more, not {qty}"),
                              qty=request.quantity)
    if request.from_status == request.to_status:
        raise BadInput(N_("from and to are both {status}: nothing would change"),
                       status=status_word(request.to_status))
    return _once(uow_factory, actor, key, "change_status",
                 lambda uow: _change_status(uow, actor, request, key))


def _once(
    uow_factory: StockControlUowFactory, actor: Actor, key: str, operation: str,
    work: Callable[[StockControlUnitOfWork], PostResult],
) -> PostResult:
    if len(key) > 80:
        raise BadInput("confirmation key is longer than 80 characters")

    def attempt() -> PostResult:
        uow = uow_factory()
        with uow:
            return exactly_once(uow, actor.user_id, key, operation, PostResult,
                                lambda: work(uow), describe=lambda result: result.message)

    return stock.with_retry(attempt)


def _adjust(
    uow: StockControlUnitOfWork, actor: Actor, request: AdjustRequest, key: str
) -> PostResult:
    reason = _reason(uow, request.reason, ADJUST_KIND)
    place = _resolve(uow, request.place)
    if request.delta < 0:
        _check_enough(uow, place, request.status, -request.delta)
    reference = request.reference or f"ADJ-{place.location.code}"
    ids = stock.apply_in(uow, actor, stock.Adjust(
        place.item.id, request.delta, place.location.id, reason, reference, lot_id=place.lot_id,
        lpn_id=place.lpn_id, status=request.status, approved_by=actor.user_id,
    ), key)
    message = (f"adjusted {place.item.sku} at {place.location.code} by {request.delta:+d} "
               f"{place.item.base_uom} {request.status.value} ({reason})")
    return PostResult(key, ids, message)


def _change_status(
    uow: StockControlUnitOfWork, actor: Actor, request: StatusRequest, key: str
) -> PostResult:
    code = request.reason or default_status_reason(request.from_status, request.to_status)
    if code is None:
        raise BadInput(N_("a reason is needed to make {from_status} stock {to_status}"),
                       from_status=status_word(request.from_status),
                       to_status=status_word(request.to_status))
    reason = _reason(uow, code, STATUS_KIND)
    place = _resolve(uow, request.place)
    _check_enough(uow, place, request.from_status, request.quantity)
    reference = request.reference or f"STATUS-{place.location.code}"
    ids = stock.apply_in(uow, actor, stock.ChangeStatus(
        place.item.id, request.quantity, place.location.id, request.from_status,
        request.to_status, reference, reason_code=reason, lot_id=place.lot_id,
        lpn_id=place.lpn_id,
    ), key)
    message = (f"{request.quantity} {place.item.base_uom} {place.item.sku} at "
               f"{place.location.code}: {request.from_status.value} > "
               f"{request.to_status.value} ({reason})")
    return PostResult(key, ids, message)


def _reason(uow: StockControlUnitOfWork, code: str, kind: str) -> str:
    """The reason code, upper-cased, when it is active and of the kind the posting needs."""
    code = code.strip().upper()
    found = uow.catalog.reason_kind(code)
    if found is None:
        raise BadInput(N_("unknown reason code {code!r}"), code=code)
    if found != kind:
        raise BadInput(N_("reason {code} is of kind {found}, not {kind}"),
                       code=code, found=kind_word(found), kind=kind_word(kind))
    return code


def _resolve(uow: StockControlUnitOfWork, place: StockPlace) -> _Resolved:
    item = uow.catalog.item_by_code(place.item.strip())
    if item is None:
        raise BadInput(N_("no item {code}"), code=place.item)
    location = uow.catalog.location_by_code(place.location.strip())
    if location is None:
        raise BadInput(N_("no location {code}"), code=place.location)
    lot_id = None
    if place.lot:
        lot_id = uow.stock.lot_id(item.id, place.lot.strip(), None, create=False)
        if lot_id is None:
            raise BadInput(N_("no lot {lot} of {sku}"), lot=place.lot, sku=item.sku)
    elif item.lot_tracked:
        raise BadInput(N_("{sku} is lot-tracked: a lot is needed"), sku=item.sku)
    lpn_id = None
    if place.lpn:
        lpn = uow.catalog.lpn_by_code(place.lpn.strip())
        if lpn is None:
            raise BadInput(N_("no LPN {code}"), code=place.lpn)
        lpn_id = lpn.id
    return _Resolved(item, location, lot_id, lpn_id)


def _check_enough(
    uow: StockControlUnitOfWork, place: _Resolved, status: StockStatus, quantity: int
) -> None:
    """Refuse taking more than is there in that status, or than is free of reservations."""
    row = uow.stock.balance(BalanceKey(place.item.id, place.location.id, place.lot_id,
                                       place.lpn_id, status))
    have = 0 if row is None else row.quantity
    values = dict(sku=place.item.sku, loc=place.location.code, uom=place.item.base_uom,
                  status=status_word(status), qty=quantity)
    if quantity > have:
        raise InsufficientStock(N_("{sku} at {loc} has {have} {uom} {status}, not {qty}"),
                                have=have, **values)
    if row is not None and quantity > row.available:
        raise InsufficientStock(
            # The item and location are on the screen or the command line already.
            N_("{reserved} {uom} reserved: only {free} {status} free, not {qty}"),
            reserved=row.reserved, free=row.available, **values)
