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
    StockLine,
)
from wms_tui.domain.ports import ItemSpec, LedgerLine, LocationSpec


@dataclass
class FakeUser:
    id: int | None
    login: str
    name: str
    role: str
    pin_hash: str
    failed_attempts: int = 0
    locked_until: datetime | None = None
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
    flows: dict[int, tuple[str, str]] = field(default_factory=dict)
    warehouses: dict[str, str] = field(default_factory=dict)
    zones: set[str] = field(default_factory=set)
    location_specs: dict[str, LocationSpec] = field(default_factory=dict)
    item_specs: dict[str, ItemSpec] = field(default_factory=dict)
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

    def _by_id(self, user_id: int) -> FakeUser:
        return next(u for u in self.state.users.values() if u.id == user_id)

    def claim_attempt(self, user_id: int, limit: int, now: datetime,
                      locked_until: datetime | None) -> int | None:
        user = self._by_id(user_id)
        ended = user.locked_until is not None and user.locked_until <= now
        if user.failed_attempts >= limit and not ended:
            return None
        user.failed_attempts = 1 if user.failed_attempts >= limit else user.failed_attempts + 1
        user.locked_until = locked_until if user.failed_attempts >= limit else None
        return user.failed_attempts

    def clear_attempts(self, user_id: int) -> None:
        user = self._by_id(user_id)
        user.failed_attempts, user.locked_until = 0, None


class FakeFlowState:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def save(self, user_id: int, flow: str, state: str, terminal: str) -> None:
        self.state.flows[user_id] = (flow, state)

    def load(self, user_id: int) -> tuple[str, str] | None:
        return self.state.flows.get(user_id)

    def clear(self, user_id: int) -> None:
        self.state.flows.pop(user_id, None)


class FakeInquiry:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def stock_lines(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[StockLine]:
        lots = {lot_id: (code, expiry) for (_, code), (lot_id, expiry) in self.state.lots.items()}
        lines = []
        for row in FakeStock(self.state).balances(item_id=item_id, location_id=location_id):
            if row.quantity <= 0:
                continue
            key = row.key
            item = self.state.items[key.item_id]
            lot, expiry = lots.get(key.lot_id, (None, None)) if key.lot_id else (None, None)
            lpn = self.state.lpns[key.lpn_id].code if key.lpn_id else None
            lines.append(StockLine(
                sku=item.sku, description=item.description,
                location=self.state.locations[key.location_id].code, quantity=row.quantity,
                uom=item.base_uom, lot=lot, expiry=expiry, lpn=lpn, status=key.status.value,
                item_id=key.item_id, location_id=key.location_id, lot_id=key.lot_id,
                lpn_id=key.lpn_id, reserved=row.reserved,
            ))
        return lines


class FakeMasterData:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def warehouse_codes(self) -> list[str]:
        return list(self.state.warehouses)

    def add_warehouse(self, code: str, name: str) -> None:
        self.state.warehouses[code] = name

    def zone_codes(self) -> set[str]:
        return set(self.state.zones)

    def add_zone(self, code: str) -> None:
        self.state.zones.add(code)

    def location(self, code: str) -> LocationSpec | None:
        return self.state.location_specs.get(code)

    def location_code_by_barcode(self, barcode: str) -> str | None:
        specs = self.state.location_specs.values()
        return next((s.code for s in specs if s.barcode == barcode), None)

    def max_walk_seq(self) -> int:
        return max((s.walk_seq for s in self.state.location_specs.values()), default=0)

    def save_location(self, spec: LocationSpec) -> None:
        if spec.zone is not None and spec.zone not in self.state.zones:
            raise NotFound(f"no zone {spec.zone}")
        self.state.location_specs[spec.code] = spec

    def item(self, sku: str) -> ItemSpec | None:
        return self.state.item_specs.get(sku)

    def save_item(self, spec: ItemSpec) -> None:
        old = self.state.item_specs.get(spec.sku)
        if old is not None:
            units = {u.uom: u for u in old.units} | {u.uom: u for u in spec.units}
            spec = replace(
                spec,
                units=tuple(sorted(units.values(), key=lambda u: u.uom)),
                aliases=tuple(sorted(set(old.aliases) | set(spec.aliases))),
            )
        self.state.item_specs[spec.sku] = spec

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
        logins = {u.id: u.login for u in self.state.users.values()}
        lots = {lot_id: code for (_, code), (lot_id, _) in self.state.lots.items()}

        def location(location_id: int | None) -> str | None:
            return None if location_id is None else self.state.locations[location_id].code

        def lpn(lpn_id: int | None) -> str | None:
            return None if lpn_id is None else self.state.lpns[lpn_id].code

        found = list(FakeStock(self.state).movements(item_id=item_id, location_id=location_id))
        lines = [
            LedgerLine(
                id=m.id or 0, created_at=m.created_at or datetime.min, kind=m.kind,
                sku=self.state.items[m.item_id].sku, quantity=m.quantity,
                uom=self.state.items[m.item_id].base_uom,
                from_location=location(m.from_location_id), to_location=location(m.to_location_id),
                lot=None if m.lot_id is None else lots.get(m.lot_id),
                from_lpn=lpn(m.from_lpn_id), to_lpn=lpn(m.to_lpn_id),
                from_status=m.from_status, to_status=m.to_status,
                user=logins.get(m.user_id, ""), terminal=m.terminal, reference=m.reference,
                reason=m.reason_code,
                approved_by=None if m.approved_by is None else logins.get(m.approved_by),
            )
            for m in found
            if (since is None or (m.created_at is not None and m.created_at >= since))
            and (until is None or (m.created_at is not None and m.created_at < until))
        ]
        if after_id is not None:
            page = [ln for ln in lines if ln.id > after_id]
            return page if limit is None else page[:limit]
        return lines if limit is None else lines[-limit:]


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
        self.masterdata = FakeMasterData(self._work)
        self.flow_state = FakeFlowState(self._work)
        self.inquiry = FakeInquiry(self._work)
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
