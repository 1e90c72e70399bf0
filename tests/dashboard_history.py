"""A back-dated history for the dashboard tests: hand-computed figures, and a busier fortnight.

The clock is fixed at NOW, 2026-11-14 12:00 UTC, so the dashboard's 14 days run from 1 to 14
November. tests/unit/test_dashboard.py works out every figure of post_history by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, text
from sqlmodel import Session

from tests.cli.test_cli_reports import post_at
from tests.factories import Warehouse
from wms_tui.db.tables import CountLine, CountTask
from wms_tui.db.uow import uow_factory
from wms_tui.domain.outbound import import_outbound_orders, release_wave
from wms_tui.domain.stock import Move, Pick, Receive

NOW = datetime(2026, 11, 14, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def post_history(engine: Engine, wh: Warehouse) -> None:
    op, sup, adm = wh.operator, wh.supervisor, wh.admin
    post_at(engine, at(30, 8, month=10), adm, Receive(wh.widget, 200, wh.a1, "ASN-0"))
    # Before the 14 days: two picks a timed line apart, which must not count.
    post_at(engine, at(31, 10, month=10), op, Pick(wh.widget, 1, wh.a1, "SO-0"))
    post_at(engine, at(31, 10, 5, month=10), op, Pick(wh.widget, 1, wh.a1, "SO-0"))
    # Dock to stock: 3 h (last of the 50 leaves at 11:00), 0.5 h, and one still on the dock.
    post_at(engine, at(2, 8), adm, Receive(wh.widget, 50, wh.dock, "ASN-1"))
    post_at(engine, at(2, 9), op, Move(wh.widget, 30, wh.dock, wh.a1, "PUT-1"))
    post_at(engine, at(2, 11), op, Move(wh.widget, 20, wh.dock, wh.pick, "PUT-2"))
    post_at(engine, at(13, 8), adm, Receive(wh.heavy, 20, wh.dock, "ASN-2"))
    post_at(engine, at(13, 8, 30), op, Move(wh.heavy, 20, wh.dock, wh.a2, "PUT-3"))
    post_at(engine, at(14, 8, 50), adm, Receive(wh.heavy, 10, wh.dock, "ASN-3"))
    # 13 Nov: the first pick comes 90 min after OP1's putaway (a break), then two 6 min apart.
    for minute in (0, 6, 12):
        post_at(engine, at(13, 10, minute), op, Pick(wh.widget, 1, wh.a1, "SO-13"))
    # 14 Nov: a putaway override at 08:56 times the 09:00 pick; 10:00 follows a break.
    post_at(engine, at(14, 8, 56), op, Move(wh.widget, 5, wh.a1, wh.a2, "PUT-4",
                                             reason_code="FULL"))
    post_at(engine, at(14, 9), op, Pick(wh.widget, 2, wh.a1, "SO-14"))
    post_at(engine, at(14, 9, 4), op, Pick(wh.widget, 3, wh.a1, "SO-14"))
    post_at(engine, at(14, 9, 8), op, Pick(wh.widget, 1, wh.pick, "SO-14"))
    post_at(engine, at(14, 10), op, Pick(wh.widget, 4, wh.pick, "SO-14"))
    post_at(engine, at(14, 11), sup, Pick(wh.widget, 1, wh.a1, "SO-15"))
    # After the clock: never counted.
    post_at(engine, at(14, 12, 30), op, Pick(wh.widget, 1, wh.a1, "SO-16"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE item SET min_qty = 20 WHERE sku = 'WIDGET'"))
        conn.execute(text("UPDATE item SET min_qty = 5 WHERE sku = 'BOLT'"))
    add_counts(engine, wh)
    # Two orders of one line each, released: two open pick tasks.
    report = import_outbound_orders(uow_factory(engine), [
        {"reference": ref, "customer": "C", "ship_date": "2026-11-14", "priority": 1,
         "line_no": 1, "sku": "WIDGET", "quantity": 2, "uom": "EA"}
        for ref in ("SO-90", "SO-91")])
    assert not report.errors
    release_wave(uow_factory(engine), sup, refs=["SO-90", "SO-91"], today=date(2026, 11, 14))


def add_counts(engine: Engine, wh: Warehouse) -> None:
    """First counts: 10 Nov one hit one miss, 12 Nov a hit, 14 Nov a hit; one before, one after."""
    add_count_lines(engine, wh.widget, wh.operator.user_id, [  # location, status, attempt
        (wh.a1, "done", 1), (wh.a2, "pending_approval", 2), (wh.pick, "done", 1),
        (wh.a1, "done", 1), (wh.a2, "done", 1), (wh.pick, "open", 0), (wh.a1, "recount", 1),
    ], [  # task, attempt, counted, expected, when
        (0, 1, 7, 7, at(10, 9)), (1, 1, 4, 5, at(10, 10)), (1, 2, 4, 4, at(12, 8)),
        (2, 1, 9, 9, at(12, 9)), (3, 1, 6, 6, at(14, 11)), (4, 1, 1, 3, at(31, 9, month=10)),
        (6, 1, 2, 3, at(14, 12, 5)),
    ])


def add_count_lines(engine: Engine, item_id: int, user_id: int,
                    tasks: list[tuple[int, str, int]],
                    lines: list[tuple[int, int, int, int, datetime]]) -> None:
    """Count tasks (location, status, attempt) and their lines (task index, attempt, counted,
    expected, when), written directly so they can carry any date."""
    with Session(engine) as s:
        rows = [CountTask(location_id=loc, status=status, trigger="abc", attempt=attempt,
                          created_at=at(9, 8), updated_at=at(9, 8))
                for loc, status, attempt in tasks]
        s.add_all(rows)
        s.flush()
        s.add_all(CountLine(count_task_id=rows[task].id, attempt=attempt,  # type: ignore[arg-type]
                            item_id=item_id, counted=counted, expected=expected,
                            counted_by=user_id, counted_at=when)
                  for task, attempt, counted, expected, when in lines)
        s.commit()


def post_busy_fortnight(engine: Engine, wh: Warehouse) -> None:
    """post_history, plus ADM1 picking four lines at a steady gap on most afternoons, a first
    count on every other day and six putaway overrides: both charts get a bar on most days."""
    post_history(engine, wh)
    gaps = {2: 6, 3: 5, 4: 4, 5: 5, 6: 3, 7: 6, 9: 4, 10: 3, 11: 4, 12: 5}
    for day, gap in gaps.items():
        for n in range(4):
            post_at(engine, at(day, 14, n * gap), wh.admin, Pick(wh.widget, 1, wh.a1, "SO-B"))
    for n in range(6):
        post_at(engine, at(12, 15, n), wh.supervisor,
                Move(wh.widget, 1, wh.a1, wh.a2, f"PUT-B{n}", reason_code="FULL"))
    found = [(3, 5, 5), (3, 3, 3), (5, 2, 3), (5, 4, 4), (5, 6, 6), (5, 1, 1), (7, 8, 8),
             (9, 4, 5), (9, 3, 3), (9, 2, 2), (9, 7, 7), (9, 1, 1), (11, 5, 5), (13, 1, 2),
             (13, 3, 3)]  # day, counted, expected
    add_count_lines(engine, wh.widget, wh.operator.user_id,
                    [(wh.a1, "done", 1)] * len(found),
                    [(n, 1, counted, expected, at(day, 16))
                     for n, (day, counted, expected) in enumerate(found)])
