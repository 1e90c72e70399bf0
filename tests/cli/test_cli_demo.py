"""`wms demo`: a separate, marked practice database; never the production one."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cli import app
from tests.conftest import fresh_sqlite_engine, pg_database_url
from wms_tui.db import tables
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.demo.seed import is_demo_database
from wms_tui.domain import counting, inbound, outbound, stock
from wms_tui.domain.model import Actor, Role
from wms_tui.serve.server import ServeConfig, serve
from wms_tui.serve.ssh import ServeConfigError


def run(data: Path, *args: str, url: str | None = None) -> Any:
    env = {"WMS_DATA_DIR": str(data)}
    if url is not None:
        env["WMS_DATABASE_URL"] = url
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def test_demo_creates_a_marked_practice_database_and_reset_recreates_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run(data, "demo", "--no-run")
    assert first.exit_code == 0, first.output
    assert "seeded" in first.output and "OP1/1111" in first.output
    demo_db = data / "demo.db"
    engine = make_engine(f"sqlite:///{demo_db}")
    assert is_demo_database(engine)
    assert not (data / "wms.db").exists(), "the production database is never created"
    with Session(engine) as s:
        s.add(tables.DemoMarker(key="trainee-note", value="left over"))
        s.commit()
    again = run(data, "demo", "--no-run")
    assert again.exit_code == 0 and "exists" in again.output
    with Session(engine) as s:
        assert s.get(tables.DemoMarker, "trainee-note") is not None
    engine.dispose()
    reset = run(data, "demo", "--reset", "--no-run")
    assert reset.exit_code == 0 and "seeded" in reset.output
    engine = make_engine(f"sqlite:///{demo_db}")
    with Session(engine) as s:
        assert s.get(tables.DemoMarker, "trainee-note") is None
        assert len(s.exec(select(tables.Item)).all()) == 100
    engine.dispose()


def test_demo_refuses_the_production_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "init").exit_code == 0
    production = f"sqlite:///{data / 'wms.db'}"
    for args in (("--database-url", production, "demo", "--no-run"),
                 ("--database-url", production, "demo", "--reset", "--no-run")):
        result = run(data, *args)
        assert result.exit_code == 1
        assert "production" in result.output
    # The same file named through WMS_DATABASE_URL is production too.
    env_prod = tmp_path / "prod.db"
    fresh_sqlite_engine(str(env_prod)).dispose()
    url = f"sqlite:///{env_prod}"
    result = run(data, "--database-url", url, "demo", "--reset", "--no-run", url=url)
    assert result.exit_code == 1 and "production" in result.output
    engine = make_engine(url)
    with Session(engine) as s:
        assert s.exec(select(tables.Item)).all() == []
    engine.dispose()


def test_demo_refuses_any_database_without_the_marker(tmp_path: Path) -> None:
    data = tmp_path / "data"
    other = tmp_path / "other.db"
    fresh_sqlite_engine(str(other)).dispose()
    result = run(data, "--database-url", f"sqlite:///{other}", "demo", "--reset", "--no-run")
    assert result.exit_code == 1
    assert "no demo marker" in result.output
    result = run(data, "--database-url", pg_database_url(), "demo", "--no-run")
    assert result.exit_code == 1


def test_demo_runs_the_app_in_training_mode(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("wms_tui.app.run_tui", lambda *a, **kw: calls.append((a, kw)))
    data = tmp_path / "data"
    result = run(data, "demo", "--scenario", "receive")
    assert result.exit_code == 0, result.output
    (url,), options = calls[0]
    assert url.endswith("demo.db")
    assert options["demo"] is True and options["scenario"] == "receive"


def trainee_work(engine: Any) -> None:
    """What a trainee at RF07 does in each exercise, through the services the RF app calls."""
    factory = uow_factory(engine)
    with Session(engine) as s:
        op1 = s.exec(select(tables.User).where(tables.User.login == "OP1")).one()
        dock = s.exec(select(tables.Location).where(tables.Location.code == "DOCK-01")).one()
        rack = s.exec(select(tables.Location).where(tables.Location.code == "A-01-01")).first()
        rack = rack or s.exec(select(tables.Location).where(tables.Location.type == "reserve")
                              ).first()
        ship = s.exec(select(tables.Location).where(tables.Location.code == "SHIP-01")).one()
        asn = s.exec(select(tables.InboundOrder)
                     .where(tables.InboundOrder.reference == "ASN-1001")).one()
        line = s.exec(select(tables.InboundLine)
                      .where(tables.InboundLine.order_id == asn.id)).first()
        loose = s.exec(select(tables.Balance).where(tables.Balance.location_id == dock.id)
                       .where(tables.Balance.quantity > 0)
                       .where(col(tables.Balance.lpn_id).is_(None))).first()
        assert op1.id and dock.id and rack and rack.id and ship.id and asn.id and line and loose
    actor = Actor(op1.id, "OP1", Role.OPERATOR, "RF07")
    inbound.receive_line(factory, actor, inbound.ReceiveLine(
        line.item_id, 1, order_id=asn.id, line_id=line.id, location_id=dock.id), "t-receive")
    stock.post(factory, actor, stock.Move(loose.item_id, 1, dock.id, rack.id, "PUTAWAY"),
               key="t-putaway")
    task = outbound.next_task(factory, actor, outbound.TaskKind.PICK)
    assert task is not None
    outbound.confirm_pick(factory, actor, task.id, task.remaining, to_location_id=ship.id,
                          key="t-pick")
    with SqlUnitOfWork(engine) as uow:
        count = counting.tasks_for(uow, actor, counting.CountPolicy())[0]
        book = {b.key.item_id: b for b in uow.stock.balances(location_id=count.location_id)}
    counting.submit_count(factory, actor, count.id,
                          [(item_id, b.key.lot_id, b.quantity) for item_id, b in book.items()],
                          "t-count")


def test_demo_report_shows_what_each_trainee_completed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "demo", "--no-run").exit_code == 0
    before = run(data, "demo", "report", "--json")
    assert before.exit_code == 0, before.output
    rows = {r["user"]: r for r in json.loads(before.output)["rows"]}
    assert set(rows) == {"OP1", "SUP1", "ADM1"}
    # The seed's weeks of history and its own set-up are nobody's training.
    assert all(r["receipts"] == r["picks"] == r["counts"] == 0 for r in rows.values())
    engine = make_engine(f"sqlite:///{data / 'demo.db'}")
    trainee_work(engine)
    engine.dispose()
    after = run(data, "demo", "report", "--json")
    report = json.loads(after.output)
    op1 = next(r for r in report["rows"] if r["user"] == "OP1")
    assert (op1["receipts"], op1["putaways"], op1["picks"], op1["moves"], op1["counts"]) == (
        1, 1, 1, 0, 1)
    assert op1["exercises"] == {"receive": True, "putaway": True, "pick": True, "count": True}
    assert op1["terminals"] == ["RF07"]
    sup1 = next(r for r in report["rows"] if r["user"] == "SUP1")
    assert not any(sup1["exercises"].values())
    assert set(report["exercise_done_when"]) == {"receive", "putaway", "pick", "count"}
    table = run(data, "demo", "report", "--user", "op1")
    assert table.exit_code == 0
    assert "OP1" in table.output and "SUP1" not in table.output
    assert "4/4" in table.output and "still to do" not in table.output
    later = run(data, "demo", "report", "--json", "--since", "2999-01-01")
    assert all(r["picks"] == 0 for r in json.loads(later.output)["rows"])
    unknown = run(data, "demo", "report", "--user", "NOBODY")
    assert unknown.exit_code == 2 and "no user" in unknown.output
    # Options that open the demo make no sense before a report.
    mixed = run(data, "demo", "--reset", "report")
    assert mixed.exit_code == 2


def test_demo_report_refuses_a_database_without_the_marker(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = run(data, "demo", "report")
    assert missing.exit_code == 1 and "run `wms demo`" in missing.output
    other = tmp_path / "wms.db"
    fresh_sqlite_engine(str(other)).dispose()
    refused = run(data, "--database-url", f"sqlite:///{other}", "demo", "report")
    assert refused.exit_code == 1 and "no demo marker" in refused.output


def test_demo_serve_refuses_a_database_without_the_marker(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Any] = []
    monkeypatch.setattr("wms_tui.serve.server.run_server", served.append)
    data = tmp_path / "data"
    other = tmp_path / "wms.db"
    fresh_sqlite_engine(str(other)).dispose()
    result = run(data, "--database-url", f"sqlite:///{other}", "demo", "--serve")
    assert result.exit_code == 1 and "no demo marker" in result.output
    assert served == []
    # The server checks the marker itself too, before anything listens.
    with pytest.raises(ServeConfigError, match="no demo marker"):
        asyncio.run(serve(ServeConfig(database_url=f"sqlite:///{other}", ssh_auth="none",
                                      demo=True)))
    # On the practice database it serves in demo mode, with a fresh class password printed.
    result = run(data, "demo", "--serve", "--scenario", "pick", "--port", "2299")
    assert result.exit_code == 0, result.output
    (config,) = served
    assert config.demo and config.scenario == "pick" and config.port == 2299
    assert config.ssh_auth == "password" and config.device_password
    assert f"class password (SSH and telnet): {config.device_password}" in result.output
