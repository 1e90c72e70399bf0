"""The RF flows' services backed by the real warehouse, one short transaction per call."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from wms_tui.domain import shipping
from wms_tui.domain.counting import CountingServicesMixin, CountingUnitOfWork
from wms_tui.domain.dashboard import DashboardServicesMixin, DashboardUnitOfWork
from wms_tui.domain.errors import N_, BadInput
from wms_tui.domain.flows.context import NEXT_PICKS, PickProgress
from wms_tui.domain.flows.pack import PackLine, PackTote
from wms_tui.domain.inbound import InboundServicesMixin, InboundUnitOfWork
from wms_tui.domain.model import Actor, LocationRef, LocationType, PostResult, StockLine
from wms_tui.domain.once import decode
from wms_tui.domain.outbound import (
    OPEN_TASK_STATUSES,
    OutboundLineRef,
    OutboundServicesMixin,
    OutboundUnitOfWork,
    TaskKind,
)
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.putaway import PutawayServicesMixin, PutawayUnitOfWork
from wms_tui.domain.scan import Resolution, normalize_scan, resolve_scan
from wms_tui.domain.serials import SerialServicesMixin
from wms_tui.domain.shipping import PackRequest, SsccSettings, WeightSource
from wms_tui.domain.shipping.common import location_of
from wms_tui.domain.shipping.model import PackResult, ShortResult
from wms_tui.domain.shipping.packing import line_room, tote_stock
from wms_tui.domain.shipping.ports import shipping_uow
from wms_tui.domain.stock import Command, post
from wms_tui.domain.supervisor import SupervisorRepository, SupervisorServicesMixin
from wms_tui.domain.weights import Weight


class WarehouseServices:
    """Implements flows.services.RfServices; flow-specific services extend it."""

    # What one RF step commits, committed together at the step's end (the composition root
    # wires the database's step transaction; unwired, each call commits on its own).
    step_transaction: Callable[[], AbstractContextManager[None]] = nullcontext

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


# Carton types offered at pack when the site sets none ($WMS_CARTON_TYPES), the first the default.
DEFAULT_CARTON_TYPES = ("BOX-S", "BOX-M", "BOX-L")
SCALE_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class PackStation:
    """What the pack step needs from the site's configuration: SSCC numbering, carton types,
    and the station's scale (tcp://host:port or serial:/dev/...), if it has one."""

    prefix: str | None = None
    extension: str = "0"
    carton_types: tuple[str, ...] = DEFAULT_CARTON_TYPES
    scale: str | None = None
    scale_timeout: float = SCALE_TIMEOUT_SECONDS

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> PackStation:
        """$WMS_GS1_COMPANY_PREFIX, $WMS_SSCC_EXTENSION, $WMS_CARTON_TYPES (comma-separated)
        and $WMS_SCALE, as the `wms pack` and `wms scale` commands read them."""
        types = tuple(t.strip().upper() for t in env.get("WMS_CARTON_TYPES", "").split(",")
                      if t.strip())
        return cls(prefix=env.get("WMS_GS1_COMPANY_PREFIX", "").strip() or None,
                   extension=env.get("WMS_SSCC_EXTENSION", "").strip() or "0",
                   carton_types=types or DEFAULT_CARTON_TYPES,
                   scale=env.get("WMS_SCALE", "").strip() or None)


