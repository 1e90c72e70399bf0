"""Packers numbering cartons at once, each on its own connection: the SSCC serial counter
hands out every serial exactly once and leaves no gap (one UPDATE ... RETURNING per carton).

Numbering by "highest SSCC issued plus one" (how `wms labels pallet` reads it) lets two
sessions on PostgreSQL read the same highest serial and issue it twice."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.db.test_pick_race import together
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.stock import with_retry

THREADS = 8
EACH = 12
PREFIX, EXTENSION = "0614141", "0"


def allocate(engine: Engine, count: int) -> list[int]:
    def one() -> int:
        with SqlUnitOfWork(engine) as uow:
            serial = uow.shipping.next_sscc_serial(EXTENSION, PREFIX)
            uow.commit()
            return serial

    return [with_retry(one) for _ in range(count)]


def test_parallel_packers_get_unique_gapless_serials(
        engine: Engine, own_engines: list[Engine]) -> None:
    work = [lambda e=own_engines[i % len(own_engines)]: allocate(e, EACH)
            for i in range(THREADS)]
    serials = [s for batch in together(*work) for s in batch]
    assert sorted(serials) == list(range(1, THREADS * EACH + 1))
    # Each thread saw its own serials rise: a counter never hands one back.
    assert all(batch == sorted(batch) for batch in together(*work))
