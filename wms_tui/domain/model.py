"""Plain value types the domain passes around; no ORM, no UI."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class Role(enum.StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class StockStatus(enum.StrEnum):
    AVAILABLE = "available"
    QC_HOLD = "qc_hold"
    DAMAGED = "damaged"
    BLOCKED = "blocked"


class MovementKind(enum.StrEnum):
    RECEIVE = "receive"
    MOVE = "move"
    PICK = "pick"
    ADJUST = "adjust"
    STATUS = "status"
    # Out of the building: a loaded carton's stock leaves the dock at ship confirm.
    SHIP = "ship"


class LocationType(enum.StrEnum):
    DOCK = "dock"
    QC = "qc"
    RESERVE = "reserve"
    PICK = "pick"
    STAGING = "staging"


@dataclass(frozen=True)
class ItemRef:
    """An item as a scan or a lookup found it, with the unit the barcode stands for."""

    id: int
    sku: str
    description: str
    base_uom: str
    lot_tracked: bool
    expiry_tracked: bool
    serial_tracked: bool
    requires_qc: bool = False
    uom: str | None = None
    factor: int = 1


@dataclass(frozen=True)
class LocationRef:
    id: int
    code: str
    barcode: str
    check_digits: str
    type: LocationType
    walk_seq: int
    zone: str | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class LpnRef:
    id: int
    code: str
    sscc: str | None
    location_id: int | None


@dataclass(frozen=True)
class Actor:
    """Who is posting and from which terminal; every movement carries both."""

    user_id: int
    login: str
    role: Role
    terminal: str = "cli"
    language: str = "en"


@dataclass(frozen=True)
class BalanceKey:
    item_id: int
    location_id: int
    lot_id: int | None = None
    lpn_id: int | None = None
    status: StockStatus = StockStatus.AVAILABLE

    def text(self) -> str:
        """A portable unique key: SQL unique constraints treat NULLs as distinct."""
        return (
            f"{self.item_id}:{self.location_id}:{self.lot_id or ''}:"
            f"{self.lpn_id or ''}:{self.status.value}"
        )


@dataclass(frozen=True)
class BalanceRow:
    id: int
    key: BalanceKey
    quantity: int
    reserved: int

    @property
    def available(self) -> int:
        return self.quantity - self.reserved


@dataclass(frozen=True)
class MovementRecord:
    """One ledger row to append; quantity is always positive, direction is from -> to."""

    kind: MovementKind
    item_id: int
    quantity: int
    user_id: int
    terminal: str
    reference: str
    lot_id: int | None = None
    from_location_id: int | None = None
    to_location_id: int | None = None
    from_lpn_id: int | None = None
    to_lpn_id: int | None = None
    from_status: StockStatus | None = None
    to_status: StockStatus | None = None
    reason_code: str | None = None
    approved_by: int | None = None
    confirmation: str | None = None
    created_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class PostResult:
    """What a confirmation posted; a resubmitted key returns this same value."""

    confirmation: str
    movement_ids: list[int] = field(default_factory=list)
    message: str = ""
    replayed: bool = False


@dataclass(frozen=True)
class LotInfo:
    code: str
    expiry: date | None = None


@dataclass(frozen=True)
class StockLine:
    """One balance as an operator sees it in inquiry and move."""

    sku: str
    description: str
    location: str
    quantity: int
    uom: str
    lot: str | None = None
    expiry: date | None = None
    lpn: str | None = None
    status: str = "available"
    item_id: int = 0
    location_id: int = 0
    lot_id: int | None = None
    lpn_id: int | None = None
    reserved: int = 0
