"""Cancelling an inbound order (an ASN or purchase order) nothing has been received against.

Once a unit is received the order is the record of that receipt, so it is refused; otherwise
it is cancelled, so no receipt can count against it, exactly once per key, with an audit row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, cast

from wms_tui.domain import stock
from wms_tui.domain.errors import N_, NotFound, WrongState
from wms_tui.domain.inbound.model import FINAL_INBOUND_STATUSES, InboundStatus
from wms_tui.domain.inbound.repository import InboundRepository, InboundUnitOfWork
from wms_tui.domain.model import Actor
from wms_tui.domain.once import exactly_once
from wms_tui.domain.outbound.cancels import CANCEL_ACTION, CancelResult, cancel_key, reason_text
from wms_tui.domain.outbound.steps import check_key
from wms_tui.domain.permissions import require
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.status_words import status_word


class InboundCancelRepository(InboundRepository, Protocol):
    def log_cancel(self, login: str, terminal: str, detail: str) -> None:
        """An audit row in the cancel's own transaction."""
        ...


class InboundCancelUnitOfWork(InboundUnitOfWork, Protocol):
    @property
    def inbound(self) -> InboundCancelRepository: ...


def cancel_inbound_order(
    uow_factory: Callable[[], UnitOfWork], actor: Actor, reference: str, *,
    reason: str | None = None, key: str | None = None,
) -> CancelResult:
    """Cancel an inbound order that has received nothing; refuse one that has."""
    require(actor, CANCEL_ACTION)
    ref = reference.strip().upper()
    key = check_key(key or cancel_key("order-in", ref))
    why = reason_text(reason)
    return stock.with_retry(lambda: _cancel_once(
        cast(InboundCancelUnitOfWork, uow_factory()), actor, ref, why, key))


def _cancel_once(
    uow: InboundCancelUnitOfWork, actor: Actor, ref: str, reason: str, key: str
) -> CancelResult:
    def work() -> CancelResult:
        order = uow.inbound.order_by_reference(ref)
        if order is None:
            raise NotFound(N_("no inbound order {ref}"), ref=ref)
        uow.inbound.lock_order(order.id)
        order = uow.inbound.order(order.id)
        if order.status in FINAL_INBOUND_STATUSES:
            raise WrongState(N_("order {ref} is {status}: nothing to cancel"), ref=ref,
                           status=status_word(order.status))
        received = sum(ln.received for ln in uow.inbound.lines(order.id))
        if received:
            raise WrongState(N_("order {ref} has {n} unit(s) received: it cannot be cancelled"),
                             ref=ref, n=received)
        uow.inbound.set_status(order.id, InboundStatus.CANCELLED)
        detail = f"inbound order {ref}: cancelled" + (f"; reason: {reason}" if reason else "")
        uow.inbound.log_cancel(actor.login, actor.terminal, detail)
        return CancelResult(key, f"inbound order {ref}")

    with uow:
        return exactly_once(uow, actor.user_id, key, "cancel_inbound", CancelResult, work,
                            describe=lambda r: f"cancel {r.cancelled}")
