"""kill -9 a posting terminal server again and again: every acknowledged confirmation survives."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.factories import Warehouse
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.stock import ledger_mismatches

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")
ROUNDS = {"sqlite": 15, "postgresql": 6}
ACK_DELAY = 0.002


def _run_until_killed(url: str, config: dict[str, object], delay: float) -> list[list[str]]:
    """Start the child, kill -9 it `delay` seconds after its first answer, return its lines."""
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), url, json.dumps(config)],
            stdout=subprocess.PIPE, stderr=err, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None
        try:
            # One buffered reader throughout, so no line read ahead is lost.
            ready = proc.stdout.readline()
            # Counting from the first answer, not from start-up, keeps the kills among the
            # posts however slowly a loaded machine starts Python.
            first = proc.stdout.readline() if ready == "READY\n" else ""
            if first:
                time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            out = first + proc.stdout.read()
            proc.wait(timeout=60)
        finally:
            proc.stdout.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        assert ready == "READY\n" and first, err.read()
    assert proc.returncode == -signal.SIGKILL
    # A line cut short by the kill was never fully written, so it proves nothing either way.
    return [line.split() for line in out.splitlines(keepends=True) if line.endswith("\n")]


@pytest.mark.slow
def test_kill_9_while_posting_loses_no_acknowledged_confirmation(
    engine: Engine, wh: Warehouse
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    ids = {"widget": wh.widget, "heavy": wh.heavy, "dock": wh.dock, "a1": wh.a1, "a2": wh.a2,
           "pick": wh.pick}
    rng = random.Random(9)
    outcome: dict[str, str] = {}
    in_flight: set[str] = set()
    resubmit: list[str] = []
    for round_no in range(ROUNDS[engine.dialect.name]):
        config = {"ids": ids, "user_id": wh.operator.user_id, "round": round_no,
                  "resubmit": resubmit, "ack_delay": ACK_DELAY}
        lines = _run_until_killed(url, config, rng.uniform(0.02, 0.4))
        order = [*resubmit, *(f"r{round_no}-{n}" for n in range(len(lines) + 1))]
        assert [key for key, _ in lines] == order[: len(lines)]
        outcome.update(dict(lines))
        # The confirmation in flight at the kill is resubmitted first, as a terminal would.
        resubmit = [order[len(lines)]]
        in_flight.update(resubmit)

    acknowledged = {k for k, v in outcome.items() if v in ("posted", "replayed")}
    refused = {k for k, v in outcome.items() if v == "refused"}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        per_key = Counter(conn.execute(text(
            "SELECT confirmation FROM movement WHERE terminal LIKE 'T-CRASH-%'"
        )).scalars())
        recorded = set(conn.execute(text("SELECT key FROM idempotency_record")).scalars())
        lowest = conn.execute(text("SELECT min(quantity) FROM balance")).scalar()
    assert acknowledged <= set(per_key) and acknowledged <= recorded
    assert set(per_key) <= acknowledged | in_flight
    assert not refused & set(per_key)
    assert max(per_key.values()) == 1, "a resubmitted confirmation was posted twice"
    assert lowest is not None and lowest >= 0
    replayed = sum(v == "replayed" for v in outcome.values())
    print(f"{len(acknowledged)} acknowledged, {len(refused)} refused; of {len(in_flight)} "
          f"confirmations in flight at a kill, {replayed} had committed and were replayed")
    with SqlUnitOfWork(engine) as u:
        assert ledger_mismatches(u) == []
