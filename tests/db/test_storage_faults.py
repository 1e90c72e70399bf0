"""A full disk, a read-only database and an unreachable one are named errors, never retried,
and nothing of the refused post is kept; `wms doctor`'s write probe finds each of them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from tests.factories import Warehouse, build_warehouse
from tests.storage_faults import closed_port_url, disk_full, read_only
from wms_tui.db import health
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import SqlUnitOfWork, storage_fault, uow_factory
from wms_tui.domain import stock
from wms_tui.domain.errors import (
    DatabaseReadOnly,
    DatabaseUnreachable,
    DiskFull,
    StorageFault,
    TransientConflict,
)
from wms_tui.domain.model import BalanceKey
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Move, Receive, post


def on_hand(engine: Engine, item_id: int, location_id: int) -> int:
    with SqlUnitOfWork(engine) as uow:
        row = uow.stock.balance(BalanceKey(item_id, location_id))
        return 0 if row is None else row.quantity


def movements(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM movement")).scalar_one())


def test_a_post_onto_a_full_disk_is_refused_as_disk_full_and_keeps_nothing(
    sqlite_engine: Engine,
) -> None:
    wh = build_warehouse(sqlite_engine)
    uow = uow_factory(sqlite_engine)
    post(uow, wh.operator, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    with disk_full(sqlite_engine), pytest.raises(DiskFull) as caught:
        post(uow, wh.operator, Move(wh.widget, 4, wh.a1, wh.a2, "MOVE-1"), key="k-full")
    assert caught.value.render(lambda s: s) == "Cannot save: disk full. Call a supervisor."
    assert str(caught.value) == "disk full (database or disk is full)"
    assert (on_hand(sqlite_engine, wh.widget, wh.a1), movements(sqlite_engine)) == (10, 1)
    # Room made: the same confirmation posts, once.
    post(uow, wh.operator, Move(wh.widget, 4, wh.a1, wh.a2, "MOVE-1"), key="k-full")
    assert (on_hand(sqlite_engine, wh.widget, wh.a2), movements(sqlite_engine)) == (4, 2)


def test_a_storage_fault_is_not_retried(sqlite_engine: Engine,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    wh = build_warehouse(sqlite_engine)
    attempts: list[int] = []
    real = stock._post_once

    def counted(*args: Any) -> Any:
        attempts.append(1)
        return real(*args)

    monkeypatch.setattr(stock, "_post_once", counted)
    with read_only(sqlite_engine), pytest.raises(DatabaseReadOnly):
        post(uow_factory(sqlite_engine), wh.operator, Receive(wh.widget, 1, wh.a1, "ASN-1"))
    assert len(attempts) == 1


def test_a_read_only_connection_refuses_the_post_by_name(engine: Engine, wh: Warehouse) -> None:
    """query_only on SQLite, default_transaction_read_only on PostgreSQL."""
    with read_only(engine), pytest.raises(DatabaseReadOnly) as caught:
        post(uow_factory(engine), wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
    assert caught.value.render(lambda s: s) == (
        "Cannot save: database read-only. Call a supervisor.")
    assert str(caught.value).startswith("database read-only (")
    assert on_hand(engine, wh.widget, wh.a1) == 0
    # Reading still works on a read-only database.
    with read_only(engine):
        reader = uow_factory(engine, readonly=True)
        assert RfBackend(uow_factory(engine), reader).stock_at(wh.a1) == []


def test_a_database_file_opened_read_only_refuses_the_post_by_name(tmp_path: Path,
                                                                    sqlite_engine: Engine) -> None:
    wh = build_warehouse(sqlite_engine)
    path = tmp_path / "wms.db"

    def open_read_only() -> sqlite3.Connection:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    engine = make_engine(f"sqlite:///{path}", creator=open_read_only)
    try:
        with pytest.raises(DatabaseReadOnly):
            post(uow_factory(engine), wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
        assert isinstance(health.write_probe(engine), DatabaseReadOnly)
    finally:
        engine.dispose()
    assert on_hand(sqlite_engine, wh.widget, wh.a1) == 0


def test_a_server_nobody_listens_on_is_unreachable() -> None:
    engine = make_engine(closed_port_url())
    try:
        with pytest.raises(DatabaseUnreachable) as caught:
            RfBackend(uow_factory(engine)).stock_at(1)
        assert isinstance(health.write_probe(engine), DatabaseUnreachable)
    finally:
        engine.dispose()
    assert caught.value.render(lambda s: s) == "Database unreachable. Call a supervisor."
    assert "Connection refused" in str(caught.value)


def test_a_sqlite_file_whose_folder_is_gone_is_unreachable(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    engine = make_engine(f"sqlite:///{folder / 'wms.db'}")
    shutil.rmtree(folder)
    try:
        with pytest.raises(DatabaseUnreachable):
            RfBackend(uow_factory(engine)).stock_at(1)
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_connection_the_server_drops_mid_transaction_is_unreachable(
    engine: Engine, wh: Warehouse,
) -> None:
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    try:
        with pytest.raises(DatabaseUnreachable), SqlUnitOfWork(engine) as uow:
            pid = uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            uow.session.execute(text("SELECT 1"))
    finally:
        admin.dispose()
    # The pool pings before lending a connection, so the next transaction works again.
    assert on_hand(engine, wh.widget, wh.a1) == 0


def wrapped(error: Exception) -> DBAPIError:
    return OperationalError("INSERT …", {}, error)


@pytest.mark.parametrize(("error", "fault"), [
    (psycopg.errors.DiskFull("could not extend file: No space left on device"), DiskFull),
    (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"),
     DatabaseReadOnly),
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
     DatabaseUnreachable),
    (psycopg.OperationalError("server closed the connection unexpectedly"), DatabaseUnreachable),
    (psycopg.OperationalError('connection failed: connection to server at "10.0.0.9", port'
                              " 5432 failed: Connection refused"), DatabaseUnreachable),
    (sqlite3.OperationalError("database or disk is full"), DiskFull),
    (sqlite3.OperationalError("attempt to write a readonly database"), DatabaseReadOnly),
    (sqlite3.OperationalError("unable to open database file"), DatabaseUnreachable),
], ids=["pg-53100", "pg-25006", "pg-57P01", "pg-closed", "pg-refused", "sqlite-full",
        "sqlite-readonly", "sqlite-cantopen"])
def test_each_driver_fault_is_named(error: Exception, fault: type[StorageFault]) -> None:
    found = storage_fault(wrapped(error))
    assert type(found) is fault
    assert found is not None and str(found) == f"{fault.FAULT} ({str(error).splitlines()[0]})"


@pytest.mark.parametrize("error", [
    sqlite3.OperationalError("database is locked"),
    sqlite3.IntegrityError("CHECK constraint failed: quantity >= 0"),
    psycopg.errors.SerializationFailure("could not serialize access"),
])
def test_other_database_errors_are_no_storage_fault(error: Exception) -> None:
    assert storage_fault(wrapped(error)) is None


def test_a_locked_database_is_still_a_conflict_to_retry(sqlite_engine: Engine) -> None:
    with pytest.raises(TransientConflict), SqlUnitOfWork(sqlite_engine):
        raise wrapped(sqlite3.OperationalError("database is locked"))


def test_the_write_probe_passes_a_writable_database_and_leaves_nothing(engine: Engine) -> None:
    assert health.write_probe(engine) is None
    assert "wms_write_probe" not in inspect(engine).get_table_names()


def test_the_write_probe_finds_a_read_only_database(engine: Engine) -> None:
    with read_only(engine):
        probe = health.write_probe(engine)
    assert isinstance(probe, DatabaseReadOnly)


def test_the_write_probe_names_a_database_that_cannot_grow(sqlite_engine: Engine) -> None:
    with disk_full(sqlite_engine):
        assert isinstance(health.write_probe(sqlite_engine), DiskFull)


def test_disk_space_looks_at_each_filesystem_once(sqlite_engine: Engine, tmp_path: Path) -> None:
    places = health.disk_space(sqlite_engine, tmp_path)
    assert [p.place for p in places] == [str(tmp_path)]
    assert 0 < places[0].free <= places[0].total
