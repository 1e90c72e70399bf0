"""`wms demo --serve`: a class reaches the practice warehouse from real SSH clients."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncssh
import pytest

from tests.conftest import fresh_sqlite_engine
from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import Server

pytestmark = pytest.mark.slow

F6 = "\x1b[17~"


class DemoServer(Server):
    """`wms demo --serve` in its own process, as a trainer starts it before a class."""

    def __init__(self, tmp_path: Path, args: list[str], name: str = "demo",
                 database_url: str | None = None) -> None:
        super().__init__(tmp_path, database_url, args, name, command=("demo", "--serve"))

    def class_password(self) -> str:
        found = re.search(r"class password \(SSH and telnet\): (\S+)", self.text())
        assert found, self.text()
        return found.group(1)


def test_a_class_logs_in_to_the_practice_warehouse_over_ssh_at_20x16(tmp_path: Path) -> None:
    server = DemoServer(tmp_path, ["--scenario", "receive"]).wait_ready(timeout=120)
    try:
        password = server.class_password()
        assert (server.data_dir / "demo.db").exists()
        assert not (server.data_dir / "wms.db").exists(), "production is never created"

        async def trainee() -> None:
            with pytest.raises(asyncssh.PermissionDenied):
                await SshTerminal.connect(server.port, password="not-the-class-password")
            t = await SshTerminal.connect(server.port, password=password, cols=20, rows=16)
            screen = await t.wait_for("User ID", "OP1 PIN 1111", "SUP1 PIN 2222")
            assert screen.split("\n")[0].endswith("TRAINING")
            await t.enter("OP1", "PIN")
            # The receive scenario opens straight after log-in, with its hint.
            screen = await t.enter("1111", "Scan order or SSCC", "F6: scan an ASN")
            assert screen.split("\n")[0].endswith("TRAINING")
            screen = await t.key(F6, "Scanner", "ASN-1001", "WRONG-0000")
            assert screen.split("\n")[0].startswith("Scanner")
            await t.answer("1", "Order: ASN-1001")
            await t.close()

        asyncio.run(trainee())
    finally:
        server.stop()
    log = server.text()
    assert re.search(r"session 1 ssh RF01 from 127\.0\.0\.1:\d+ started", log)


def test_serve_refuses_a_database_without_the_demo_marker(tmp_path: Path) -> None:
    production = tmp_path / "wms.db"
    fresh_sqlite_engine(str(production)).dispose()
    server = DemoServer(tmp_path, ["--ssh-auth", "none"], name="refused",
                        database_url=f"sqlite:///{production}")
    assert server.proc.wait(60) == 1
    server.log.close()
    assert "no demo marker" in server.text()
    assert "wms serve: SSH on" not in server.text()
