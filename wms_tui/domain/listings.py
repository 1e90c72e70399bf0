"""Listings for admins: locations, items, orders (both ways), waves and tasks, with filters.

Filters are checked here, before any query, so a typo is refused with the values it may take;
the rows are plain values the CLI prints as a table, JSON or CSV.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from wms_tui.domain.counting.model import CountStatus
from wms_tui.domain.errors import BadInput, NotFound
from wms_tui.domain.inbound.model import InboundStatus
from wms_tui.domain.model import LocationRef, LocationType
from wms_tui.domain.outbound.model import OutboundStatus, TaskStatus, WaveStatus
from wms_tui.domain.ports import CatalogRepository, UserRepository
from wms_tui.domain.text import shown


class OrderKind(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class ListedTaskKind(enum.StrEnum):
    """The kinds `wms task list` shows: task-table kinds plus count tasks."""

    PICK = "pick"
    REPLENISH = "replenish"
    COUNT = "count"


# Putaway is directed when the stock is scanned at the dock: no stored task to list or cancel.
PUTAWAY_WORDS = frozenset({"putaway", "put-away"})


@dataclass(frozen=True)
class LocationFilter:
    zone: str | None = None
    type: LocationType | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class LocationRow:
    code: str
    barcode: str
    type: str
    zone: str | None
    aisle: str
    bay: str
    level: str
    walk_seq: int
    capacity: int | None
    active: bool
    on_hand: int
    reserved: int


@dataclass(frozen=True)
class ItemFilter:
    zone: str | None = None
    abc_class: str | None = None
    search: str | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class ItemRow:
    sku: str
    description: str
    base_uom: str
    lot_tracked: bool
    expiry_tracked: bool
    abc_class: str
    zone: str | None
    min_qty: int | None
    max_qty: int | None
    active: bool
    on_hand: int
    reserved: int


@dataclass(frozen=True)
class OrderFilter:
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    reference: str | None = None


@dataclass(frozen=True)
class OrderRow:
    """An inbound or outbound order; party is the supplier or customer, due the expected or
    ship date, done the units received or picked."""

    kind: OrderKind
    reference: str
    party: str
    status: str
    due: date | None
    priority: int | None
    wave: str | None
    lines: int
    quantity: int
    done: int
    created_at: datetime
    id: int = 0


@dataclass(frozen=True)
class OrderLineRow:
    """One order line; the columns of the other direction are None."""

    line_no: int
    sku: str
    uom: str
    ordered: int
    allocated: int | None = None
    picked: int | None = None
    short: int | None = None
    received: int | None = None
    lot: str | None = None
    expiry: date | None = None


@dataclass(frozen=True)
class OrderDetail:
    order: OrderRow
    lines: list[OrderLineRow] = field(default_factory=list)


@dataclass(frozen=True)
class WaveFilter:
    statuses: tuple[str, ...] = ()
    since: datetime | None = None


@dataclass(frozen=True)
class WaveRow:
    code: str
    status: str
    released_by: str | None
    created_at: datetime
    orders: int
    tasks: int
    open_tasks: int
    cancelled_tasks: int


@dataclass(frozen=True)
class TaskFilter:
    kinds: tuple[ListedTaskKind, ...] = ()
    statuses: tuple[str, ...] = ()
    location_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class TaskRow:
    """A pick, replenishment or count task; user is who holds it (count tasks: nobody)."""

    kind: ListedTaskKind
    id: int
    status: str
    sku: str | None
    quantity: int | None
    done: int | None
    location: str
    to_location: str | None
    wave: str | None
    order: str | None
    user: str | None
    updated_at: datetime


class CatalogListings(Protocol):
    def location_rows(self, where: LocationFilter) -> list[LocationRow]: ...
    def item_rows(self, where: ItemFilter) -> list[ItemRow]: ...


class OutboundListings(Protocol):
    def outbound_order_rows(self, where: OrderFilter) -> list[OrderRow]: ...
    def outbound_line_rows(self, order_id: int) -> list[OrderLineRow]: ...
    def wave_rows(self, where: WaveFilter) -> list[WaveRow]: ...
    def task_rows(self, where: TaskFilter) -> list[TaskRow]:
        """Pick, replenishment and count tasks, each kind by id."""
        ...


class InboundListings(Protocol):
    def inbound_order_rows(self, where: OrderFilter) -> list[OrderRow]: ...
    def inbound_line_rows(self, order_id: int) -> list[OrderLineRow]: ...


class ListingCatalog(CatalogRepository, CatalogListings, Protocol):
    """The catalog with its listings."""


class ListingUnitOfWork(Protocol):
    """What the listings read; the SQL unit of work is one."""

    @property
    def catalog(self) -> ListingCatalog: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def outbound(self) -> OutboundListings: ...
    @property
    def inbound(self) -> InboundListings: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def choices(values: Sequence[str], option: str, allowed: type[enum.StrEnum]) -> tuple[str, ...]:
    """Typed statuses checked against the enum, lower-cased; a typo names what is allowed."""
    known = [s.value for s in allowed]
    picked = []
    for value in values:
        word = value.strip().lower()
        if word not in known:
            raise BadInput(f"{option} {shown(value)}: choose from {', '.join(known)}")
        picked.append(word)
    return tuple(dict.fromkeys(picked))


def location_listing(uow: ListingUnitOfWork, where: LocationFilter) -> list[LocationRow]:
    with uow:
        return uow.catalog.location_rows(where)


def item_listing(uow: ListingUnitOfWork, where: ItemFilter) -> list[ItemRow]:
    with uow:
        return uow.catalog.item_rows(where)


def order_listing(
    uow: ListingUnitOfWork, where: OrderFilter, kind: OrderKind | None = None
) -> list[OrderRow]:
    """Orders of one kind, or both (inbound first), each by reference."""
    with uow:
        return order_listing_in(uow, where, kind)


def order_statuses(values: Sequence[str], kind: OrderKind | None) -> tuple[str, ...]:
    """Statuses of the kind listed; without a kind, of either."""
    if kind is OrderKind.INBOUND:
        return choices(values, "--status", InboundStatus)
    if kind is OrderKind.OUTBOUND:
        return choices(values, "--status", OutboundStatus)
    return _either(values, {s.value for s in InboundStatus} | {s.value for s in OutboundStatus})


def _either(values: Sequence[str], allowed: set[str]) -> tuple[str, ...]:
    picked = []
    for value in values:
        word = value.strip().lower()
        if word not in allowed:
            raise BadInput(f"--status {shown(value)}: choose from {', '.join(sorted(allowed))}")
        picked.append(word)
    return tuple(dict.fromkeys(picked))


def order_detail(uow: ListingUnitOfWork, reference: str, kind: OrderKind | None) -> OrderDetail:
    """One order and its lines; a reference both ways needs its kind."""
    ref = reference.strip().upper()
    with uow:
        found = order_listing_in(uow, OrderFilter(reference=ref), kind)
        if not found:
            raise NotFound(f"no {kind.value + ' ' if kind else ''}order {shown(ref)}")
        if len(found) > 1:
            raise BadInput(f"{shown(ref)} is an inbound and an outbound order: "
                           "say --kind inbound or --kind outbound")
        order = found[0]
        lines = (uow.inbound.inbound_line_rows(order.id) if order.kind is OrderKind.INBOUND
                 else uow.outbound.outbound_line_rows(order.id))
        return OrderDetail(order, lines)


def order_listing_in(
    uow: ListingUnitOfWork, where: OrderFilter, kind: OrderKind | None
) -> list[OrderRow]:
    """order_listing inside a transaction the caller holds."""
    rows: list[OrderRow] = []
    if kind in (None, OrderKind.INBOUND):
        rows += uow.inbound.inbound_order_rows(where)
    if kind in (None, OrderKind.OUTBOUND):
        rows += uow.outbound.outbound_order_rows(where)
    return rows


def wave_listing(uow: ListingUnitOfWork, where: WaveFilter) -> list[WaveRow]:
    with uow:
        return uow.outbound.wave_rows(where)


def task_kinds(values: Sequence[str]) -> tuple[ListedTaskKind, ...]:
    for value in values:
        if value.strip().lower() in PUTAWAY_WORDS:
            raise BadInput("putaway is directed when the stock is scanned, not kept as tasks: "
                           "`wms stock --location DOCK` shows what waits to be put away")
    words = choices(values, "--kind", ListedTaskKind)
    return tuple(ListedTaskKind(w) for w in words)


def task_statuses(values: Sequence[str]) -> tuple[str, ...]:
    """Statuses of pick/replenishment tasks or of count tasks."""
    return _either(values, {s.value for s in TaskStatus} | {s.value for s in CountStatus})


def task_listing(
    uow: ListingUnitOfWork, *, kinds: tuple[ListedTaskKind, ...] = (),
    statuses: tuple[str, ...] = (), location: str | None = None, user: str | None = None,
) -> list[TaskRow]:
    with uow:
        location_id = _location(uow, location).id if location else None
        user_id = None
        if user:
            record = uow.users.by_login(user.strip().upper())
            if record is None or record.id is None:
                raise BadInput(f"--user: no user {shown(user)}")
            user_id = record.id
        return uow.outbound.task_rows(TaskFilter(kinds, statuses, location_id, user_id))


def _location(uow: ListingUnitOfWork, code: str) -> LocationRef:
    found = uow.catalog.location_by_code(code.strip())
    if found is None:
        raise BadInput(f"--location: no location {shown(code)}")
    return found


def wave_statuses(values: Sequence[str]) -> tuple[str, ...]:
    return choices(values, "--status", WaveStatus)
