"""The posting benchmark's bulk loader must leave a ledger the stock core agrees with."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sqlalchemy import Engine

from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.model import Actor, BalanceKey, Role
from wms_tui.domain.stock import Pick, ledger_mismatches, post

BENCH = Path(__file__).resolve().parents[2] / "bench" / "posting.py"


def _bench() -> ModuleType:
    """bench/ is scripts, not a package, so load the file by path."""
    spec = importlib.util.spec_from_file_location("bench_posting", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bulk_loaded_ledger_matches_balances_and_accepts_posting(engine: Engine) -> None:
    bench = _bench()
    seeded = bench.seed(engine, items=30, locations=20)
    pairs = bench.home_locations(seeded, per_item=4)
    bench.load_receipts(engine, seeded.user_id, pairs, 500, lambda r: r.randint(5, 9),
                        fast_share=0.2)
    uow = uow_factory(engine)
    item, loc = pairs[0]
    post(uow, Actor(seeded.user_id, "BENCH", Role.OPERATOR), Pick(item, 3, loc, "SO-1"))
    with SqlUnitOfWork(engine) as u:
        assert ledger_mismatches(u) == []
        assert len(u.stock.balances()) == len(pairs)
        assert len(list(u.stock.movements())) == 501
        assert u.idempotency.get("bulk-00000499") is not None
        row = u.stock.balance(BalanceKey(item, loc))
    # The fast mover took about a fifth of the 500 receipts, each of 5 to 9 units.
    assert row is not None and row.quantity > 300
