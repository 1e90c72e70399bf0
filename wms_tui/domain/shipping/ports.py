"""What pack, ship and returns need from storage; no repository here ever commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, cast

from wms_tui.domain.outbound.ports import OutboundUnitOfWork
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.shipping.model import (
    CartonRef,
    CartonStatus,
    Disposition,
    PackExceptionRef,
    ShipmentRef,
    ShipmentRow,
    WeightSource,
)


@dataclass(frozen=True)
class CartonSpec:
    sscc: str
    lpn_id: int
    order_id: int
    tote_id: int
    carton_type: str
    packed_by: int
    weight_kg: Decimal | None = None
    weight_source: WeightSource | None = None


@dataclass(frozen=True)
class ShipmentFilter:
    status: str | None = None
    dock: str | None = None
    order: str | None = None
    limit: int | None = None


class ShippingRepository(Protocol):
    """Cartons, shipments, SSCC serials, pack exceptions and returns."""

    def next_sscc_serial(self, extension: str, prefix: str) -> int:
        """The next serial under this extension and prefix, by one atomic update of its
        counter (a new counter starts after the highest serial an LPN carries already)."""
        ...
    def sscc_taken(self, sscc: str) -> bool:
        """Whether an LPN carries this SSCC (one printed on a pallet label, say)."""
        ...
    def add_carton(self, spec: CartonSpec) -> int: ...
    def add_carton_line(self, carton_id: int, order_line_id: int, item_id: int,
                        lot_id: int | None, quantity: int, serials: Sequence[str],
                        pack_movement_id: int) -> None: ...
    def carton(self, carton_id: int) -> CartonRef: ...
    def carton_by_sscc(self, sscc: str) -> CartonRef | None: ...
    def cartons(self, *, shipment_id: int | None = None, order_ids: Sequence[int] = (),
                status: CartonStatus | None = None) -> list[CartonRef]:
        """Cartons by id, with their lines."""
        ...
    def move_carton(self, carton_id: int, from_status: CartonStatus, to_status: CartonStatus,
                    shipment_id: int | None) -> bool:
        """Change a carton's status (and shipment) if it still has from_status."""
        ...
    def set_ship_movement(self, carton_line_id: int, movement_id: int) -> None: ...
    def packed_by_line(self, order_id: int) -> dict[int, int]:
        """Units packed per order line, over all the order's cartons."""
        ...
    def shipped_by_line(self, order_id: int) -> dict[int, int]: ...
    def add_shipped(self, order_line_id: int, quantity: int) -> bool:
        """Count shipped units on an order line; False if more than its picked would ship."""
        ...
    def add_pack_exception(self, order_id: int, tote_id: int, item_id: int, lot_id: int | None,
                           quantity: int, reason: str, user_id: int) -> None: ...
    def pack_exceptions(self, order_ids: Sequence[int]) -> list[PackExceptionRef]: ...
    def short_at_pack(self, order_id: int, tote_id: int) -> dict[tuple[int, int | None], int]:
        """Units recorded short at pack for the order in the tote, by (item, lot)."""
        ...
    def next_code(self, prefix: str) -> str:
        """The next shipment (SH) or return (RT) code."""
        ...
    def add_shipment(self, code: str, dock_id: int, user_id: int) -> int: ...
    def shipment(self, shipment_id: int) -> ShipmentRef: ...
    def shipment_by_code(self, code: str) -> ShipmentRef | None: ...
    def lock_shipment(self, shipment_id: int) -> None: ...
    def set_shipped(self, shipment_id: int, user_id: int) -> bool:
        """Mark an open shipment shipped now; False if it was not open."""
        ...
    def shipments(self, where: ShipmentFilter) -> list[ShipmentRow]: ...
    def add_return(self, code: str, order_id: int | None, dock_id: int, user_id: int) -> int: ...
    def add_return_line(self, return_id: int, order_line_id: int | None, item_id: int,
                        lot_id: int | None, quantity: int, disposition: Disposition,
                        movement_id: int) -> None: ...
    def returned_by_line(self, order_id: int) -> dict[int, int]: ...


class ShippingUnitOfWork(OutboundUnitOfWork, Protocol):
    @property
    def shipping(self) -> ShippingRepository: ...


ShippingFactory = Callable[[], ShippingUnitOfWork]


def shipping_uow(factory: Callable[[], UnitOfWork]) -> ShippingFactory:
    """The unit of work as shipping sees it: ports.UnitOfWork does not name .shipping, the SQL
    unit of work carries it."""
    return lambda: cast(ShippingUnitOfWork, factory())
