"""`wms db backup`, `wms config` and `wms doctor` on healthy, damaged and old databases."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from tests.cli.conftest import MakeWms, Wms
from tests.factories import build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.migrate import upgrade
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Pick, Receive, Reserve, post, reserve


@pytest.fixture
def stocked(wms: Wms, db_url: str) -> Wms:
    """A migrated database with the factory warehouse, two receipts, a pick and a reservation."""
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    wh = build_warehouse(engine)
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(wh.widget, 30, wh.a1, "ASN-1"))
    post(uow, wh.operator, Receive(wh.heavy, 8, wh.a2, "ASN-2"))
    post(uow, wh.operator, Pick(wh.widget, 4, wh.a1, "SO-1"))
    reserve(uow, wh.operator, Reserve(wh.widget, 6, wh.a1, "TASK-9"))
    engine.dispose()
    return wms


def doctor_json(wms: Wms, *args: str) -> tuple[int, dict[str, Any]]:
    result = wms("doctor", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def levels(report: dict[str, Any]) -> dict[str, str]:
    return {c["check"]: c["level"] for c in report["checks"]}


def test_a_healthy_database_passes_with_a_backup_warning(stocked: Wms) -> None:
    code, report = doctor_json(stocked)
    assert code == 0
    assert report["status"] == "warn"
    found = levels(report)
    # Free space is the test machine's: doctor's thresholds are tested in test_cli_faults.
    assert found.pop("disk space") in ("ok", "warn")
    assert found == {
        "database": "ok", "writable": "ok",
        "integrity": "ok", "migrations": "ok", "ledger": "ok", "negative stock": "ok",
        "reservations": "ok", "stuck tasks": "ok", "stale sessions": "ok", "backup": "warn"}
    # --strict is for monitors that treat a missing backup as an alarm.
    assert stocked("doctor", "--strict").exit_code == 1
    text_out = stocked("doctor")
    assert "WARN  backup: never backed up" in text_out.stdout


def test_a_balance_that_disagrees_with_its_ledger_fails(stocked: Wms, db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(text("UPDATE balance SET quantity = quantity + 7 WHERE item_id = "
                          "(SELECT id FROM item WHERE sku = 'BOLT')"))
    code, report = doctor_json(stocked)
    assert code == 1
    assert report["status"] == "fail"
    ledger = next(c for c in report["checks"] if c["check"] == "ledger")
    assert ledger["level"] == "fail"
    assert len(ledger["problems"]) == 1
    assert ledger["problems"][0].endswith("is 15, ledger says 8")
    out = stocked("doctor")
    assert out.exit_code == 1
    assert "FAIL  ledger: 1 problem(s)" in out.stdout


def test_reserved_units_without_their_reservation_rows_fail(stocked: Wms, db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(text("DELETE FROM reservation"))
    code, report = doctor_json(stocked)
    assert code == 1
    problems = next(c for c in report["checks"] if c["check"] == "reservations")["problems"]
    assert len(problems) == 1
    assert "says 6 reserved, its reservations add up to 0" in problems[0]


def test_stuck_tasks_and_stale_sessions_warn(stocked: Wms, db: Engine) -> None:
    old = datetime.now(UTC) - timedelta(hours=30)
    with db.begin() as conn:
        loc, item, user = (conn.execute(text(q)).scalar() for q in (
            "SELECT id FROM location WHERE code = 'A-01-01-1'",
            "SELECT id FROM item WHERE sku = 'WIDGET'",
            "SELECT id FROM wms_user WHERE login = 'OP1'"))
        conn.execute(text(
            "INSERT INTO task (kind, status, item_id, from_location_id, quantity, done_quantity,"
            " seq, reservation, assigned_to, created_at, updated_at) VALUES ('pick',"
            " 'in_progress', :item, :loc, 5, 2, 1, '', :user, :old, :old)"),
            {"item": item, "loc": loc, "user": user, "old": old})
        conn.execute(text(
            "INSERT INTO flow_state (user_id, flow, state, terminal, updated_at) VALUES"
            " (:user, 'move', '{}', 'RF-7', :old)"), {"user": user, "old": old})
    code, report = doctor_json(stocked)
    assert code == 0
    found = {c["check"]: c for c in report["checks"]}
    assert found["stuck tasks"]["level"] == "warn"
    assert found["stuck tasks"]["problems"][0].startswith("pick task ")
    assert "(OP1)" in found["stuck tasks"]["problems"][0]
    assert found["stale sessions"]["problems"][0].startswith("move flow on RF-7 (OP1)")
    # Thirty hours is within a 48-hour allowance.
    _, relaxed = doctor_json(stocked, "--stuck-hours", "48", "--stale-hours", "48")
    assert levels(relaxed)["stuck tasks"] == levels(relaxed)["stale sessions"] == "ok"


def test_an_old_schema_fails_the_migration_check(wms: Wms, db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0004")
    engine.dispose()
    code, report = doctor_json(wms)
    assert code == 1
    assert levels(report)["migrations"] == "fail"
    assert "ledger" not in levels(report)


def test_doctor_never_creates_a_missing_database(wms: Wms, db_url: str) -> None:
    result = wms("doctor")
    assert result.exit_code == 1
    assert "no database" in result.stderr
    database = make_url(db_url).database
    assert database is not None
    assert not Path(database).exists()


def _stock(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT key, quantity, reserved FROM balance ORDER BY key").fetchall()


def test_backup_is_a_private_valid_copy_with_the_same_stock(
    stocked: Wms, db_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "copies" / "wms-copy.db"
    result = stocked("db", "backup", "--to", str(target))
    assert result.exit_code == 0, result.output
    assert f"backup {target}:" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        ledger = conn.execute("SELECT count(*) FROM movement").fetchone()
    database = make_url(db_url).database
    assert database is not None
    source = Path(database)
    assert _stock(target) == _stock(source)
    assert ledger == (3,)
    record = json.loads((tmp_path / "data" / "backup.json").read_text())
    assert [r["path"] for r in record.values()] == [str(target)]
    code, report = doctor_json(stocked)
    assert code == 0
    assert levels(report)["backup"] == "ok"
    assert report["status"] == "ok"
    assert stocked("doctor", "--strict").exit_code == 0


def test_backup_defaults_to_the_data_dir_and_never_overwrites(stocked: Wms, tmp_path: Path) -> None:
    first = stocked("db", "backup")
    assert first.exit_code == 0, first.output
    copies = list((tmp_path / "data" / "backups").iterdir())
    assert len(copies) == 1
    again = stocked("db", "backup", "--to", str(copies[0]))
    assert again.exit_code == 1
    assert "exists already" in again.stderr


def test_config_shows_the_effective_settings(stocked: Wms, db_url: str, tmp_path: Path) -> None:
    result = stocked("config", "--json")
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)
    assert settings["database_url"] == db_url
    assert settings["data_dir"] == str(tmp_path / "data")
    assert settings["synchronous"] == "FULL"
    assert settings["busy_timeout_ms"] == 10000
    assert settings["migrations"]["current"] == settings["migrations"]["head"]
    assert settings["versions"]["sqlite"] == sqlite3.sqlite_version
    assert "synchronous: FULL" in stocked("config").stdout


@pytest.mark.postgres
def test_postgresql_config_hides_the_password_and_backup_gives_pg_dump_advice(
    make_wms: MakeWms, pg_url: str
) -> None:
    with_password = make_url(pg_url).set(password="s3cret-pw")
    wms = make_wms(with_password.render_as_string(hide_password=False))
    assert wms("db", "upgrade").exit_code == 0
    config = wms("config", "--json")
    assert config.exit_code == 0, config.output
    assert "s3cret-pw" not in config.stdout
    settings = json.loads(config.stdout)
    assert settings["database_url"].count("***") == 1
    assert "postgresql" in settings["versions"]
    backup = wms("db", "backup")
    assert backup.exit_code == 0
    assert "pg_dump --format=custom" in backup.stdout
    assert "s3cret-pw" not in backup.stdout
    code, report = doctor_json(wms)
    assert code == 0
    assert levels(report)["integrity"] == levels(report)["ledger"] == "ok"
    assert report["status"] == "ok"
