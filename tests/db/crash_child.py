"""A terminal server posting confirmations until it is killed; run by tests/db/test_crash.py.

Usage: python tests/db/crash_child.py DATABASE_URL CONFIG_JSON

It prints READY once connected, then one line "<key> posted|replayed|refused" per confirmation,
only after post() has returned, so every printed key is one the operator saw answered. Keys come
in a fixed order (the resubmits, then r<round>-0, r<round>-1, ...), so the key that was in flight
when the process died is the one after the last printed line.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time

from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.errors import InsufficientStock
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.stock import Command, Move, Pick, Receive, post


def command_for(key: str, ids: dict[str, int]) -> Command:
    """The same key always means the same command, so a resubmit after a crash is faithful."""
    rng = random.Random(key)
    item = rng.choice([ids["widget"], ids["heavy"]])
    roll = rng.random()
    if roll < 0.4:
        return Receive(item, rng.randint(5, 20), ids["dock"], f"ASN-{key}")
    if roll < 0.75:
        src = rng.choice([ids["dock"], ids["dock"], ids["a1"]])
        dst = rng.choice([loc for loc in (ids["a1"], ids["a2"], ids["pick"]) if loc != src])
        return Move(item, rng.randint(1, 8), src, dst, f"MV-{key}")
    src = rng.choice([ids["a1"], ids["a2"], ids["pick"]])
    return Pick(item, rng.randint(1, 5), src, f"SO-{key}")


def main() -> None:
    url, config = sys.argv[1], json.loads(sys.argv[2])
    ids: dict[str, int] = config["ids"]
    actor = Actor(config["user_id"], "OP1", Role.OPERATOR, f"T-CRASH-{config['round']}")
    engine = make_engine(url, synchronous="FULL")
    uow = uow_factory(engine)
    with engine.connect():
        pass
    print("READY", flush=True)
    fresh = (f"r{config['round']}-{n}" for n in itertools.count())
    for key in itertools.chain(config["resubmit"], fresh):
        try:
            result = post(uow, actor, command_for(key, ids), key=key)
        except InsufficientStock:
            print(key, "refused", flush=True)
            continue
        # The acknowledgement takes a moment to reach the terminal, as over a real network,
        # so some kills land after the commit but before the operator saw it.
        time.sleep(config["ack_delay"])
        print(key, "replayed" if result.replayed else "posted", flush=True)


if __name__ == "__main__":
    main()
