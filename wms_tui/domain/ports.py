"""What the domain needs from storage, as Protocols; wms_tui.db implements them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from wms_tui.domain.model import (
    BalanceKey,
    BalanceRow,
    ItemRef,
    LocationRef,
    LocationType,
    LpnRef,
    MovementKind,
    MovementRecord,
    StockLine,
    StockStatus,
)

if TYPE_CHECKING:
    # Serials parse GS1 scans (biip), which a port's caller that never scans should not load.
    from wms_tui.domain.serials import SerialEvent, SerialRecord


class UserRecord(Protocol):
    id: int | None
    login: str
    name: str
    role: str
    pin_hash: str
    failed_attempts: int
    # When a lock-out after too many wrong PINs ends (None with a full count: never by itself).
    locked_until: datetime | None
    active: bool
    language: str


class CatalogRepository(Protocol):
    """Look-ups of master data by id or by any code a label carries."""

    def item(self, item_id: int) -> ItemRef: ...
    def item_by_gtin(self, gtin14: str) -> ItemRef | None: ...
    def item_by_code(self, code: str) -> ItemRef | None: ...
    def units(self, item_id: int) -> dict[str, int]: ...
    def location(self, location_id: int) -> LocationRef: ...
    def location_by_code(self, code: str) -> LocationRef | None: ...
    def lpn(self, lpn_id: int) -> LpnRef: ...
    def lpn_by_code(self, code: str) -> LpnRef | None: ...
    def reason_exists(self, code: str) -> bool: ...


class StockRepository(Protocol):
    """Balances, lots, LPNs and the ledger; it never commits."""

    def lot_id(
        self, item_id: int, code: str, expiry: date | None, *, create: bool
    ) -> int | None: ...
    def lot_expiry(self, lot_id: int) -> date | None: ...
    def ensure_lpn(self, code: str, sscc: str | None, location_id: int) -> int: ...
    def set_lpn_location(self, lpn_id: int, location_id: int | None) -> None: ...
    def balance(self, key: BalanceKey) -> BalanceRow | None: ...
    def balances_on_lpn(self, lpn_id: int) -> list[BalanceRow]: ...
    def balances(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[BalanceRow]: ...
    def take(self, key: BalanceKey, quantity: int) -> bool:
        """Decrease on-hand by quantity if that much is unreserved; False if short."""
        ...
    def put(self, key: BalanceKey, quantity: int) -> None: ...
    def reserve(self, key: BalanceKey, quantity: int, reference: str) -> bool: ...
    def reserved_for(self, key: BalanceKey, reference: str) -> int: ...
    def release(self, key: BalanceKey, quantity: int, reference: str) -> None: ...
    def append(self, movement: MovementRecord) -> int: ...
    def movements(
        self,
        *,
        item_id: int | None = None,
        location_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[MovementRecord]: ...
    def ledger_sums(self) -> dict[BalanceKey, int]: ...


class IdempotencyRepository(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, user_id: int, operation: str, result: str) -> None: ...


class UserRepository(Protocol):
    def by_login(self, login: str) -> UserRecord | None: ...
    def add(self, login: str, name: str, role: str, pin_hash: str, language: str) -> UserRecord: ...
    def all(self) -> Sequence[UserRecord]: ...
    def claim_attempt(self, user_id: int, limit: int, now: datetime,
                      locked_until: datetime | None) -> int | None:
        """Count one PIN attempt in one atomic update, unless the account is locked at now
        (a lock that ended starts a new count); the count, or None when locked. The attempt
        that reaches limit sets the lock until locked_until."""
        ...
    def clear_attempts(self, user_id: int) -> None:
        """A good PIN or an unlock: no failed attempts, no lock."""
        ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on exit unless commit() was called."""

    # Read-only members: a concrete unit of work may hold a narrower repository type.
    @property
    def catalog(self) -> CatalogRepository: ...
    @property
    def stock(self) -> StockRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def masterdata(self) -> MasterDataRepository: ...
    @property
    def flow_state(self) -> FlowStateRepository: ...
    @property
    def inquiry(self) -> InquiryRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


