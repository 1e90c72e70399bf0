"""`wms demo`: a separate, marked practice database; never the production one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli import app
from tests.conftest import fresh_sqlite_engine, pg_database_url
from wms_tui.db import tables
from wms_tui.db.engine import make_engine
from wms_tui.demo.seed import is_demo_database


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
