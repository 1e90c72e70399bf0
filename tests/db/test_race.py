"""Terminals in separate processes racing for the same stock: nothing oversold, nothing lost."""

from __future__ import annotations

import multiprocessing
import random
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.factories import Warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.errors import InsufficientStock
from wms_tui.domain.model import Actor, BalanceKey, MovementKind
from wms_tui.domain.stock import Pick, Receive, Reserve, ledger_mismatches, post, reserve

# Spawned children start from a clean interpreter, as separate terminal servers would.
SPAWN = multiprocessing.get_context("spawn")
TERMINALS = 8
ATTEMPTS_EACH = 125
STOCK = 600
LOTS = 20
UNITS_PER_LOT = 5
CHILD_TIMEOUT = 120


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _run_terminals(
    target: Callable[..., None], args: list[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    """Start one process per terminal, release them together, collect every report."""
    start = SPAWN.Barrier(len(args))
    results = SPAWN.Queue()
    procs = [SPAWN.Process(target=target, args=(*a, start, results)) for a in args]
    for proc in procs:
        proc.start()
    try:
        reports = [results.get(timeout=CHILD_TIMEOUT) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=CHILD_TIMEOUT)
            if proc.is_alive():
                proc.kill()
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return reports


def _picker(
    url: str, item_id: int, location_id: int, actor: Actor, terminal: int, attempts: int,
    start: Any, results: Any,
) -> None:
    """One terminal picking 1-3 units at a time; reports every outcome, never raises."""
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    keys: list[str] = []
    picked = 0
    try:
        engine = make_engine(url)
        uow = uow_factory(engine)
        rng = random.Random(terminal)
        start.wait(CHILD_TIMEOUT)
        for n in range(attempts):
            qty = rng.randint(1, 3)
            key = f"T{terminal}-{n}"
            try:
                post(uow, actor, Pick(item_id, qty, location_id, f"SO-{terminal}-{n}"), key=key)
            except InsufficientStock:
                outcomes["insufficient"] += 1
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            else:
                outcomes["picked"] += 1
                picked += qty
                keys.append(key)
        engine.dispose()
    except BaseException:
        errors.append(traceback.format_exc())
    results.put({"outcomes": outcomes, "errors": errors, "picked": picked, "keys": keys})


@pytest.mark.slow
def test_eight_terminals_picking_one_balance_never_oversell(
    engine: Engine, wh: Warehouse
) -> None:
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(wh.widget, STOCK, wh.a1, "ASN-RACE"))
    reports = _run_terminals(_picker, [
        (_url(engine), wh.widget, wh.a1, wh.operator, t, ATTEMPTS_EACH) for t in range(TERMINALS)
    ])

    assert [r["errors"] for r in reports] == [[]] * TERMINALS
    outcomes: Counter[str] = sum((r["outcomes"] for r in reports), Counter())
    assert outcomes["picked"] + outcomes["insufficient"] == TERMINALS * ATTEMPTS_EACH
    assert outcomes["insufficient"] > 0, "demand must exceed stock for the race to mean anything"
    reported = sum(r["picked"] for r in reports)
    with SqlUnitOfWork(engine) as u:
        row = u.stock.balance(BalanceKey(wh.widget, wh.a1))
        picks = [m for m in u.stock.movements(item_id=wh.widget) if m.kind is MovementKind.PICK]
        assert ledger_mismatches(u) == []
    assert row is not None and row.quantity >= 0
    assert reported == STOCK - row.quantity == sum(m.quantity for m in picks)
    # Picks were 1-3 units and stock only falls: 3 or more left would mean a wrong refusal.
    assert row.quantity < 3
    keys = sorted(k for r in reports for k in r["keys"])
    assert sorted(m.confirmation or "" for m in picks) == keys


def _reserving_picker(
    url: str, item_id: int, location_id: int, lot_ids: list[int], actor: Actor, terminal: int,
    start: Any, results: Any,
) -> None:
    """Reserve then pick on each lot until nothing is free, like two racing pick tasks."""
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    picked = 0
    try:
        engine = make_engine(url)
        uow = uow_factory(engine)
        rng = random.Random(100 + terminal)
        for lot_id in lot_ids:
            # Both terminals start every lot together, so each lot's last units are contested.
            start.wait(CHILD_TIMEOUT)
            key = BalanceKey(item_id, location_id, lot_id)
            won = False
            n = 0
            while True:
                n += 1
                qty = rng.randint(1, 3)
                task = f"TASK-{terminal}-{lot_id}-{n}"
                try:
                    reserve(uow, actor, Reserve(item_id, qty, location_id, task, lot_id=lot_id))
                except InsufficientStock:
                    outcomes["refused"] += 1
                    if qty == 1:
                        break
                    continue
                with uow() as u:
                    row = u.stock.balance(key)
                if row is None or not 0 <= row.reserved <= row.quantity:
                    errors.append(f"after reserving, {key.text()} reads {row}")
                try:
                    post(uow, actor, Pick(item_id, qty, location_id, task, lot_id=lot_id,
                                          reservation=task))
                except Exception as exc:
                    errors.append(f"reserved pick {task} failed: {type(exc).__name__}: {exc}")
                else:
                    outcomes["picked"] += 1
                    picked += qty
                    won = True
            outcomes["lots won"] += won
        engine.dispose()
    except BaseException:
        errors.append(traceback.format_exc())
    results.put({"outcomes": outcomes, "errors": errors, "picked": picked})


@pytest.mark.slow
def test_two_terminals_reserving_the_last_units_never_promise_more_than_stock(
    engine: Engine, wh: Warehouse
) -> None:
    uow = uow_factory(engine)
    for n in range(LOTS):
        lot = f"L{n:02}"
        post(uow, wh.operator, Receive(wh.widget, UNITS_PER_LOT, wh.pick, "ASN-LAST", lot=lot))
    with SqlUnitOfWork(engine) as u:
        lot_ids = [u.stock.lot_id(wh.widget, f"L{n:02}", None, create=False) for n in range(LOTS)]
    reports = _run_terminals(_reserving_picker, [
        (_url(engine), wh.widget, wh.pick, lot_ids, wh.operator, t) for t in range(2)
    ])

    assert [r["errors"] for r in reports] == [[], []]
    assert sum(r["picked"] for r in reports) == LOTS * UNITS_PER_LOT
    assert all(r["outcomes"]["lots won"] > 0 for r in reports), "the lots were not contested"
    with SqlUnitOfWork(engine) as u:
        rows = u.stock.balances(location_id=wh.pick)
        assert ledger_mismatches(u) == []
    assert [(r.quantity, r.reserved) for r in rows] == [(0, 0)] * LOTS
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reservation")).scalar() == 0
