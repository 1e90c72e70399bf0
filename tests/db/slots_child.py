"""A process that uses PostgreSQL connection slots; run by tests/db/test_connection_slots.py.

Usage: python tests/db/slots_child.py MODE JSON

- hammer: many short transactions through an unpooled (or, with "linger", a lingering) engine
  on the slots; every connection counted in a shared counter file from just after it connects
  until just before its slot is given back, whose "max" is the most ever open at once across
  all processes.
- hold: open `connections` connections through the engine, print HELD, sleep until killed.
- turn: take one slot (no connection), print GOT, give it back when a line comes on stdin.
- fork: take a slot, fork; the child must find its parent's slot taken (DatabaseBusy), not
  inherited; prints CHILD busy|slot|nested, then HOLDING and sleeps until killed.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.pool import NullPool

from wms_tui.db.connection_slots import ConnectionSlots
from wms_tui.db.engine import make_engine
from wms_tui.db.lingering_pool import LingeringPool
from wms_tui.domain.errors import DatabaseBusy


def count(counter: str, step: int) -> None:
    """Add step to the counter file's "now", keeping its "max", under an flock of its own."""
    with open(counter, "r+") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        text = file.read()
        state = json.loads(text) if text else {"now": 0, "max": 0}
        state["now"] += step
        state["max"] = max(state["max"], state["now"])
        file.seek(0)
        file.truncate()
        file.write(json.dumps(state))


def hammer(args: dict[str, Any]) -> None:
    slots = ConnectionSlots(args["slots_path"], args["slots"], args["wait"])
    # "linger": as a `wms serve` session allowed to keep its connection between steps.
    pool: dict[str, Any] = ({"poolclass": LingeringPool, "linger": 0.05,
                             "keep": lambda: True}
                            if args.get("linger") else {"poolclass": NullPool})
    engine = make_engine(args["url"], slots=slots, **pool,
                         connect_args={"application_name": args["app"]})
    counter = args["counter"]

    @event.listens_for(engine, "connect")
    def _opened(_dbapi: Any, _record: Any) -> None:
        count(counter, 1)

    # Inserted first, so the count drops before the slot is given back.
    @event.listens_for(engine, "close", insert=True)
    def _closing(_dbapi: Any, _record: Any) -> None:
        count(counter, -1)

    busy = 0
    for _ in range(args["rounds"]):
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("SELECT pg_sleep(0.002)")
        except DatabaseBusy:
            busy += 1
    engine.dispose()
    print(json.dumps({"busy": busy, "held": slots.held()}), flush=True)


def hold(args: dict[str, Any]) -> None:
    slots = ConnectionSlots(args["slots_path"], args["slots"], args["wait"])
    engine = make_engine(args["url"], slots=slots, poolclass=NullPool)
    held = [engine.connect() for _ in range(args["connections"])]
    for conn in held:
        conn.exec_driver_sql("SELECT 1")
    print(f"HELD {slots.held()}", flush=True)
    time.sleep(3600)


def turn(args: dict[str, Any]) -> None:
    slots = ConnectionSlots(args["slots_path"], args["slots"], args["wait"])
    slot = slots.acquire()
    assert slot is not None
    print(f"GOT {slot.index}", flush=True)
    sys.stdin.readline()
    slot.release()
    time.sleep(3600)


def fork(args: dict[str, Any]) -> None:
    slots = ConnectionSlots(args["slots_path"], 1, args["wait"])
    slot = slots.acquire()
    assert slot is not None
    pid = os.fork()
    if pid == 0:
        try:
            got = slots.acquire()
            outcome = "nested" if got is None else "slot"
        except DatabaseBusy:
            outcome = "busy"
        print(f"CHILD {outcome}", flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    print(f"HOLDING {slots.held()}", flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    modes = {"hammer": hammer, "hold": hold, "turn": turn, "fork": fork}
    modes[sys.argv[1]](json.loads(sys.argv[2]))