class PackServicesMixin:
    """The pack flow's services (flows.pack.PackServices) over shipping's transactions."""

    uow_factory: Callable[[], UnitOfWork]
    read_factory: Callable[[], UnitOfWork]
    # None: read from the environment when first asked; tests and the composition root set it.
    pack_station: PackStation | None = None
    # Reads the station's scale; None: wms_tui.scale.read_stable_weight, imported when used.
    scale_reader: Callable[[str, float], Weight] | None = None

    def _station(self) -> PackStation:
        if self.pack_station is None:
            self.pack_station = PackStation.from_environment(os.environ)
        return self.pack_station

    def pack_tote(self, tote: str) -> PackTote:
        """What is left to pack in the tote, per item: at most what its order still needs."""
        with shipping_uow(self.read_factory)() as uow:
            place = location_of(uow, tote, LocationType.STAGING)
            binding = uow.outbound.tote_binding(place.id)
            if binding is None:
                raise BadInput(N_("Tote {tote} holds no order: scan another"), tote=place.code)
            order = uow.outbound.order(binding.order_id)
            in_tote: dict[int, int] = {}
            for found in tote_stock(uow, place, order.id):
                in_tote[found.item_id] = in_tote.get(found.item_id, 0) + found.quantity
            room: dict[int, int] = {}
            for line in line_room(uow, order.id):
                room[line.item_id] = room.get(line.item_id, 0) + max(line.room, 0)
            lines = []
            for item_id, quantity in in_tote.items():
                if (left := min(quantity, room.get(item_id, 0))) > 0:
                    item = uow.catalog.item(item_id)
                    lines.append(PackLine(item.sku, item.description or "", item.base_uom,
                                          left))
        return PackTote(place.code, order.reference, tuple(lines))

    def carton_types(self) -> list[str]:
        return list(self._station().carton_types)

    def scale_weight(self) -> Weight | None:
        station = self._station()
        if station.scale is None:
            return None
        if self.scale_reader is not None:
            return self.scale_reader(station.scale, station.scale_timeout)
        # The adapter does the I/O; the domain only names it, so it is imported when used.
        from wms_tui.scale import read_stable_weight

        return read_stable_weight(station.scale, station.scale_timeout)

    def pack_carton(
        self, actor: Actor, *, tote: str, requests: Sequence[PackRequest], everything: bool,
        kind: str, weight_kg: Decimal, weight_source: WeightSource, key: str,
    ) -> PackResult:
        station = self._station()
        if station.prefix is None:
            raise BadInput(N_("No GS1 company prefix set: call a supervisor"))
        return shipping.pack_carton(
            self.uow_factory, actor, tote=tote, requests=requests, everything=everything,
            kind=kind, settings=SsccSettings(station.prefix, station.extension),
            weight_kg=weight_kg, weight_source=weight_source, key=key)

    def packed(self, key: str) -> PackResult | None:
        with self.read_factory() as uow:
            stored = uow.idempotency.get(key)
        return None if stored is None else decode(PackResult, stored)

    def record_pack_short(
        self, actor: Actor, *, tote: str, item: str, quantity: int, reason: str,
        lot: str | None, key: str,
    ) -> ShortResult:
        return shipping.record_short(self.uow_factory, actor, tote=tote, item=item,
                                     quantity=quantity, reason=reason, lot=lot, key=key)


class RfUnitOfWork(CountingUnitOfWork, InboundUnitOfWork, PutawayUnitOfWork, DashboardUnitOfWork,
                   OutboundUnitOfWork, Protocol):
    """The unit of work the RF backend is given: with the repositories its mixins name."""

    @property
    def counting(self) -> SupervisorRepository: ...


class ContextServicesMixin:
    """The look-ups a wide screen's context makes (flows.context), each one read."""

    read_factory: Callable[[], RfUnitOfWork]

    def pick_progress(self, task_id: int, user_id: int, *, order_only: bool = False,
                      upcoming: int = NEXT_PICKS) -> PickProgress:
        with self.read_factory() as uow:
            task = uow.outbound.task(task_id)
            if order_only and task.order_id is None:
                return PickProgress(1, task.remaining, [])
            wave_id = None if order_only else task.wave_id
            order_id = task.order_id if order_only or task.wave_id is None else None
            picks, units = uow.outbound.open_task_totals(TaskKind.PICK, wave_id=wave_id,
                                                         order_id=order_id)
            return PickProgress(picks, units, uow.outbound.tasks(
                kind=TaskKind.PICK, statuses=OPEN_TASK_STATUSES, wave_id=wave_id,
                order_id=order_id, takeable_by=user_id, excluding=task_id, limit=upcoming))

    def outbound_lines(self, order_id: int) -> list[OutboundLineRef]:
        with self.read_factory() as uow:
            return uow.outbound.lines(order_id)


class RfBackend(PackServicesMixin, InboundServicesMixin, PutawayServicesMixin,
                OutboundServicesMixin, CountingServicesMixin, DashboardServicesMixin,
                SupervisorServicesMixin, SerialServicesMixin, ContextServicesMixin,
                WarehouseServices):
    """Everything the RF flows need, over one database: what the app hands to every flow."""

    uow_factory: Callable[[], RfUnitOfWork]
    read_factory: Callable[[], RfUnitOfWork]

    def __init__(self, uow_factory: Callable[[], RfUnitOfWork],
                 read_factory: Callable[[], RfUnitOfWork] | None = None,
                 separator: str | None = None,
                 state_factory: Callable[[], UnitOfWork] | None = None) -> None:
        # Narrower than WarehouseServices' factories, so the mixins need no cast to reach them.
        super().__init__(uow_factory, read_factory, separator, state_factory)
