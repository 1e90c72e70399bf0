"""`wms` in the site's time zone: WMS_TIMEZONE checked and shown by `wms config`, report windows
and "today" in site days, titles naming the zone, dead stock by age, productivity by flow.

The clock is fixed at 2026-03-01 23:30 UTC: 07:30 on 2 March in Shanghai, 15:30 on 1 March in
Los Angeles.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from cli import app
from tests.cli.conftest import Wms
from tests.cli.test_cli_reports import post_at
from tests.factories import Warehouse, build_warehouse
from wms_tui.bootstrap import Site
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.outbound import import_outbound_orders, release_wave
from wms_tui.domain.stock import Move, Pick, Receive, post

NOW = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
SHANGHAI, LOS_ANGELES = "Asia/Shanghai", "America/Los_Angeles"


class Zoned:
    """`wms` on one database, run with the environment a test names (WMS_TIMEZONE, TZ)."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self.env = {"WMS_DATABASE_URL": url, "WMS_DATA_DIR": str(data_dir)}
        self.runner = CliRunner()

    def __call__(self, *args: str, **env: str) -> Result:
        return self.runner.invoke(app, list(args), env={**self.env, **env},
                                  catch_exceptions=False)

    def json(self, *args: str, **env: str) -> Any:
        result = self(*args, "--json", **env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Site, "now", lambda self: NOW)


@pytest.fixture
def stocked(wms: Wms, db_url: str, tmp_path: Path) -> Iterator[tuple[Zoned, Engine, Warehouse]]:
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    yield Zoned(db_url, tmp_path / "data"), engine, build_warehouse(engine)
    engine.dispose()


def test_config_shows_the_zone_and_defaults_to_the_machines(
        stocked: tuple[Zoned, Engine, Warehouse]) -> None:
    wms, _, _ = stocked
    assert wms.json("config", WMS_TIMEZONE=SHANGHAI)["time_zone"] == SHANGHAI
    shown = wms("config", WMS_TIMEZONE=" Asia/Shanghai ")
    assert shown.exit_code == 0 and "time zone: Asia/Shanghai" in shown.stdout
    # Unset, the machine's zone: here the one TZ names.
    assert wms.json("config", TZ="Asia/Tokyo")["time_zone"] == "Asia/Tokyo"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Asia", "../etc/passwd", "Asia/Shang hai"])
def test_an_unknown_zone_is_bad_input_naming_the_variable(
        stocked: tuple[Zoned, Engine, Warehouse], zone: str) -> None:
    wms, _, _ = stocked
    for args in (("config",), ("report", "turnover"), ("count", "schedule")):
        result = wms(*args, WMS_TIMEZONE=zone)
        assert result.exit_code == 2, result.output
        assert "WMS_TIMEZONE" in result.stderr and "IANA time zone" in result.stderr
    assert wms.json("count", "list") == []


def picks(engine: Engine, wh: Warehouse) -> None:
    """07:00 UTC on 1 March (15:00 there in Shanghai), 17:00 and 17:06 UTC (2 March there)."""
    post_at(engine, datetime(2026, 3, 1, 6, tzinfo=UTC), wh.operator,
            Receive(wh.widget, 10, wh.a1, "ASN-1"))
    for hour, minute in ((7, 0), (17, 0), (17, 6)):
        post_at(engine, datetime(2026, 3, 1, hour, minute, tzinfo=UTC), wh.operator,
                Pick(wh.widget, 1, wh.a1, "SO-1"))


def test_a_report_day_is_the_site_day(stocked: tuple[Zoned, Engine, Warehouse]) -> None:
    wms, engine, wh = stocked
    picks(engine, wh)
    data = wms.json("report", "productivity", "--since", "2026-03-02", WMS_TIMEZONE=SHANGHAI)
    [row] = [r for r in data["rows"] if r["flow"] == "pick"]
    assert (row["lines"], row["timed_lines"]) == (2, 1)
    assert data["zone"] == SHANGHAI
    la = wms.json("report", "productivity", "--since", "2026-03-01", "--until", "2026-03-01",
                  WMS_TIMEZONE=LOS_ANGELES)
    assert [(r["flow"], r["lines"]) for r in la["rows"]] == [("pick", 2)]
    table = wms("report", "productivity", "--since", "2026-03-02", WMS_TIMEZONE=SHANGHAI)
    assert "Operator productivity (Asia/Shanghai)" in table.stdout