class SerialRepository(Protocol):
    """Serialised units and the movements that carried them (domain.serials); never commits."""

    def add_in_stock(self, item_id: int, serial: str, *, location_id: int, lpn_id: int | None,
                     lot_id: int | None) -> int | None:
        """The new in-stock serial's id; None when the item has it in stock already."""
        ...
    def take(self, serial_id: int, from_location_id: int, to_location_id: int | None) -> bool:
        """Move an in-stock serial from a location (out of stock with no destination), in one
        statement; False when it is no longer in stock there."""
        ...
    def place(self, serial_id: int, from_location_id: int, to_location_id: int,
              lpn_id: int | None) -> bool:
        """Move an in-stock serial from a location to a location and LPN (a packed or loaded
        carton), in one statement; False when it is no longer in stock there."""
        ...
    def lose(self, serial_id: int, from_location_id: int) -> bool:
        """Mark an in-stock serial missing from a location (a count did not find it), in one
        statement; False when it is no longer in stock there."""
        ...
    def link(self, serial_id: int, movement_id: int) -> None: ...
    def in_stock(self, item_id: int, serials: Sequence[str]) -> list[SerialRecord]: ...
    def at_location(self, location_id: int, item_id: int | None = None) -> list[SerialRecord]: ...
    def find(self, serial: str, item_id: int | None = None) -> list[SerialRecord]:
        """Every stored unit with this serial, newest first."""
        ...
    def history(self, serial_id: int) -> list[SerialEvent]:
        """The movements that carried it, oldest first."""
        ...


class FlowStateRepository(Protocol):
    """One saved flow per operator: written after every step, cleared when the flow ends."""

    def save(self, user_id: int, flow: str, state: str, terminal: str) -> None: ...
    def load(self, user_id: int) -> tuple[str, str] | None: ...
    def clear(self, user_id: int) -> None: ...


class InquiryRepository(Protocol):
    """Stock as operators read it: balances joined with item, location, lot and LPN codes."""

    def stock_lines(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[StockLine]: ...


@dataclass(frozen=True)
class LocationSpec:
    """A location as master data describes it; the code is its key."""

    code: str
    barcode: str
    check_digits: str
    type: LocationType
    walk_seq: int
    zone: str | None = None
    aisle: str = ""
    bay: str = ""
    level: str = ""
    capacity: int | None = None


@dataclass(frozen=True)
class UnitSpec:
    """One unit of measure of an item: its factor in base units and the codes on its label."""

    uom: str
    factor: int
    gtin: str | None = None
    barcode: str | None = None


@dataclass(frozen=True)
class ItemSpec:
    """An item with all its units (sorted by uom) and aliases (sorted); the SKU is its key."""

    sku: str
    description: str
    base_uom: str
    lot_tracked: bool = False
    expiry_tracked: bool = False
    serial_tracked: bool = False
    requires_qc: bool = False
    abc_class: str = "C"
    min_qty: int | None = None
    max_qty: int | None = None
    zone: str | None = None
    units: tuple[UnitSpec, ...] = ()
    aliases: tuple[str, ...] = ()
    unit_cost: Decimal | None = None


@dataclass(frozen=True)
class LedgerLine:
    """One movement with codes instead of ids, for `wms movements`."""

    id: int
    created_at: datetime
    kind: MovementKind
    sku: str
    quantity: int
    uom: str
    from_location: str | None
    to_location: str | None
    lot: str | None
    from_lpn: str | None
    to_lpn: str | None
    from_status: StockStatus | None
    to_status: StockStatus | None
    user: str
    terminal: str
    reference: str
    reason: str | None
    approved_by: str | None


class MasterDataRepository(Protocol):
    """Warehouses, zones, locations and items by code, and the ledger as admins read it."""

    def warehouse_codes(self) -> list[str]: ...
    def add_warehouse(self, code: str, name: str) -> None: ...
    def zone_codes(self) -> set[str]:
        """Zone codes of the default (first) warehouse, which imports work on."""
        ...
    def add_zone(self, code: str) -> None: ...
    def location(self, code: str) -> LocationSpec | None: ...
    def location_code_by_barcode(self, barcode: str) -> str | None: ...
    def max_walk_seq(self) -> int: ...
    def save_location(self, spec: LocationSpec) -> None:
        """Insert the location, or update the one with this code; its zone must exist."""
        ...
    def item(self, sku: str) -> ItemSpec | None: ...
    def save_item(self, spec: ItemSpec) -> None:
        """Insert or update the item and its units by uom, add missing aliases; never deletes."""
        ...
    def ledger_lines(
        self,
        *,
        item_id: int | None = None,
        location_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        after_id: int | None = None,
    ) -> list[LedgerLine]:
        """Movements oldest first; with limit, only the newest that many, or with after_id
        the first that many with an id above it (a page of the ledger)."""
        ...
