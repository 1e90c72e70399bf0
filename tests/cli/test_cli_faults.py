"""`wms doctor` and `wms db backup` when the storage fails: a full disk, a read-only or an
unreachable database; and the data directory keeps the mode its owner gave it."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import Result

from tests.cli.conftest import MakeWms, Wms
from tests.conftest import PG_ADMIN_URL
from tests.storage_faults import closed_port_url
from wms_tui.db import health as health_db

GIB = 2**30
MIB = 2**20


def doctor(wms: Wms, *args: str) -> tuple[Result, dict[str, dict[str, Any]]]:
    """The text report, and the JSON one's checks by name."""
    result = wms("doctor", *args)
    report = json.loads(wms("doctor", "--json", *args).stdout)
    return result, {c["check"]: c for c in report["checks"]}


# wms doctor


def test_a_healthy_database_is_reachable_writable_and_has_room(ready: Wms) -> None:
    result, checks = doctor(ready)
    assert result.exit_code == 0, result.output
    assert "OK    database: reachable" in result.stdout
    assert "OK    writable: yes" in result.stdout
    assert checks["disk space"]["level"] == "ok"
    assert "free (" in checks["disk space"]["summary"]


@pytest.fixture
def read_only_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SQLite file is opened read-only (mode=ro), as a read-only file or mount makes
    SQLite do; a root CI runner writes through chmod, so permissions cannot stand in."""
    def read_only_engine(url: str, **kwargs: Any) -> Engine:
        path = make_url(url).database

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

        return create_engine(url, creator=connect, **kwargs)

    monkeypatch.setattr("wms_tui.db.engine.create_engine", read_only_engine)


def test_a_read_only_sqlite_database_fails_the_writable_check(ready: Wms,
                                                                read_only_file: None) -> None:
    result, checks = doctor(ready)
    assert result.exit_code == 1
    assert ("FAIL  writable: database read-only (attempt to write a readonly database)"
            in result.stdout)
    assert checks["database"]["level"] == "ok"
    # What can be read is still checked.
    assert checks["integrity"]["level"] == checks["ledger"]["level"] == "ok"


@pytest.fixture
def read_only_pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL database whose transactions are read-only by default."""
    name = f"wms_read_only_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_a_read_only_postgresql_database_fails_the_writable_check(
    make_wms: MakeWms, read_only_pg_url: str,
) -> None:
    result, checks = doctor(make_wms(read_only_pg_url))
    assert result.exit_code == 1
    assert "FAIL  writable: database read-only (transaction_read_only is on)" in result.stdout
    assert checks["database"]["level"] == "ok"


def test_an_unreachable_server_is_one_fail_line_not_a_traceback(make_wms: MakeWms) -> None:
    result, checks = doctor(make_wms(closed_port_url()))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("FAIL  database: unreachable (connection failed: ")
    assert "Connection refused" in lines[0]
    assert "Traceback" not in result.output
    # Nothing else can be read from it; the local disk still can.
    assert set(checks) == {"database", "disk space"}
    assert checks["database"]["level"] == "fail"


class Usage(NamedTuple):
    total: int
    used: int
    free: int


@pytest.mark.parametrize(("free", "total", "level"), [
    (32 * MIB, 100 * GIB, "fail"),
    (512 * MIB, 100 * GIB, "warn"),
    (20 * GIB, 1024 * GIB, "warn"),
    (50 * GIB, 100 * GIB, "ok"),
], ids=["under-64MiB", "under-1GiB", "under-5pc", "plenty"])
def test_disk_space_fails_below_64_mib_and_warns_below_1_gib_or_5_percent(
    ready: Wms, monkeypatch: pytest.MonkeyPatch, free: int, total: int, level: str,
) -> None:
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda _path: Usage(total, total - free, free))
    result, checks = doctor(ready)
    assert checks["disk space"]["level"] == level
    assert f"{level.upper():4}  disk space: " in result.stdout
    assert result.exit_code == (1 if level == "fail" else 0)


# wms db backup


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def no_space(_source: Path, copy: Path) -> list[str]:
    """The copy step on a full disk: some pages written, then ENOSPC."""
    copy.write_bytes(b"SQLite format 3\0" + bytes(4096))
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_backup_onto_a_full_disk_fails_clearly_and_leaves_no_file(
    ready: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "copies"
    target = folder / "wms-copy.db"
    with monkeypatch.context() as patch:
        patch.setattr(health_db, "copy_database", no_space)
        failed = ready("db", "backup", "--to", str(target))
    assert failed.exit_code == 1
    assert failed.stderr.strip() == f"error: backup failed: disk full at {folder}"
    assert "Traceback" not in failed.output
    assert leftovers(folder) == []
    assert not (tmp_path / "data" / "backup.json").exists()
    # Room made: the same backup works.
    again = ready("db", "backup", "--to", str(target))
    assert again.exit_code == 0, again.output
    assert leftovers(folder) == ["wms-copy.db"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_sqlite_running_out_of_room_mid_copy_is_disk_full_too(
    ready: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(_source: Path, copy: Path) -> list[str]:
        copy.write_bytes(bytes(8192))
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(health_db, "copy_database", full)
    failed = ready("db", "backup")
    backups = tmp_path / "data" / "backups"
    assert failed.exit_code == 1
    assert f"backup failed: disk full at {backups}" in failed.stderr
    assert leftovers(backups) == []


def test_a_folder_the_backup_may_not_write_is_named(
    ready: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def denied(_source: Path, _copy: Path) -> list[str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(health_db, "copy_database", denied)
    failed = ready("db", "backup", "--to", str(tmp_path / "ro" / "copy.db"))
    assert failed.exit_code == 1
    assert f"backup failed: permission denied at {tmp_path / 'ro'}" in failed.stderr
    assert leftovers(tmp_path / "ro") == []


def test_a_copy_that_fails_its_integrity_check_is_never_put_in_place(
    ready: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(health_db, "copy_database",
                        lambda _source, _copy: ["Page 7: btreeInitPage() returns error code 11"])
    target = tmp_path / "copies" / "copy.db"
    failed = ready("db", "backup", "--to", str(target))
    assert failed.exit_code == 1
    assert "failed its integrity check: Page 7" in failed.stderr
    assert leftovers(target.parent) == []


# The data directory


def test_an_existing_data_directory_keeps_its_mode(ready: Wms, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    data.chmod(0o750)
    assert ready("doctor").exit_code == 0
    assert ready("db", "backup").exit_code == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o750


def test_a_data_directory_wms_creates_is_private(ready: Wms, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert ready("doctor").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
