"""`wms serve` as a real subprocess on free ports, over a seeded warehouse database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import asyncssh
import pytest
from sqlalchemy import Engine

from tests.conftest import fresh_pg_engine, fresh_sqlite_engine, pg_database_url
from tests.e2e.clients import SshTerminal
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.inbound import import_inbound_orders
from wms_tui.domain.model import BalanceKey, MovementRecord
from wms_tui.domain.stock import Receive, ledger_mismatches, post
from wms_tui.serve.audit import AuditLog

ROOT = Path(__file__).resolve().parents[2]
EA_GTIN = "09501101530003"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Site:
    """A warehouse: 30 widgets in A-01-01-1, inbound order PO-100 for 24 widgets."""

    url: str
    engine: Engine
    wh: Warehouse

    @classmethod
    def build(cls, engine: Engine, url: str) -> Site:
        wh = build_warehouse(engine)
        post(uow_factory(engine), wh.admin, Receive(wh.widget, 30, wh.a1, "ASN-1"))
        report = import_inbound_orders(uow_factory(engine), [
            {"reference": "PO-100", "supplier": "ACME", "line_no": "1", "sku": "WIDGET",
             "quantity": "24"},
        ])
        assert not report.errors, report.errors
        return cls(url, engine, wh)

    def on_hand(self, location_id: int, item_id: int | None = None) -> int:
        with SqlUnitOfWork(self.engine) as uow:
            row = uow.stock.balance(BalanceKey(item_id or self.wh.widget, location_id))
            return 0 if row is None else row.quantity

    def movements(self) -> list[MovementRecord]:
        with SqlUnitOfWork(self.engine) as uow:
            return list(uow.stock.movements(item_id=self.wh.widget))

    def ledger_mismatches(self) -> list[str]:
        with SqlUnitOfWork(self.engine) as uow:
            return ledger_mismatches(uow)

    def audit(self, event: str | None = None) -> list[tuple[str, str | None, str | None, str]]:
        return [(row.event, row.login, row.peer, row.detail)
                for row in AuditLog(self.engine).events(event=event)]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    path = tmp_path / "wms.db"
    engine = fresh_sqlite_engine(str(path))
    yield Site.build(engine, f"sqlite:///{path}")
    engine.dispose()


@pytest.fixture
def pg_site() -> Iterator[Site]:
    engine = fresh_pg_engine()
    yield Site.build(engine, pg_database_url())
    engine.dispose()


class Server:
    """`wms serve` in its own process, as an operator would start it."""

    def __init__(self, tmp_path: Path, database_url: str | None, args: list[str], name: str,
                 env: dict[str, str] | None = None, command: tuple[str, ...] = ("serve",),
                 ) -> None:
        self.port = free_port()
        self.data_dir = tmp_path / f"data-{name}"
        self.log_path = tmp_path / f"serve-{name}.log"
        environ = {k: v for k, v in os.environ.items()
                   if k not in ("COLUMNS", "LINES", "WMS_DATABASE_URL", "WMS_DEVICE_PASSWORD")
                   and not k.startswith("TEXTUAL")}
        environ.update(WMS_DATA_DIR=str(self.data_dir), PYTHONPATH=str(ROOT))
        environ.update(env or {})  # a test's env overrides the defaults, PYTHONPATH too
        database = ["--database-url", database_url] if database_url else []
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from cli import app; app(prog_name='wms')", *database,
             *command, "--port", str(self.port), *args],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
            env=environ)

    def wait_ready(self, timeout: float = 60) -> Self:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"wms serve exited {self.proc.returncode}:\n{self.text()}")
            if "wms serve: SSH on" in self.text():
                return self
            time.sleep(0.05)
        raise AssertionError(f"wms serve did not start:\n{self.text()}")

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


ServeFactory = Callable[..., Server]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeFactory]:
    """Start `wms serve` over a site: serve(site, "--ssh-auth", "none", ...)."""
    servers: list[Server] = []

    def start(site: Site, *args: str, name: str | None = None, ready: bool = True,
              env: dict[str, str] | None = None) -> Server:
        server = Server(tmp_path, site.url, list(args), name or f"s{len(servers)}", env)
        servers.append(server)
        return server.wait_ready() if ready else server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def device_key(tmp_path: Path) -> tuple[Path, Path]:
    """A device's private key file (OpenSSH format) and an authorized_keys file holding it."""
    key = asyncssh.generate_private_key("ssh-ed25519")
    private = tmp_path / "device_key"
    private.write_bytes(key.export_private_key())
    private.chmod(0o600)
    authorized = tmp_path / "authorized_keys"
    authorized.write_bytes(key.export_public_key())
    return private, authorized


async def move_five_then_drop(port: int) -> None:
    """OP1 keys a move of 5 widgets up to the To location, then the link drops."""
    t = await SshTerminal.connect(port, cols=20, rows=16)
    await t.login()
    await t.key("3", "Scan from location")
    await t.enter("A-01-01-1", "Scan item")
    await t.enter(EA_GTIN, "Qty in EA")
    await t.enter("5", "Scan to location")
    t.drop()
