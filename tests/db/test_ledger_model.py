"""A model-based test of the stock core: random posting sequences against a plain dict model.

Every rule first asks the model what should happen (the movements, or which refusal), then posts
through the real service and checks the database agrees; the invariants of DESIGN.md section 5
are checked after every step, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import copy
import itertools
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, text

from tests.conftest import fresh_pg_engine, fresh_sqlite_engine
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain import stock
from wms_tui.domain.errors import (
    BadInput,
    InsufficientStock,
    InvalidQuantity,
    NotFound,
    PermissionDenied,
    UnknownUnit,
    WmsError,
)
from wms_tui.domain.model import Actor, BalanceKey, MovementKind, PostResult, Role, StockStatus
from wms_tui.domain.stock import (
    Adjust,
    ChangeStatus,
    Command,
    Move,
    MoveLpn,
    Pick,
    Receive,
    Reserve,
    ledger_mismatches,
    post,
)

ITEMS = ("widget", "lotted", "heavy")
LOCATIONS = ("dock", "a1", "a2", "pick")
STATUSES = (StockStatus.AVAILABLE, StockStatus.QC_HOLD, StockStatus.DAMAGED)
UNITS = {"widget": {"EA": 1, "CS": 12}, "lotted": {"EA": 1}, "heavy": {"EA": 1, "BOX": 100}}
TRACKED = {"lotted"}
EXPIRIES = (date(2027, 1, 31), date(2027, 3, 31))
KNOWN_REASONS = {"DAMAGED", "FOUND", "COUNT", "QC-PASS", "QC-FAIL"}
LPN = "LPN1"
KIND_OF = {
    Receive: MovementKind.RECEIVE, Move: MovementKind.MOVE, MoveLpn: MovementKind.MOVE,
    Pick: MovementKind.PICK, Adjust: MovementKind.ADJUST, ChangeStatus: MovementKind.STATUS,
}
MOVEMENT_COLUMNS = (
    "id, kind, item_id, lot_id, quantity, from_location_id, to_location_id, from_lpn_id,"
    " to_lpn_id, from_status, to_status, user_id, terminal, reference, reason_code, approved_by,"
    " confirmation, created_at"
)


class Spot(NamedTuple):
    """A balance key in warehouse words: item, location, lot and LPN codes, status."""

    item: str
    location: str
    lot: str | None = None
    lpn: str | None = None
    status: StockStatus = StockStatus.AVAILABLE


@dataclass
class Held:
    on_hand: int = 0
    reserved: int = 0


@dataclass
class LedgerModel:
    """What the database should hold; balances keep creation order, like balance ids."""

    balances: dict[Spot, Held] = field(default_factory=dict)
    reservations: dict[tuple[Spot, str], int] = field(default_factory=dict)
    lots: dict[tuple[str, str], date | None] = field(default_factory=dict)
    lpn_location: str | None = None

    def free(self, spot: Spot) -> int:
        held = self.balances.get(spot)
        return 0 if held is None else held.on_hand - held.reserved

    def put(self, spot: Spot, qty: int) -> None:
        self.balances.setdefault(spot, Held()).on_hand += qty

    def take(self, spot: Spot, qty: int) -> None:
        if self.free(spot) < qty:
            raise InsufficientStock(f"{spot} has {self.free(spot)} free, not {qty}")
        self.balances[spot].on_hand -= qty

    def receive(
        self, spot: Spot, quantity: int | str, uom: str | None, lot: str | None,
        expiry: date | None,
    ) -> int:
        qty = base_units(spot.item, quantity, uom)
        if spot.item in TRACKED and (not lot or expiry is None):
            raise BadInput("a lot-tracked item needs a lot and an expiry")
        if not lot and expiry is not None:
            lot = f"EXP{expiry:%Y%m%d}"
        if lot:
            if (spot.item, lot) not in self.lots:
                self.lots[spot.item, lot] = expiry
            known = self.lots[spot.item, lot]
            if expiry is not None and known is not None and known != expiry:
                raise BadInput(f"lot {lot} expires {known}")
        self.put(spot._replace(lot=lot or None), qty)
        self.place_lpn(spot)
        return 1

    def place_lpn(self, spot: Spot) -> None:
        """Stock put on the LPN somewhere else than where it holds stock is refused."""
        if spot.lpn is None:
            return
        if any(s.lpn == spot.lpn and h.on_hand > 0 and s.location != spot.location
               for s, h in self.balances.items()):
            raise BadInput("the LPN holds stock at another location")
        self.lpn_location = spot.location

    def move(self, source: Spot, to: Spot, qty: int) -> int:
        if (source.location, source.lpn) == (to.location, to.lpn):
            raise BadInput("move from and to are the same place")
        self.take(source, qty)
        self.put(to, qty)
        self.place_lpn(to)
        return 1

    def move_lpn(self, to_location: str) -> int:
        rows = [(s, h.on_hand, h.reserved) for s, h in self.balances.items()
                if s.lpn == LPN and h.on_hand > 0]
        if not rows or any(reserved for _, _, reserved in rows):
            raise InsufficientStock("the LPN is empty or has reserved stock")
        if rows[0][0].location == to_location:
            raise BadInput("the LPN is already there")
        for spot, qty, _ in rows:
            self.take(spot, qty)
            self.put(spot._replace(location=to_location), qty)
        self.lpn_location = to_location
        return len(rows)

    def pick(self, spot: Spot, qty: int, reservation: str | None, to_location: str | None) -> int:
        if reservation is not None:
            held = self.reservations.get((spot, reservation), 0)
            if held == 0:
                raise NotFound(f"nothing reserved for {reservation}")
            if qty > held:
                raise InvalidQuantity(f"only {held} reserved")
            self.balances[spot].reserved -= qty
            if held == qty:
                del self.reservations[spot, reservation]
            else:
                self.reservations[spot, reservation] = held - qty
        self.take(spot, qty)
        if to_location is not None:
            self.put(spot._replace(location=to_location, lpn=None), qty)
        return 1

    def adjust(self, role: Role, spot: Spot, delta: int, reason: str) -> int:
        require_supervisor(role)
        if delta == 0:
            raise InvalidQuantity("an adjustment of 0 changes nothing")
        if reason not in KNOWN_REASONS:
            raise BadInput(f"unknown reason code {reason}")
        if delta > 0:
            if spot.item in TRACKED and spot.lot is None:
                raise BadInput("found stock of a lot-tracked item needs its lot")
            self.put(spot, delta)
            self.place_lpn(spot)
        else:
            self.take(spot, -delta)
        return 1

    def change_status(
        self, role: Role, spot: Spot, qty: int, to_status: StockStatus, reason: str | None
    ) -> int:
        require_supervisor(role)
        if spot.status == to_status:
            raise BadInput("stock is already in that status")
        if reason is not None and reason not in KNOWN_REASONS:
            raise BadInput(f"unknown reason code {reason}")
        self.take(spot, qty)
        self.put(spot._replace(status=to_status), qty)
        return 1

    def reserve(self, spot: Spot, qty: int, reference: str) -> None:
        if spot not in self.balances or self.free(spot) < qty:
            raise InsufficientStock(f"only {self.free(spot)} free to reserve")
        self.balances[spot].reserved += qty
        self.reservations[spot, reference] = self.reservations.get((spot, reference), 0) + qty


def base_units(item: str, quantity: int | str, uom: str | None) -> int:
    factors = UNITS[item]
    unit = uom or "EA"
    if unit not in factors:
        raise UnknownUnit(f"unit {unit} is not set up for {item}")
    base = Decimal(quantity) * factors[unit]
    if base != base.to_integral_value():
        raise InvalidQuantity(f"{base} is not a whole number of base units")
    return int(base)


def require_supervisor(role: Role) -> None:
    if role is Role.OPERATOR:
        raise PermissionDenied("operators may not do this")


@dataclass(frozen=True)
class Posted:
    key: str
    actor: Actor
    command: Command
    result: PostResult


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, open_warehouse: Callable[[], tuple[Engine, Warehouse]]) -> None:
        super().__init__()
        self.engine, wh = open_warehouse()
        self.uow = uow_factory(self.engine)
        self.actors = {Role.OPERATOR: wh.operator, Role.SUPERVISOR: wh.supervisor}
        self.item_ids = {"widget": wh.widget, "lotted": wh.lotted, "heavy": wh.heavy}
        self.location_ids = {"dock": wh.dock, "a1": wh.a1, "a2": wh.a2, "pick": wh.pick}
        self.lot_ids: dict[tuple[str, str], int] = {}
        self.lpn_id: int | None = None
        self.model = LedgerModel()
        self.ledger: list[tuple[Any, ...]] = []
        self.posted: list[Posted] = []
        self.refused_keys: list[str] = []
        self.serial = itertools.count(1)

    def teardown(self) -> None:
        self.engine.dispose()

    # -- translating between the model's codes and database ids ---------------------------

    def balance_key(self, spot: Spot) -> BalanceKey:
        return BalanceKey(
            self.item_ids[spot.item], self.location_ids[spot.location],
            None if spot.lot is None else self.lot_ids[spot.item, spot.lot],
            None if spot.lpn is None else self.lpn_id, spot.status,
        )

    def spot(self, key: BalanceKey) -> Spot:
        items = {v: k for k, v in self.item_ids.items()}
        locations = {v: k for k, v in self.location_ids.items()}
        lots = {v: code for (_, code), v in self.lot_ids.items()}
        return Spot(
            items[key.item_id], locations[key.location_id],
            None if key.lot_id is None else lots[key.lot_id],
            None if key.lpn_id is None else LPN, key.status,
        )

    def learn_new_ids(self) -> None:
        with self.engine.connect() as conn:
            items = {v: k for k, v in self.item_ids.items()}
            for lot_id, item_id, code in conn.execute(text("SELECT id, item_id, code FROM lot")):
                self.lot_ids[items[item_id], code] = lot_id
            self.lpn_id = conn.execute(
                text("SELECT id FROM lpn WHERE code = :c"), {"c": LPN}
            ).scalar()

    def ledger_rows(self) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {MOVEMENT_COLUMNS} FROM movement ORDER BY id"))
            return [tuple(r) for r in rows]

    # -- drawing keys and quantities ------------------------------------------------------

    def draw_spot(self, data: st.DataObject, status: StockStatus | None = None) -> Spot:
        """Mostly a spot that holds stock, sometimes any spot (which may hold none)."""
        stocked = [s for s, h in self.model.balances.items()
                   if h.on_hand > 0 and status in (None, s.status)]
        if stocked and data.draw(st.integers(0, 3), label="stocked?") > 0:
            return data.draw(st.sampled_from(stocked), label="spot")
        item = data.draw(st.sampled_from(ITEMS), label="item")
        lots = sorted(code for (i, code) in self.model.lots if i == item)
        lot = data.draw(st.sampled_from([None, *lots]), label="lot")
        lpn = None
        if self.model.lpn_location is not None and data.draw(st.booleans(), label="on LPN?"):
            lpn = LPN
        return Spot(
            item, data.draw(st.sampled_from(LOCATIONS), label="location"), lot, lpn,
            status or data.draw(st.sampled_from(STATUSES), label="status"),
        )

    def draw_quantity(self, data: st.DataObject, spot: Spot) -> int:
        """Up to two more than is free, so shortages come up as often as successes."""
        return data.draw(st.integers(1, self.model.free(spot) + 2), label="quantity")

    def actor(self, data: st.DataObject) -> Actor:
        return self.actors[data.draw(st.sampled_from(list(self.actors)), label="role")]

    def reference(self) -> str:
        return f"REF-{next(self.serial)}"

    # -- posting against the model ----------------------------------------------------------

    def check_post(
        self, actor: Actor, command: Command, simulate: Callable[[LedgerModel], int],
        key: str | None = None,
    ) -> None:
        """Post once; the outcome, the rows and the balances must be what the model says."""
        key = key or f"K-{next(self.serial)}"
        trial = copy.deepcopy(self.model)
        expected: type[WmsError] | int
        try:
            expected = simulate(trial)
        except WmsError as refusal:
            expected = type(refusal)
        before = self.ledger_rows()
        try:
            outcome: PostResult | WmsError = post(self.uow, actor, command, key)
        except WmsError as refusal:
            outcome = refusal
        if not isinstance(expected, int):
            assert type(outcome) is expected, f"{command} gave {outcome!r}, not {expected}"
            assert self.ledger_rows() == before, "a refused post wrote movements"
            self.refused_keys.append(key)
            return
        assert isinstance(outcome, PostResult), f"{command} was refused: {outcome!r}"
        assert not outcome.replayed
        new_rows = self.ledger_rows()[len(before):]
        assert [r[0] for r in new_rows] == outcome.movement_ids
        assert len(new_rows) == expected
        for row in new_rows:
            kind, user_id, terminal, confirmation = row[1], row[11], row[12], row[16]
            assert kind == KIND_OF[type(command)].value
            assert (user_id, terminal, confirmation) == (actor.user_id, actor.terminal, key)
        self.model = trial
        self.learn_new_ids()
        self.posted.append(Posted(key, actor, command, outcome))

    # -- rules ------------------------------------------------------------------------------

    def post_receipt(self, data: st.DataObject, mistake: str | None) -> None:
        """A receipt as a terminal would send it, with the operator's mistake if there is one."""
        item = data.draw(st.sampled_from(ITEMS), label="item")
        location = data.draw(st.sampled_from(LOCATIONS), label="location")
        quantity: int | str = data.draw(st.integers(1, 30), label="quantity")
        uom = data.draw(st.sampled_from([None, *UNITS[item]]), label="uom")
        lot: str | None = None
        expiry: date | None = None
        if item in TRACKED:
            lot = data.draw(st.sampled_from(["L1", "L2"]), label="lot")
            expiry = self.model.lots.get((item, lot)) or data.draw(
                st.sampled_from(EXPIRIES), label="expiry")
        else:
            batch = data.draw(st.sampled_from([None, None, "L1", "expiry only"]), label="batch")
            lot, expiry = {"L1": ("L1", None), "expiry only": (None, EXPIRIES[0])}.get(
                batch or "", (None, None))
        match mistake:
            case "unknown unit":
                uom = "PAL"
            case "fraction":
                quantity, uom = "0.5", None
            case "no lot":
                lot = None
            case "other expiry":
                expiry = EXPIRIES[1] if expiry == EXPIRIES[0] else EXPIRIES[0]
        on_lpn = data.draw(st.booleans(), label="on LPN?")
        status = data.draw(st.sampled_from(
            [StockStatus.AVAILABLE, StockStatus.AVAILABLE, StockStatus.QC_HOLD]), label="status")
        spot = Spot(item, location, None, LPN if on_lpn else None, status)
        command = Receive(
            self.item_ids[item], quantity, self.location_ids[location], self.reference(),
            uom=uom, lot=lot, expiry=expiry, lpn=spot.lpn, status=status,
        )
        self.check_post(
            self.actor(data), command, lambda m: m.receive(spot, quantity, uom, lot, expiry)
        )

    @initialize(data=st.data(), lines=st.integers(1, 4))
    def opening_stock(self, data: st.DataObject, lines: int) -> None:
        for _ in range(lines):
            self.post_receipt(data, mistake=None)

    @rule(
        data=st.data(),
        mistake=st.sampled_from(
            [None] * 3 + ["unknown unit", "fraction", "no lot", "other expiry"]),
    )
    def receive(self, data: st.DataObject, mistake: str | None) -> None:
        self.post_receipt(data, mistake)

    @rule(data=st.data(), onto_lpn=st.booleans())
    def move(self, data: st.DataObject, onto_lpn: bool) -> None:
        source = self.draw_spot(data)
        qty = self.draw_quantity(data, source)
        choices = [loc for loc in LOCATIONS if loc != source.location] + [source.location]
        to_location = data.draw(st.sampled_from(choices), label="to location")
        to_lpn = LPN if onto_lpn and self.lpn_id is not None else None
        to = source._replace(location=to_location, lpn=to_lpn)
        key, to_key = self.balance_key(source), self.balance_key(to)
        command = Move(
            key.item_id, qty, key.location_id, to_key.location_id, self.reference(),
            lot_id=key.lot_id, from_lpn_id=key.lpn_id, to_lpn_id=to_key.lpn_id,
            status=source.status,
        )
        self.check_post(self.actor(data), command, lambda m: m.move(source, to, qty))

    @precondition(lambda self: self.lpn_id is not None)
    @rule(data=st.data(), to_location=st.sampled_from(LOCATIONS))
    def move_lpn(self, data: st.DataObject, to_location: str) -> None:
        assert self.lpn_id is not None
        command = MoveLpn(self.lpn_id, self.location_ids[to_location], self.reference())
        self.check_post(self.actor(data), command, lambda m: m.move_lpn(to_location))

    @rule(data=st.data(), to_location=st.sampled_from([None, *LOCATIONS]))
    def pick(self, data: st.DataObject, to_location: str | None) -> None:
        spot = self.draw_spot(data, StockStatus.AVAILABLE)
        qty = self.draw_quantity(data, spot)
        key = self.balance_key(spot)
        command = Pick(
            key.item_id, qty, key.location_id, self.reference(), lot_id=key.lot_id,
            lpn_id=key.lpn_id,
            to_location_id=None if to_location is None else self.location_ids[to_location],
        )
        self.check_post(
            self.actor(data), command, lambda m: m.pick(spot, qty, None, to_location)
        )

    @rule(
        data=st.data(),
        reason=st.sampled_from(["DAMAGED", "FOUND", "COUNT", "NOPE"]),
        role=st.sampled_from([Role.SUPERVISOR, Role.SUPERVISOR, Role.OPERATOR]),
    )
    def adjust(self, data: st.DataObject, reason: str, role: Role) -> None:
        spot = self.draw_spot(data)
        delta = data.draw(st.integers(-(self.model.free(spot) + 2), 12), label="delta")
        key = self.balance_key(spot)
        approver = self.actors[Role.SUPERVISOR].user_id
        command = Adjust(
            key.item_id, delta, key.location_id, reason, self.reference(), lot_id=key.lot_id,
            lpn_id=key.lpn_id, status=spot.status, approved_by=approver,
        )
        self.check_post(
            self.actors[role], command, lambda m: m.adjust(role, spot, delta, reason)
        )

    @rule(
        data=st.data(),
        reason=st.sampled_from([None, "QC-PASS", "QC-FAIL", "NOPE"]),
        role=st.sampled_from([Role.SUPERVISOR, Role.SUPERVISOR, Role.OPERATOR]),
    )
    def change_status(self, data: st.DataObject, reason: str | None, role: Role) -> None:
        spot = self.draw_spot(data)
        qty = self.draw_quantity(data, spot)
        # The current status comes last, so it is drawn rarely and shrinks away.
        choices = [s for s in STATUSES if s != spot.status] + [spot.status]
        to_status = data.draw(st.sampled_from(choices), label="to status")
        key = self.balance_key(spot)
        command = ChangeStatus(
            key.item_id, qty, key.location_id, spot.status, to_status, self.reference(),
            reason, lot_id=key.lot_id, lpn_id=key.lpn_id,
        )
        self.check_post(
            self.actors[role], command,
            lambda m: m.change_status(role, spot, qty, to_status, reason),
        )

    @rule(data=st.data(), task=st.sampled_from(["TASK-1", "TASK-2"]))
    def reserve(self, data: st.DataObject, task: str) -> None:
        spot = self.draw_spot(data, StockStatus.AVAILABLE)
        qty = self.draw_quantity(data, spot)
        key = self.balance_key(spot)
        trial = copy.deepcopy(self.model)
        try:
            trial.reserve(spot, qty, task)
            expected: type[WmsError] | None = None
        except WmsError as refusal:
            expected = type(refusal)
        before = self.ledger_rows()
        try:
            stock.reserve(self.uow, self.actor(data), Reserve(
                key.item_id, qty, key.location_id, task, lot_id=key.lot_id, lpn_id=key.lpn_id))
            outcome: type[WmsError] | None = None
        except WmsError as refusal:
            outcome = type(refusal)
        assert outcome is expected
        assert self.ledger_rows() == before, "reserving wrote movements"
        if expected is None:
            self.model = trial

    @precondition(lambda self: self.model.reservations)
    @rule(
        data=st.data(),
        to_location=st.sampled_from([None, *LOCATIONS]),
        right_task=st.booleans(),
    )
    def pick_reserved(self, data: st.DataObject, to_location: str | None, right_task: bool) -> None:
        spot, task = data.draw(st.sampled_from(list(self.model.reservations)), label="reservation")
        held = self.model.reservations[spot, task]
        qty = data.draw(st.integers(1, held + 1), label="quantity")
        task = task if right_task else "TASK-9"
        key = self.balance_key(spot)
        command = Pick(
            key.item_id, qty, key.location_id, self.reference(), lot_id=key.lot_id,
            lpn_id=key.lpn_id, reservation=task,
            to_location_id=None if to_location is None else self.location_ids[to_location],
        )
        self.check_post(
            self.actor(data), command, lambda m: m.pick(spot, qty, task, to_location)
        )

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def resubmit_same_confirmation(self, data: st.DataObject) -> None:
        first = data.draw(st.sampled_from(self.posted), label="earlier post")
        before = self.ledger_rows()
        again = post(self.uow, first.actor, first.command, first.key)
        assert again == replace(first.result, replayed=True)
        assert self.ledger_rows() == before

    @precondition(lambda self: self.posted)
    @rule(data=st.data(), other=st.sampled_from(["receive", "huge pick", "operator adjust"]))
    def resubmit_old_key_with_another_command(self, data: st.DataObject, other: str) -> None:
        first = data.draw(st.sampled_from(self.posted), label="earlier post")
        ids, locs = self.item_ids, self.location_ids
        others: dict[str, Command] = {
            "receive": Receive(ids["widget"], 7, locs["dock"], "OTHER"),
            "huge pick": Pick(ids["heavy"], 10**6, locs["a1"], "OTHER"),
            "operator adjust": Adjust(ids["widget"], -1, locs["a1"], "LOST", "OTHER"),
        }
        command = others[other]
        before = self.ledger_rows()
        again = post(self.uow, self.actors[Role.OPERATOR], command, first.key)
        assert again == replace(first.result, replayed=True)
        assert self.ledger_rows() == before

    @precondition(lambda self: self.refused_keys)
    @rule(data=st.data())
    def refused_key_can_confirm_again(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self.refused_keys), label="refused key")
        self.refused_keys.remove(key)
        spot = Spot("widget", "dock")
        command = Receive(self.item_ids["widget"], 1, self.location_ids["dock"], "RETRY")
        self.check_post(
            self.actors[Role.OPERATOR], command, lambda m: m.receive(spot, 1, None, None, None),
            key=key,
        )

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def balances_match_the_model_and_the_ledger(self) -> None:
        with self.uow() as uow:
            rows = uow.stock.balances()
            assert ledger_mismatches(uow) == []
        assert all(r.quantity >= 0 and 0 <= r.reserved <= r.quantity for r in rows)
        found = {self.spot(r.key): (r.quantity, r.reserved) for r in rows}
        assert found == {s: (h.on_hand, h.reserved) for s, h in self.model.balances.items()}

    @invariant()
    def reservations_match_the_model(self) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT b.item_id, b.location_id, b.lot_id, b.lpn_id, b.status, r.reference,"
                " r.quantity FROM reservation r JOIN balance b ON b.id = r.balance_id"
            )).all()
        found = {
            (self.spot(BalanceKey(i, loc, lot, lpn, StockStatus(st_))), ref): qty
            for i, loc, lot, lpn, st_, ref, qty in rows
        }
        assert found == self.model.reservations
        for spot, held in self.model.balances.items():
            promised = sum(q for (s, _), q in found.items() if s == spot)
            assert held.reserved == promised

    @invariant()
    def lots_and_lpn_match_the_model(self) -> None:
        with self.engine.connect() as conn:
            items = {v: k for k, v in self.item_ids.items()}
            lots = {
                (items[item_id], code): expiry
                for item_id, code, expiry in conn.execute(
                    text("SELECT item_id, code, expiry FROM lot"))
            }
            lpn_at = conn.execute(
                text("SELECT location_id FROM lpn WHERE code = :c"), {"c": LPN}
            ).scalar()
            confirmations = conn.execute(text("SELECT count(*) FROM idempotency_record")).scalar()
        assert {k: _as_date(v) for k, v in lots.items()} == self.model.lots
        locations = {v: k for k, v in self.location_ids.items()}
        assert (None if lpn_at is None else locations[lpn_at]) == self.model.lpn_location
        # Only accepted confirmations leave a key behind; refusals roll theirs back.
        assert confirmations == len(self.posted)

    @invariant()
    def ledger_only_grows(self) -> None:
        rows = self.ledger_rows()
        assert rows[: len(self.ledger)] == self.ledger, "an earlier movement changed or vanished"
        assert len(rows) >= len(self.ledger)
        self.ledger = rows


