"""The posting benchmark's raw-driver baseline runs the statements a post runs, and stays exact."""

from __future__ import annotations

import queue
from typing import Any

from sqlalchemy import Engine

from tests.db.test_bench_smoke import _bench
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.model import BalanceKey
from wms_tui.domain.stock import ledger_mismatches


class _NoBarrier:
    def wait(self) -> None:
        return None


def test_the_raw_baseline_posts_picks_the_ledger_agrees_with(engine: Engine) -> None:
    bench = _bench()
    seeded = bench.seed(engine, items=2, locations=2)
    pairs = [(i, loc) for i in seeded.item_ids for loc in seeded.location_ids]
    bench.load_receipts(engine, seeded.user_id, pairs, len(pairs), lambda _: 1000)
    results: queue.Queue[dict[str, Any]] = queue.Queue()
    url = engine.url.render_as_string(hide_password=False)
    bench.raw_writer(url, "FULL", pairs, seeded.user_id, 0.2, 1, _NoBarrier(), results)
    report = results.get_nowait()
    assert not report["errors"] and report["latencies"]
    posted = bench.WARM_UP + len(report["latencies"])
    with SqlUnitOfWork(engine, readonly=True) as u:
        assert ledger_mismatches(u) == []
        rows = [u.stock.balance(BalanceKey(i, loc)) for i, loc in pairs]
        left = sum(row.quantity for row in rows if row is not None)
        picks = [m for m in u.stock.movements() if m.kind.value == "pick"]
    assert left == 1000 * len(pairs) - posted
    assert len(picks) == posted
    # Each pick's confirmation has its stored result, as a post would leave it.
    with SqlUnitOfWork(engine, readonly=True) as u:
        assert all(u.idempotency.get(m.confirmation or "") for m in picks[:5])
