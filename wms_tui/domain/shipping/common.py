"""Steps pack, ship and returns share, each inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, BadInput, NotFound
from wms_tui.domain.model import Actor, ItemRef, LocationRef, LocationType
from wms_tui.domain.once import exactly_once
from wms_tui.domain.outbound.model import OutboundOrderRef
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.shipping.ports import ShippingUnitOfWork, shipping_uow
from wms_tui.domain.status_words import any_of, kind_word

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def run_once(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, key: str, operation: str,
    result_type: type[R], work: Callable[[ShippingUnitOfWork], R],
    describe: Callable[[R], str],
) -> R:
    """One confirmation: a transaction through exactly_once, retried on conflicts."""
    factory = shipping_uow(uow_factory)

    def attempt() -> R:
        uow = factory()
        with uow:
            return exactly_once(uow, actor.user_id, key, operation, result_type,
                                lambda: work(uow), describe=describe)

    return stock.with_retry(attempt)


def location_of(uow: ShippingUnitOfWork, code: str, *types: LocationType) -> LocationRef:
    """The location by code or barcode, of one of these types."""
    found = uow.catalog.location_by_code(code.strip())
    if found is None:
        raise NotFound(N_("no location {loc}: scan a location label"), loc=code.strip()[:30])
    if types and found.type not in types:
        raise BadInput(N_("{loc} is a {type} location: scan a {wanted} location"), loc=found.code,
                       type=kind_word(found.type), wanted=any_of([kind_word(t) for t in types]))
    return found


def item_of(uow: ShippingUnitOfWork, code: str) -> ItemRef:
    found = uow.catalog.item_by_code(code.strip())
    if found is None:
        raise NotFound(N_("no item {sku}"), sku=code.strip()[:40])
    return uow.catalog.item(found.id)


def order_of(uow: ShippingUnitOfWork, reference: str) -> OutboundOrderRef:
    found = uow.outbound.order_by_reference(reference.strip())
    if found is None:
        raise NotFound(N_("no order {ref}"), ref=reference.strip()[:40])
    return found


def lot_of(uow: ShippingUnitOfWork, item: ItemRef, lot: str | None) -> int | None:
    """The id of an existing lot of the item (None for no lot given)."""
    if lot is None or not lot.strip():
        return None
    found = uow.stock.lot_id(item.id, lot.strip(), None, create=False)
    if found is None:
        raise NotFound(N_("{sku} has no lot {lot}"), sku=item.sku, lot=lot.strip()[:20])
    return found
