"""The RF receive flow's services over the warehouse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo

from wms_tui.domain.inbound.model import (
    InboundLineRef,
    InboundOrderRef,
    OrderMatch,
    Receipt,
    ReceiveLine,
)
from wms_tui.domain.inbound.receiving import find_order, receive_line
from wms_tui.domain.inbound.repository import InboundUnitOfWork
from wms_tui.domain.model import Actor, LocationType


class InboundServicesMixin:
    """The receive flow's services (flows.receive.ReceiveServices) over WarehouseServices."""

    # The site's zone; the composition root (bootstrap.wire) sets it from WMS_TIMEZONE.
    zone: tzinfo = UTC
    uow_factory: Callable[[], InboundUnitOfWork]
    read_factory: Callable[[], InboundUnitOfWork]
    separator: str | None

    def find_order(self, raw: str) -> OrderMatch | None:
        with self.read_factory() as uow:
            return find_order(uow, raw, self.separator)

    def order_lines(self, order_id: int) -> list[InboundLineRef]:
        with self.read_factory() as uow:
            return uow.inbound.lines(order_id)

    def orders_with_sscc(self, sscc: str) -> list[InboundOrderRef]:
        with self.read_factory() as uow:
            return uow.inbound.orders_by_sscc(sscc)

    def receiving_dock(self) -> str | None:
        with self.read_factory() as uow:
            dock = uow.inbound.first_location(LocationType.DOCK)
        return None if dock is None else dock.code

    def receive(self, actor: Actor, command: ReceiveLine, key: str) -> Receipt:
        return receive_line(self.uow_factory, actor, command, key, today=self.today())

    def today(self) -> date:
        """The warehouse's date (its time zone's), which expiry dates are checked against."""
        return datetime.now(self.zone).date()
