"""An in-memory unit of work implementing the domain's ports, for tests without a database."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Self

from wms_tui.domain.errors import NotFound
from wms_tui.domain.model import (
    BalanceKey,
    BalanceRow,
    ItemRef,
    LocationRef,
    LpnRef,
    MovementRecord,
)


@dataclass
class FakeUser:
    id: int | None
    login: str
    name: str
    role: str
    pin_hash: str
    failed_attempts: int = 0
    active: bool = True
    language: str = "en"


@dataclass
class FakeState:
    """Everything one database would hold; a unit of work edits a copy and swaps it in on commit."""

    items: dict[int, ItemRef] = field(default_factory=dict)
    units: dict[int, dict[str, int]] = field(default_factory=dict)
    locations: dict[int, LocationRef] = field(default_factory=dict)
    lpns: dict[int, LpnRef] = field(default_factory=dict)
    reasons: set[str] = field(default_factory=set)
    lots: dict[tuple[int, str], tuple[int, date | None]] = field(default_factory=dict)
    balances: dict[BalanceKey, BalanceRow] = field(default_factory=dict)
    reservations: dict[tuple[BalanceKey, str], int] = field(default_factory=dict)
    movements: list[MovementRecord] = field(default_factory=list)
    idempotency: dict[str, str] = field(default_factory=dict)
    users: dict[str, FakeUser] = field(default_factory=dict)
    last_id: int = 0

    def new_id(self) -> int:
        self.last_id += 1
        return self.last_id


class FakeCatalog:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def item(self, item_id: int) -> ItemRef:
        if item_id not in self.state.items:
            raise NotFound(f"no item with id {item_id}")
        return self.state.items[item_id]

    def item_by_gtin(self, gtin14: str) -> ItemRef | None:
        return None

    def item_by_code(self, code: str) -> ItemRef | None:
        return next((i for i in self.state.items.values() if i.sku == code), None)

    def units(self, item_id: int) -> dict[str, int]:
        return dict(self.state.units.get(item_id, {}))

    def location(self, location_id: int) -> LocationRef:
        if location_id not in self.state.locations:
            raise NotFound(f"no location with id {location_id}")
        return self.state.locations[location_id]

    def location_by_code(self, code: str) -> LocationRef | None:
        return next(
            (loc for loc in self.state.locations.values() if code in (loc.code, loc.barcode)), None
        )

    def lpn(self, lpn_id: int) -> LpnRef:
        if lpn_id not in self.state.lpns:
            raise NotFound(f"no LPN with id {lpn_id}")
        return self.state.lpns[lpn_id]

    def lpn_by_code(self, code: str) -> LpnRef | None:
        return next((lpn for lpn in self.state.lpns.values() if code in (lpn.code, lpn.sscc)), None)

    def reason_exists(self, code: str) -> bool:
        return code in self.state.reasons


class FakeStock:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def lot_id(self, item_id: int, code: str, expiry: date | None, *, create: bool) -> int | None:
        if (item_id, code) not in self.state.lots:
            if not create:
                return None
            self.state.lots[item_id, code] = (self.state.new_id(), expiry)
        return self.state.lots[item_id, code][0]

    def lot_expiry(self, lot_id: int) -> date | None:
        return next((exp for i, exp in self.state.lots.values() if i == lot_id), None)

    def ensure_lpn(self, code: str, sscc: str | None, location_id: int) -> int:
        found = FakeCatalog(self.state).lpn_by_code(code)
        if found is not None:
            return found.id
        lpn_id = self.state.new_id()
        self.state.lpns[lpn_id] = LpnRef(lpn_id, code, sscc, location_id)
        return lpn_id

    def set_lpn_location(self, lpn_id: int, location_id: int | None) -> None:
        self.state.lpns[lpn_id] = replace(self.state.lpns[lpn_id], location_id=location_id)

    def balance(self, key: BalanceKey) -> BalanceRow | None:
        return self.state.balances.get(key)

    def balances_on_lpn(self, lpn_id: int) -> list[BalanceRow]:
        return [r for r in self.state.balances.values() if r.key.lpn_id == lpn_id]

    def balances(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[BalanceRow]:
        return [
            r for r in self.state.balances.values()
            if item_id in (None, r.key.item_id) and location_id in (None, r.key.location_id)
        ]

    def take(self, key: BalanceKey, quantity: int) -> bool:
        row = self.state.balances.get(key)
        if row is None or row.available < quantity:
            return False
        self.state.balances[key] = replace(row, quantity=row.quantity - quantity)
        return True

    def put(self, key: BalanceKey, quantity: int) -> None:
        row = self.state.balances.get(key) or BalanceRow(self.state.new_id(), key, 0, 0)
        self.state.balances[key] = replace(row, quantity=row.quantity + quantity)

    def reserve(self, key: BalanceKey, quantity: int, reference: str) -> bool:
        row = self.state.balances.get(key)
        if row is None or row.available < quantity:
            return False
        self.state.balances[key] = replace(row, reserved=row.reserved + quantity)
        held = self.state.reservations.get((key, reference), 0)
        self.state.reservations[key, reference] = held + quantity
        return True

    def reserved_for(self, key: BalanceKey, reference: str) -> int:
        return self.state.reservations.get((key, reference), 0)

    def release(self, key: BalanceKey, quantity: int, reference: str) -> None:
        held = self.state.reservations.get((key, reference), 0)
        if held < quantity:
            raise NotFound(f"only {held} reserved for {reference}, not {quantity}")
        row = self.state.balances[key]
        self.state.balances[key] = replace(row, reserved=row.reserved - quantity)
        if held == quantity:
            del self.state.reservations[key, reference]
        else:
            self.state.reservations[key, reference] = held - quantity

    def append(self, movement: MovementRecord) -> int:
        movement_id = self.state.new_id()
        self.state.movements.append(replace(movement, id=movement_id))
        return movement_id

    def movements(
        self,
        *,
        item_id: int | None = None,
        location_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[MovementRecord]:
        found = [
            m for m in self.state.movements
            if item_id in (None, m.item_id)
            and (location_id is None or location_id in (m.from_location_id, m.to_location_id))
        ]
        return iter(found[:limit])

    def ledger_sums(self) -> dict[BalanceKey, int]:
        sums: dict[BalanceKey, int] = {}
        for m in self.state.movements:
            for loc, lpn, status, sign in (
                (m.to_location_id, m.to_lpn_id, m.to_status, 1),
                (m.from_location_id, m.from_lpn_id, m.from_status, -1),
            ):
                if loc is not None and status is not None:
                    key = BalanceKey(m.item_id, loc, m.lot_id, lpn, status)
                    sums[key] = sums.get(key, 0) + sign * m.quantity
        return sums


class FakeIdempotency:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def get(self, key: str) -> str | None:
        return self.state.idempotency.get(key)

    def put(self, key: str, user_id: int, operation: str, result: str) -> None:
        self.state.idempotency[key] = result


class FakeUsers:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def by_login(self, login: str) -> FakeUser | None:
        return self.state.users.get(login)

    def add(self, login: str, name: str, role: str, pin_hash: str, language: str) -> FakeUser:
        user = FakeUser(self.state.new_id(), login, name, role, pin_hash, language=language)
        self.state.users[login] = user
        return user

    def all(self) -> list[FakeUser]:
        return sorted(self.state.users.values(), key=lambda u: u.login)


class FakeUnitOfWork:
    """Rolls back on exit unless commit() was called, like the SQL one; counts commits."""

    def __init__(self, state: FakeState | None = None) -> None:
        self.committed = state or FakeState()
        self.commits = 0

    def __enter__(self) -> Self:
        self._work = copy.deepcopy(self.committed)
        self.catalog = FakeCatalog(self._work)
        self.stock = FakeStock(self._work)
        self.idempotency = FakeIdempotency(self._work)
        self.users = FakeUsers(self._work)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del self._work

    def commit(self) -> None:
        self.committed = copy.deepcopy(self._work)
        self.commits += 1
