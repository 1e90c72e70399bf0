"""`wms serve` on PostgreSQL bounds its sessions' connections: it sizes the slots from the
server's settings (or --pg-connections), makes the slot file, and hands path and count to
every session in its spec; SQLite serving makes no slots."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import fresh_pg_engine, fresh_sqlite_engine
from wms_tui.db.connection_slots import SLOT_FILE, ConnectionSlots
from wms_tui.db.engine import BUSY_TIMEOUT_MS
from wms_tui.serve import sessions as sessions_module
from wms_tui.serve.server import PG_CONNECTION_MARGIN, ServeConfig, pg_connection_slots, serve
from wms_tui.serve.session import SessionSpec, session_slots
from wms_tui.serve.sessions import SessionManager
from wms_tui.serve.ssh import ServeConfigError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_spec_carries_the_slot_file_and_count(tmp_path: Path) -> None:
    spec = SessionSpec("postgresql+psycopg://wms@db/wms", "vt100", "RF01", "10.0.0.9",
                       session=4, pg_slots_path=str(tmp_path / SLOT_FILE), pg_slots=7)
    again = SessionSpec.from_json(spec.to_json())
    assert again == spec
    (tmp_path / SLOT_FILE).write_text("")
    slots = session_slots(again)
    assert isinstance(slots, ConnectionSlots)
    assert slots.count == 7 and slots.wait_seconds == BUSY_TIMEOUT_MS / 1000
    assert session_slots(SessionSpec("sqlite:///wms.db", "vt100", "RF01", "p")) is None


@pytest.mark.postgres
def test_the_slots_are_the_servers_connections_less_reserved_and_margin() -> None:
    engine = fresh_pg_engine()
    try:
        with engine.connect() as conn:
            most = int(conn.exec_driver_sql("SHOW max_connections").scalar() or 0)
            reserved = int(conn.exec_driver_sql(
                "SHOW superuser_reserved_connections").scalar() or 0)
        assert pg_connection_slots(engine, None) == (most - reserved - PG_CONNECTION_MARGIN,
                                                     most)
        assert pg_connection_slots(engine, 5) == (5, most)
        with pytest.raises(ServeConfigError, match="1 or more"):
            pg_connection_slots(engine, 0)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_serve_on_postgresql_hands_every_session_the_slots(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    engine = fresh_pg_engine()
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    managers: list[SessionManager] = []

    class Recorded(SessionManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(sessions_module, "SessionManager", Recorded)
    monkeypatch.setenv("WMS_DATA_DIR", str(tmp_path))

    async def run() -> None:
        ready, stop = asyncio.Event(), asyncio.Event()
        server = asyncio.ensure_future(serve(
            ServeConfig(database_url=url, ssh_auth="none", port=free_port(), spawn=True,
                        pg_connections=12), ready=ready, stop=stop))
        await asyncio.wait({server, asyncio.ensure_future(ready.wait())},
                           return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        await server

    with caplog.at_level(logging.INFO, logger="wms_tui.serve"):
        asyncio.run(run())
    (manager,) = managers
    slot_file = tmp_path / SLOT_FILE
    assert manager.pg_slots_path == str(slot_file) and manager.pg_slots == 12
    assert slot_file.stat().st_mode & 0o777 == 0o600
    assert any("PostgreSQL connections: 12 of " in r.getMessage() for r in caplog.records)


def test_serve_on_sqlite_makes_no_slots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wms.db"
    fresh_sqlite_engine(str(path)).dispose()
    managers: list[SessionManager] = []

    class Recorded(SessionManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(sessions_module, "SessionManager", Recorded)
    monkeypatch.setenv("WMS_DATA_DIR", str(tmp_path))

    async def run() -> None:
        stop = asyncio.Event()
        stop.set()
        await serve(ServeConfig(database_url=f"sqlite:///{path}", ssh_auth="none",
                                port=free_port(), spawn=True), stop=stop)

    asyncio.run(run())
    (manager,) = managers
    assert manager.pg_slots_path is None and manager.pg_slots == 0
    assert not (tmp_path / SLOT_FILE).exists()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_wms_serve_refuses_no_pg_connections(tmp_path: Path, how: str) -> None:
    env = {"WMS_DATA_DIR": str(tmp_path), "WMS_DATABASE_URL": f"sqlite:///{tmp_path}/wms.db"}
    args = ["serve"]
    if how == "option":
        args += ["--pg-connections", "0"]
    else:
        env["WMS_PG_CONNECTIONS"] = "-3"
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2
    assert "--pg-connections must be 1 or more" in result.output
