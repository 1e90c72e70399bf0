"""Site time and honest reports, without a database: site days, dead stock by age, work by flow.

The site is in Asia/Shanghai (UTC+08:00, no daylight saving) or America/Los_Angeles (UTC-08:00
in early March 2026); the clock stands at 2026-03-01 23:30 UTC, 07:30 on 2 March in Shanghai.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.flow_fakes import OPERATOR, FakeServices
from tests.unit.flows.putaway_fakes import PutawayFakeServices
from wms_tui.domain.counting import CountStatus, CountTaskRef, CountTrigger
from wms_tui.domain.counting.rules import count_adjustment
from wms_tui.domain.dashboard import PickDay, pick_days
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.flows.putaway import PutawayFlow
from wms_tui.domain.model import BalanceKey, LocationType, MovementKind
from wms_tui.domain.outbound import task_reference
from wms_tui.domain.periods import day_end, day_start, moment, site_day, whole_days, zone_name
from wms_tui.domain.reports import (
    AgedStock,
    CountEntry,
    LedgerEntry,
    Period,
    daily_closing,
    dead_stock,
    period_of,
    productivity,
    record_accuracy,
)
from wms_tui.domain.stock import Move, MoveLpn
from wms_tui.domain.work_flows import Flow, flow_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
RECEIVE, MOVE, PICK, ADJUST = (MovementKind.RECEIVE, MovementKind.MOVE, MovementKind.PICK,
                               MovementKind.ADJUST)


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def entry(id: int, when: datetime, kind: MovementKind, sku: str = "X", qty: int = 1,
          user: str = "ANN", reference: str = "", reason: str | None = None,
          to: str | None = None, frm: str | None = None) -> LedgerEntry:
    return LedgerEntry(id=id, at=when, kind=kind, sku=sku, quantity=qty, user=user,
                       from_location=frm, to_location=to,
                       from_type=LocationType.RESERVE if frm else None,
                       to_type=LocationType.RESERVE if to else None,
                       confirmation=f"c{id}", reference=reference, reason=reason)


# Site days.


def test_the_site_day_at_2330_utc_is_the_next_day_in_shanghai() -> None:
    assert site_day(NOW, SHANGHAI) == date(2026, 3, 2)
    assert site_day(NOW) == date(2026, 3, 1)
    assert site_day(NOW + timedelta(hours=6), LOS_ANGELES) == date(2026, 3, 1)
    assert day_start(date(2026, 3, 2), SHANGHAI) == utc(1, 16)
    assert day_end(date(2026, 3, 2), SHANGHAI) == utc(2, 16)
    assert day_start(date(2026, 3, 1), LOS_ANGELES) == utc(1, 8)


def test_a_typed_day_is_the_whole_site_day_and_a_bare_time_is_site_time() -> None:
    assert moment("2026-03-02", "--since", zone=SHANGHAI) == utc(1, 16)
    assert moment("2026-03-02", "--until", end=True, zone=SHANGHAI) == utc(2, 16)
    assert moment("2026-03-02T07:30", "--since", zone=SHANGHAI) == NOW
    # A time that names its zone is taken as written, whatever the site's.
    assert moment("2026-03-01T23:30+00:00", "--since", zone=SHANGHAI) == NOW
    assert moment("2026-03-01", "--until", end=True, zone=LOS_ANGELES) == utc(2, 8)


def test_whole_days_default_up_to_the_site_today() -> None:
    today = site_day(NOW, SHANGHAI)
    assert whole_days(None, None, 7, today, SHANGHAI) == (date(2026, 2, 24), date(2026, 3, 2))
    assert whole_days("2026-03-01", "2026-03-02", 30, today, SHANGHAI) == (
        date(2026, 3, 1), date(2026, 3, 2))
    # A day of daylight saving's start (23 hours in Los Angeles) is still one whole day.
    assert whole_days("2026-03-08", "2026-03-08", 30, today, LOS_ANGELES) == (
        date(2026, 3, 8), date(2026, 3, 8))


def test_zones_are_named_by_their_iana_name() -> None:
    assert zone_name(SHANGHAI) == "Asia/Shanghai"
    assert zone_name(UTC) == "UTC"


def test_reports_group_by_the_site_day() -> None:
    early = utc(1, 17)  # 01:00 on 2 March in Shanghai
    assert period_of(early, Period.DAY, SHANGHAI) == "2026-03-02"
    assert period_of(utc(1, 15, 59), Period.DAY, SHANGHAI) == "2026-03-01"
    lines = [CountEntry(1, 1, "X", 5, 5, early), CountEntry(2, 1, "X", 4, 5, utc(1, 15))]
    report = record_accuracy(lines, Period.DAY, SHANGHAI)
    assert [(f.period, f.lines, f.hits) for f in report.periods] == [
        ("2026-03-01", 1, 0), ("2026-03-02", 1, 1)]
    # Received at 01:00 Shanghai time: on hand at the close of 2 March, not of 1 March.
    closing = daily_closing([entry(1, early, RECEIVE, qty=10, to="A1")],
                            date(2026, 3, 1), date(2026, 3, 2), SHANGHAI)
    assert closing == {"X": [0, 10]}


@pytest.mark.parametrize(("zone", "today", "yesterday"), [
    (SHANGHAI, date(2026, 3, 2), date(2026, 3, 1)),
    (LOS_ANGELES, date(2026, 3, 1), date(2026, 2, 28)),
])
def test_dashboard_pick_days_are_site_days(zone: ZoneInfo, today: date,
                                           yesterday: date) -> None:
    # 17:00 and 17:06 UTC: 2 March 01:00 in Shanghai, 1 March 09:00 in Los Angeles.
    # 07:00 UTC on 1 March: 15:00 on 1 March in Shanghai, 23:00 on 28 February in Los Angeles.
    picks = [entry(1, utc(1, 7), PICK, frm="A1"), entry(2, utc(1, 17), PICK, frm="A1"),
             entry(3, utc(1, 17, 6), PICK, frm="A1")]
    assert pick_days(picks, [yesterday, today], zone) == (
        PickDay(yesterday, 1, 0, 0.0), PickDay(today, 2, 1, 360.0))


# Dead stock by age.


def test_goods_received_minutes_ago_are_never_dead() -> None:
    fresh = [AgedStock("NEW", 40, NOW - timedelta(minutes=5))]
    report = dead_stock([], fresh, NOW, days=90)
    assert report.items == () and (report.dead_units, report.on_hand_units) == (0, 40)


def test_only_units_there_since_before_the_window_of_unpicked_items_are_dead() -> None:
    old, recent = NOW - timedelta(days=120), NOW - timedelta(days=3)
    stock = [AgedStock("SLOW", 30, old), AgedStock("SLOW", 10, recent),
             AgedStock("SOLD", 50, old), AgedStock("ANCIENT", 5, None),
             AgedStock("LATER", 7, NOW + timedelta(hours=1))]
    picks = [entry(1, NOW - timedelta(days=100), PICK, sku="SLOW", frm="A1"),
             entry(2, NOW - timedelta(days=2), PICK, sku="SOLD", frm="A1")]
    report = dead_stock(picks, stock, NOW, days=90)
    assert [(d.sku, d.on_hand, d.arrived, d.last_outbound) for d in report.items] == [
        ("ANCIENT", 5, None, None), ("SLOW", 30, old, NOW - timedelta(days=100))]
    assert (report.dead_units, report.on_hand_units) == (35, 102)


# Productivity by flow.


def test_each_flow_is_labelled_by_what_it_writes() -> None:
    shelves = PutawayFakeServices.putaway()
    putaway = PutawayFlow(OPERATOR, shelves)
    for scan in ("WIDGET", "", "A-01-01-1"):
        putaway.submit(scan)
    [put] = shelves.commands()
    assert isinstance(put, Move | MoveLpn)
    assert flow_of(MOVE, put.reference, put.reason_code) == Flow.PUTAWAY
    services = FakeServices.standard()
    move = MoveFlow(OPERATOR, services)
    for scan in ("A-01-01-1", "]E09501101530003", "5", "A-01-02-1"):
        move.submit(scan)
    [moved] = services.commands()
    assert isinstance(moved, Move)
    assert flow_of(MOVE, moved.reference, moved.reason_code) == Flow.MOVE
    assert flow_of(MOVE, task_reference(7), None) == Flow.REPLENISH
    task = CountTaskRef(3, 1, "A1", 1, CountStatus.OPEN, CountTrigger.ABC, 1)
    adjust = count_adjustment(task, BalanceKey(1, 1), -2)
    assert flow_of(ADJUST, adjust.reference, adjust.reason_code) == Flow.COUNT
    assert flow_of(ADJUST, "ADJ-1", "LOST") == Flow.ADJUST
    assert flow_of(RECEIVE, "PUTAWAY-X", None) == Flow.RECEIVE


def test_productivity_tells_putaway_replenish_and_count_from_a_move() -> None:
    ledger = [
        entry(1, utc(1, 8), MOVE, reference="PUTAWAY-LPN1", frm="D", to="A1"),
        entry(2, utc(1, 8, 5), MOVE, reference="PUTAWAY-WIDGET", frm="D", to="A1"),
        entry(3, utc(1, 8, 10), MOVE, reference="MOVE-A1", frm="A1", to="A2"),
        entry(4, utc(1, 8, 20), MOVE, reference=task_reference(9), frm="A2", to="P1"),
        entry(5, utc(1, 8, 30), ADJUST, reference="COUNT-4", reason="COUNT", frm="A1"),
    ]
    rows = {(p.user, p.flow): (p.lines, p.timed_lines, p.seconds)
            for p in productivity(ledger)}
    assert rows == {("ANN", Flow.PUTAWAY): (2, 1, 300.0), ("ANN", Flow.MOVE): (1, 1, 300.0),
                    ("ANN", Flow.REPLENISH): (1, 1, 600.0), ("ANN", Flow.COUNT): (1, 1, 600.0)}


def test_count_lines_are_the_counting_work_and_their_adjustments_are_not_counted_again() -> None:
    ledger = [entry(1, utc(1, 9), ADJUST, reference="COUNT-4", reason="COUNT", frm="A1")]
    counts = [CountEntry(4, 1, "X", 3, 5, utc(1, 8, 50), user="ANN"),
              CountEntry(4, 1, "Y", 1, 1, utc(1, 8, 50), user="ANN"),
              CountEntry(5, 1, "X", 0, 0, utc(1, 8, 56), user="ANN")]
    [line] = productivity(ledger, counts=counts)
    assert (line.user, line.flow, line.lines, line.timed_lines, line.seconds) == (
        "ANN", Flow.COUNT, 2, 1, 360.0)
