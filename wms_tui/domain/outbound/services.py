"""The RF pick and replenish flows' services over WarehouseServices' unit-of-work factories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

from wms_tui.domain.model import Actor, LocationRef
from wms_tui.domain.outbound.model import LotChoice, PickScope, TaskKind, TaskRef
from wms_tui.domain.outbound.picking import check_substitute, confirm_pick
from wms_tui.domain.outbound.ports import OutboundUnitOfWork
from wms_tui.domain.outbound.replenishment import confirm_replenishment
from wms_tui.domain.outbound.results import PickResult, ReplenishResult, ShortResult
from wms_tui.domain.outbound.shorts import answer_zero_check, short_pick
from wms_tui.domain.outbound.tasks import find_scope, next_task
from wms_tui.domain.totes import order_tote


class OutboundServicesMixin:
    """Implements flows.pick.PickServices and flows.replenish.ReplenishServices."""

    # The site's zone; the composition root (bootstrap.wire) sets it from WMS_TIMEZONE.
    zone: tzinfo = UTC
    uow_factory: Callable[[], OutboundUnitOfWork]
    read_factory: Callable[[], OutboundUnitOfWork]

    def pick_scope(self, raw: str) -> PickScope | None:
        return find_scope(self.read_factory, raw)

    def next_pick_task(self, actor: Actor, scope: PickScope | None = None) -> TaskRef | None:
        return next_task(self.uow_factory, actor, TaskKind.PICK, scope)

    def pick_task(self, task_id: int) -> TaskRef:
        with self.read_factory() as uow:
            return uow.outbound.task(task_id)

    def substitute_lot(self, task_id: int, lot: str, quantity: int) -> LotChoice:
        return check_substitute(self.read_factory, task_id, lot, quantity, self.today())

    def confirm_pick(
        self, actor: Actor, task_id: int, quantity: int, *, to_location_id: int,
        lot_id: int | None, key: str, serials: tuple[str, ...] = (),
    ) -> PickResult:
        return confirm_pick(self.uow_factory, actor, task_id, quantity,
                            to_location_id=to_location_id, lot_id=lot_id, key=key,
                            today=self.today(), serials=serials)

    def short_pick(
        self, actor: Actor, task_id: int, picked: int, reason_code: str, *,
        to_location_id: int | None, lot_id: int | None, key: str,
        serials: tuple[str, ...] = (),
    ) -> ShortResult:
        return short_pick(self.uow_factory, actor, task_id, picked, reason_code,
                          to_location_id=to_location_id, lot_id=lot_id, key=key,
                          today=self.today(), serials=serials)

    def answer_zero_check(
        self, actor: Actor, location_id: int, empty: bool, key: str
    ) -> int | None:
        return answer_zero_check(self.uow_factory, actor, location_id, empty, key)

    def short_reasons(self) -> list[str]:
        with self.read_factory() as uow:
            return uow.outbound.short_reasons()

    def order_tote(self, order_id: int) -> LocationRef | None:
        return order_tote(self.read_factory, order_id)

    def next_replenishment(self, actor: Actor) -> TaskRef | None:
        return next_task(self.uow_factory, actor, TaskKind.REPLENISH)

    def confirm_replenishment(
        self, actor: Actor, task_id: int, quantity: int, key: str
    ) -> ReplenishResult:
        return confirm_replenishment(self.uow_factory, actor, task_id, quantity, key=key)

    def today(self) -> date:
        """The warehouse's date (its time zone's), which expiry dates are checked against."""
        return datetime.now(self.zone).date()
