"""What inbound needs from storage: orders and lines, as a Protocol; it never commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from wms_tui.domain.inbound.model import (
    InboundLineRef,
    InboundLineSpec,
    InboundOrderRef,
    InboundOrderSpec,
    InboundStatus,
)
from wms_tui.domain.model import LocationRef, LocationType
from wms_tui.domain.over_receipt import OverReceiptReason
from wms_tui.domain.ports import UnitOfWork


class InboundRepository(Protocol):
    """Inbound orders and lines; it never commits."""

    def order(self, order_id: int) -> InboundOrderRef: ...
    def lock_order(self, order_id: int) -> None:
        """Hold the order row until commit, so a receipt and a cancel of it take turns."""
        ...
    def order_by_reference(self, reference: str) -> InboundOrderRef | None: ...
    def orders_by_sscc(self, sscc: str) -> list[InboundOrderRef]:
        """Orders announcing this pallet SSCC on the order or on any of its lines."""
        ...
    def lines(self, order_id: int) -> list[InboundLineRef]:
        """The order's lines by line number."""
        ...
    def add_received(self, line_id: int, quantity: int, limit: int | None) -> bool:
        """Add to a line's received quantity unless that would pass limit; False if it would."""
        ...
    def set_status(self, order_id: int, status: InboundStatus) -> None: ...
    def save_order(self, spec: InboundOrderSpec) -> int:
        """Insert the order (status open) or update the header of the one with this reference."""
        ...
    def save_line(self, order_id: int, spec: InboundLineSpec) -> None:
        """Insert the line or update the one with this line number; received is kept."""
        ...
    def first_location(self, kind: LocationType) -> LocationRef | None:
        """The active location of this type first in walk sequence (the default dock, QC)."""
        ...
    def next_lpn_code(self) -> str:
        """An unused LPN code: LPN + zero-padded sequence."""
        ...
    def ensure_reason(self, reason: OverReceiptReason, kind: str) -> None:
        """Add the reason code unless it exists (an existing one is kept as it is)."""
        ...


class InboundUnitOfWork(UnitOfWork, Protocol):
    # Read-only, as ports.UnitOfWork's members are, so the SQL unit of work type-checks as one.
    @property
    def inbound(self) -> InboundRepository: ...


UowFactory = Callable[[], InboundUnitOfWork]
