"""`wms db restore` (SQLite) and the pg_dump recipe `wms db backup` prints for PostgreSQL."""

from __future__ import annotations

import hashlib
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import Engine

from tests.cli.conftest import MakeWms, Sql, Wms
from wms_tui.db.engine import make_engine


def database(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def epoch(wms: Wms) -> str:
    result = wms("db", "epoch")
    assert result.exit_code == 0, result.output
    return result.stdout.split(": ")[1].strip()


@pytest.fixture
def backup(ready: Wms, tmp_path: Path) -> Path:
    path = tmp_path / "backup.db"
    result = ready("db", "backup", "--to", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_restore_puts_the_backup_in_place_keeps_the_old_and_renews_the_epoch(
    ready: Wms, backup: Path, db_url: str, sql: Sql, db: Engine
) -> None:
    before = epoch(ready)
    grid = ("location", "generate", "--zone", "RES", "--aisles", "Z", "--bays", "1",
            "--levels", "1")
    assert ready(*grid).exit_code == 0
    target = database(db_url)
    db.dispose()
    refused = ready("db", "restore", str(backup))
    assert refused.exit_code == 2
    assert "holds data: add --force" in refused.stderr
    assert sql(db, "SELECT count(*) FROM location WHERE code = 'Z-01-01-1'") == [(1,)]
    db.dispose()
    result = ready("db", "restore", "--force", str(backup))
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.stdout
    assert sql(db, "SELECT count(*) FROM location WHERE code = 'Z-01-01-1'") == [(0,)]
    kept = [p for p in target.parent.iterdir() if ".before-restore-" in p.name]
    assert [p.name.split(".before-restore-")[0] for p in kept] == [target.name]
    with sqlite3.connect(kept[0]) as old:
        assert old.execute("SELECT count(*) FROM location WHERE code = 'Z-01-01-1'").fetchone() \
            == (1,)
    assert (target.stat().st_mode & 0o777) == 0o600
    after = epoch(ready)
    assert after != before
    assert f"export epoch: {after} (was {before})" in result.stdout
    # No temporary copy is left beside the database.
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".restore")]


def test_restore_into_an_empty_place_needs_no_force(
    make_wms: MakeWms, backup: Path, tmp_path: Path
) -> None:
    fresh = make_wms(f"sqlite:///{tmp_path / 'new' / 'wms.db'}")
    result = fresh("db", "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert "kept as" not in result.stdout
    assert fresh("db", "current").stdout.strip().endswith("(head)")


def test_a_backup_of_an_older_schema_is_restored_with_advice_to_upgrade(
    make_wms: MakeWms, backup: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0016'")
        conn.execute("DROP TABLE database_epoch")
        # What 0019 to 0025 add, so the upgrade from 0016 finds the schema 0016 had.
        conn.execute("DROP INDEX ux_inbound_order_sscc_live")
        conn.execute("ALTER TABLE count_line DROP COLUMN serials")
        conn.execute("ALTER TABLE inbound_line DROP COLUMN expiry")
        for table in ("webhook_delivery", "webhook_subscription", "return_line",
                      "customer_return", "pack_exception", "carton_line", "carton", "shipment",
                      "sscc_counter"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ALTER TABLE outbound_line DROP COLUMN shipped")
        conn.execute("DELETE FROM reason_code WHERE code IN ('RETURN', 'SCRAP')")
    fresh = make_wms(f"sqlite:///{tmp_path / 'new' / 'wms.db'}")
    result = fresh("db", "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert "schema 0016 is older than this wms needs: run `wms db upgrade` next" in result.stdout
    assert fresh("db", "upgrade").exit_code == 0
    assert len(epoch(fresh)) == 12


def _not_sqlite(path: Path) -> None:
    path.write_text("reference,line_no\n", encoding="utf-8")


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 3:page * 6] = b"\x07" * (page * 3)
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")


def _newer(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")


@pytest.mark.parametrize(("spoil", "message"), [
    (_not_sqlite, "is not a SQLite database (no SQLite header)"),
    (_corrupt, "fails SQLite's integrity check"),
    (_foreign, "is not a wms database (it has no schema revision)"),
    (_newer, "has schema revision 0999, which this wms does not know"),
])
def test_a_file_that_is_no_good_backup_is_refused_and_nothing_changes(
    ready: Wms, backup: Path, db_url: str, spoil: object, message: str
) -> None:
    assert callable(spoil)
    spoil(backup)
    target = database(db_url)
    before = digest(target)
    result = ready("db", "restore", "--force", str(backup))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert digest(target) == before
    assert not [p for p in target.parent.iterdir()
                if p.name.endswith(".restore") or ".before-restore-" in p.name]


def test_a_database_open_elsewhere_is_not_replaced(
    ready: Wms, backup: Path, db_url: str
) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM location").fetchall()
            result = ready("db", "restore", str(backup))
    finally:
        engine.dispose()
    assert result.exit_code == 2
    assert "is open elsewhere (its WAL has readers): stop `wms serve`" in result.stderr


def test_restore_refuses_postgresql_and_points_to_pg_restore(
    make_wms: MakeWms, backup: Path
) -> None:
    wms = make_wms("postgresql+psycopg://postgres@127.0.0.1:5432/nowhere")
    result = wms("db", "restore", str(backup))
    assert result.exit_code == 2
    assert "use pg_restore" in result.stderr and "wms db epoch --renew" in result.stderr


@pytest.mark.postgres
def test_the_pg_dump_recipe_runs_as_printed(
    make_wms: MakeWms, pg_url: str, tmp_path: Path
) -> None:
    assert make_wms(pg_url)("init").exit_code == 0
    # A password in the URL (trust auth ignores it) must be hidden, and said to be.
    with_password = pg_url.replace("postgres@", "postgres:s3cret@")
    result = make_wms(with_password)("db", "backup")
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.stdout and "+psycopg" not in result.stdout
    assert "password hidden: set PGPASSWORD or use ~/.pgpass" in result.stdout
    dump = next(line.strip() for line in result.stdout.splitlines()
                if line.strip().startswith("pg_dump "))
    restore = next(line.strip() for line in result.stdout.splitlines()
                   if line.strip().startswith("pg_restore "))
    url = shlex.split(dump)[-1]
    assert conninfo_to_dict(url)["dbname"] == pg_url.rsplit("/", 1)[1]
    assert shlex.split(restore)[-2] == url
    if shutil.which("pg_dump") is None:
        return
    subprocess.run(["bash", "-c", dump], cwd=tmp_path, check=True, timeout=120)
    (made,) = tmp_path.glob("wms-*.dump")
    listing = subprocess.run(["pg_restore", "--list", str(made)], capture_output=True,
                             text=True, check=True, timeout=60)
    assert "database_epoch" in listing.stdout
