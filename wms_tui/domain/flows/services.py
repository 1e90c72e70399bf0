"""What flows need from the warehouse, as a Protocol; tests pass a fake, the app a real one."""

from __future__ import annotations

from typing import Protocol

from wms_tui.domain.model import Actor, LocationRef, PostResult, StockLine
from wms_tui.domain.scan import Resolution
from wms_tui.domain.stock import Command

__all__ = ["RfServices", "StockLine"]


class RfServices(Protocol):
    def resolve(self, raw: str, expected_location: LocationRef | None = None) -> Resolution:
        """Normalise and resolve a scan; raises ScanRejected for malformed input."""
        ...

    def post(self, actor: Actor, command: Command, key: str) -> PostResult: ...

    def posted(self, key: str) -> PostResult | None:
        """The result of a confirmation key that already committed, for resume."""
        ...

    def stock_at(self, location_id: int, item_id: int | None = None) -> list[StockLine]: ...

    def stock_of(self, item_id: int) -> list[StockLine]: ...

    def lot_id(self, item_id: int, code: str) -> int | None: ...