def _as_date(value: Any) -> date | None:
    """SQLite hands dates back as text through a raw query."""
    return date.fromisoformat(value) if isinstance(value, str) else value


STEPS = 40
SETTINGS = {
    "sqlite": settings(max_examples=50, stateful_step_count=STEPS, deadline=None),
    "postgres": settings(max_examples=20, stateful_step_count=STEPS, deadline=None),
}


def sqlite_warehouses(directory: Path) -> Callable[[], tuple[Engine, Warehouse]]:
    """Migrate and seed one SQLite file, then give each example a fresh copy of it.

    The copy always lands on the same path behind the same engine, so statements compiled in
    one example are reused by the next (a new engine per example triples the shrinking time).
    """
    template = directory / "template.db"
    engine = fresh_sqlite_engine(str(template))
    wh = build_warehouse(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    assert not Path(f"{template}-wal").exists()
    path = directory / "ledger.db"
    # Durability is not under test here, so skip the per-commit fsync and shrink faster.
    engine = make_engine(f"sqlite:///{path}", synchronous="NORMAL")

    def open_warehouse() -> tuple[Engine, Warehouse]:
        engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)
        return engine, wh

    return open_warehouse


def pg_warehouse() -> tuple[Engine, Warehouse]:
    # One database per xdist worker: each example drops and re-migrates its schema.
    engine = fresh_pg_engine()
    return engine, build_warehouse(engine)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_ledger_follows_the_model(backend: str, tmp_path: Path) -> None:
    open_warehouse = sqlite_warehouses(tmp_path) if backend == "sqlite" else pg_warehouse
    # Hypothesis accepts any factory here, though its annotation names the class.
    run_state_machine_as_test(
        lambda: LedgerMachine(open_warehouse),  # type: ignore[arg-type]
        settings=SETTINGS[backend],
    )
