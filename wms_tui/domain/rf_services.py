"""The RF flows' services backed by the real warehouse, one short transaction per call."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Protocol

from wms_tui.domain.counting import CountingServicesMixin, CountingUnitOfWork
from wms_tui.domain.dashboard import DashboardServicesMixin, DashboardUnitOfWork
from wms_tui.domain.inbound import InboundServicesMixin, InboundUnitOfWork
from wms_tui.domain.model import Actor, LocationRef, PostResult, StockLine
from wms_tui.domain.once import decode
from wms_tui.domain.outbound import OutboundServicesMixin, OutboundUnitOfWork
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.putaway import PutawayServicesMixin, PutawayUnitOfWork
from wms_tui.domain.scan import Resolution, normalize_scan, resolve_scan
from wms_tui.domain.serials import SerialServicesMixin
from wms_tui.domain.stock import Command, post
from wms_tui.domain.supervisor import SupervisorRepository, SupervisorServicesMixin


class WarehouseServices:
    """Implements flows.services.RfServices; flow-specific services extend it."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork],
                 read_factory: Callable[[], UnitOfWork] | None = None,
                 separator: str | None = None,
                 state_factory: Callable[[], UnitOfWork] | None = None) -> None:
        self.uow_factory = uow_factory
        # Reads take no write lock on SQLite, so inquiries never queue behind postings.
        self.read_factory = read_factory or uow_factory
        # The resume point is rewritten every step: its commits need not wait for the disk
        # (a posting's own commit makes it durable), so a step that posts nothing costs no sync.
        self.state_factory = state_factory or uow_factory
        self.separator = separator

    def resolve(self, raw: str, expected_location: LocationRef | None = None) -> Resolution:
        scan = normalize_scan(raw, separator=self.separator)
        with self.read_factory() as uow:
            return resolve_scan(scan, uow.catalog, expected_location=expected_location)

    def post(self, actor: Actor, command: Command, key: str) -> PostResult:
        return post(self.uow_factory, actor, command, key)

    def posted(self, key: str) -> PostResult | None:
        with self.read_factory() as uow:
            stored = uow.idempotency.get(key)
        # Every confirming service stores through domain.once: its fields plus "message".
        return None if stored is None else decode(PostResult, stored)

    def stock_at(self, location_id: int, item_id: int | None = None) -> list[StockLine]:
        with self.read_factory() as uow:
            return uow.inquiry.stock_lines(location_id=location_id, item_id=item_id)

    def stock_of(self, item_id: int) -> list[StockLine]:
        with self.read_factory() as uow:
            return uow.inquiry.stock_lines(item_id=item_id)

    def lot_id(self, item_id: int, code: str) -> int | None:
        with self.read_factory() as uow:
            return uow.stock.lot_id(item_id, code, None, create=False)

    def unit_costs(self, skus: Collection[str]) -> dict[str, Decimal]:
        """The cost of one base unit of each item that has one, to value a count variance."""
        with self.read_factory() as uow:
            specs = [uow.masterdata.item(sku) for sku in sorted(set(skus))]
        return {spec.sku: spec.unit_cost for spec in specs
                if spec is not None and spec.unit_cost is not None}

    def save_flow(self, user_id: int, flow: str, state: dict[str, object], terminal: str) -> None:
        with self.state_factory() as uow:
            uow.flow_state.save(user_id, flow, json.dumps(state), terminal)
            uow.commit()

    def saved_flow(self, user_id: int) -> tuple[str, dict[str, object]] | None:
        with self.read_factory() as uow:
            found = uow.flow_state.load(user_id)
        return None if found is None else (found[0], json.loads(found[1]))

    def clear_flow(self, user_id: int) -> None:
        with self.state_factory() as uow:
            uow.flow_state.clear(user_id)
            uow.commit()


class RfUnitOfWork(CountingUnitOfWork, InboundUnitOfWork, PutawayUnitOfWork, DashboardUnitOfWork,
                   OutboundUnitOfWork, Protocol):
    """The unit of work the RF backend is given: with the repositories its mixins name."""

    @property
    def counting(self) -> SupervisorRepository: ...


class RfBackend(InboundServicesMixin, PutawayServicesMixin, OutboundServicesMixin,
                CountingServicesMixin, DashboardServicesMixin, SupervisorServicesMixin,
                SerialServicesMixin, WarehouseServices):
    """Everything the RF flows need, over one database: what the app hands to every flow."""

    uow_factory: Callable[[], RfUnitOfWork]
    read_factory: Callable[[], RfUnitOfWork]

    def __init__(self, uow_factory: Callable[[], RfUnitOfWork],
                 read_factory: Callable[[], RfUnitOfWork] | None = None,
                 separator: str | None = None,
                 state_factory: Callable[[], UnitOfWork] | None = None) -> None:
        # Narrower than WarehouseServices' factories, so the mixins need no cast to reach them.
        super().__init__(uow_factory, read_factory, separator, state_factory)