@pytest.mark.usefixtures("fixed_clock")
@pytest.mark.parametrize(("zone", "today"), [(SHANGHAI, "2026-03-02"),
                                             (LOS_ANGELES, "2026-03-01")])
def test_today_is_the_site_day(stocked: tuple[Zoned, Engine, Warehouse], zone: str,
                               today: str) -> None:
    wms, engine, wh = stocked
    picks(engine, wh)
    turnover = wms.json("report", "turnover", WMS_TIMEZONE=zone)
    assert (turnover["last"], turnover["zone"]) == (today, zone)
    titled = wms("report", "turnover", "--since", today, WMS_TIMEZONE=zone)
    # A narrow table wraps its title; the zone ends it and the summary line.
    assert f"Turnover {today} to {today}" in titled.stdout and f"({zone})" in titled.stdout
    assert f"zone: {zone}" in titled.stdout
    schedule = wms.json("count", "schedule", WMS_TIMEZONE=zone)
    assert {t["due"] for t in schedule["created"]} == {today}


def test_goods_received_minutes_ago_are_not_dead_stock(
        stocked: tuple[Zoned, Engine, Warehouse]) -> None:
    wms, engine, wh = stocked
    post(uow_factory(engine), wh.operator, Receive(wh.widget, 40, wh.dock, "ASN-9"))
    data = wms.json("report", "dead-stock", "--days", "1", WMS_TIMEZONE=SHANGHAI)
    assert (data["rows"], data["dead_units"], data["on_hand_units"]) == ([], 0, 40)
    table = wms("report", "dead-stock", WMS_TIMEZONE=SHANGHAI)
    assert "nothing to show" in table.stdout and "zone: Asia/Shanghai" in table.stdout


def test_productivity_labels_putaway_apart_from_move(
        stocked: tuple[Zoned, Engine, Warehouse]) -> None:
    wms, engine, wh = stocked
    when = datetime(2026, 3, 1, 8, tzinfo=UTC)
    post_at(engine, when, wh.operator, Receive(wh.widget, 10, wh.dock, "ASN-1"))
    post_at(engine, when.replace(minute=5), wh.operator,
            Move(wh.widget, 6, wh.dock, wh.a1, "PUTAWAY-WIDGET"))
    post_at(engine, when.replace(minute=9), wh.operator,
            Move(wh.widget, 2, wh.a1, wh.a2, "MOVE-A-01-01-1"))
    rows = wms.json("report", "productivity", WMS_TIMEZONE="UTC")["rows"]
    assert [(r["flow"], r["lines"], r["timed_lines"]) for r in rows] == [
        ("move", 1, 1), ("putaway", 1, 1), ("receive", 1, 0)]


def test_order_and_wave_lists_read_since_as_a_site_day(
        stocked: tuple[Zoned, Engine, Warehouse]) -> None:
    wms, engine, wh = stocked
    report = import_outbound_orders(uow_factory(engine), [
        {"reference": "SO-1", "line_no": "1", "sku": "WIDGET", "quantity": "1", "uom": "EA"}])
    assert report.ok, report.errors
    post(uow_factory(engine), wh.admin, Receive(wh.widget, 5, wh.pick, "ASN-1"))
    release_wave(uow_factory(engine), wh.supervisor)
    # 23:00 UTC on 1 March is 07:00 on 2 March in Shanghai.
    with engine.begin() as conn:
        for table in ("outbound_order", "wave"):
            conn.execute(text(f"UPDATE {table} SET created_at = :at"),
                         {"at": datetime(2026, 3, 1, 23, 0)})
    for kind in (("order", "list"), ("wave", "list")):
        assert len(wms.json(*kind, "--since", "2026-03-02", WMS_TIMEZONE=SHANGHAI)["rows"]) == 1
        assert wms.json(*kind, "--since", "2026-03-02", WMS_TIMEZONE="UTC")["rows"] == []
