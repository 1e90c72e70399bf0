"""The doors of a real `wms serve` under attack: connect floods, telnet off loopback, the
telnet device password, and secrets on spawned sessions' command lines."""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app as wms
from tests.e2e.clients import SshTerminal, TelnetTerminal
from tests.e2e.conftest import ServeFactory, Server, Site, free_port
from wms_tui.serve.server import ServeConfig, check_telnet
from wms_tui.serve.ssh import ServeConfigError

pytestmark = pytest.mark.slow


def test_a_connect_flood_writes_no_audit_row_per_connect(site: Site, serve: ServeFactory,
                                                          ) -> None:
    server = serve(site, "--ssh-auth", "password", env={"WMS_DEVICE_PASSWORD": "gun-secret"})

    async def flood_then_a_device() -> None:
        for _ in range(300):
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.close()
            await writer.wait_closed()
        t = await SshTerminal.connect(server.port, password="gun-secret")
        await t.wait_for("User ID")
        await t.close()

    asyncio.run(flood_then_a_device())
    server.stop()
    events = site.audit()
    # The device that authenticated has its rows; the flood is one summary row.
    assert [event for event, *_ in events] == ["connect", "disconnect", "connect_summary"]
    summary = events[-1]
    assert summary[2] == "127.0.0.1"
    assert summary[3].startswith("ssh: 300 connects without device auth since "), summary


def test_telnet_off_loopback_needs_telnet_insecure_and_a_device_password(
    site: Site, tmp_path: Path, device_key: tuple[Path, Path],
) -> None:
    _, authorized = device_key
    runner = CliRunner()
    env = {"WMS_DATA_DIR": str(tmp_path / "data")}
    base = ["--database-url", site.url, "serve", "--host", "0.0.0.0", "--port",
            str(free_port()), "--authorized-keys", str(authorized), "--telnet-port",
            str(free_port())]
    result = runner.invoke(wms, base, env=env)
    assert result.exit_code == 2
    assert "clear text" in result.output and "--telnet-insecure" in result.output
    result = runner.invoke(wms, [*base, "--telnet-insecure"], env=env)
    assert result.exit_code == 2
    assert "telnet off loopback needs a device password" in result.output
    result = runner.invoke(wms, ["--database-url", site.url, "serve", "--help"], env=env)
    assert "--telnet-insecure" in result.output
    # Accepted: loopback as it is; elsewhere with the flag and a password.
    check_telnet(ServeConfig(telnet_port=2323))
    check_telnet(ServeConfig(host="0.0.0.0", telnet_port=2323, telnet_insecure=True,
                             device_password="gun-secret"))
    with pytest.raises(ServeConfigError):
        check_telnet(ServeConfig(host="10.1.2.3", telnet_port=2323, device_password="x"))


def test_telnet_asks_for_the_device_password_before_the_app(site: Site, serve: ServeFactory,
                                                            ) -> None:
    telnet_port = free_port()
    server = serve(site, "--ssh-auth", "none", "--telnet-port", str(telnet_port),
                   env={"WMS_DEVICE_PASSWORD": "gun-secret"})
    assert "telnet on 127.0.0.1" in server.text() and "(device password)" in server.text()

    async def terminal() -> None:
        t = await TelnetTerminal.connect(telnet_port, term="vt100", cols=40, rows=8)
        try:
            await t.wait_for("Device password:")
            await t.enter("gun-secrets", "Wrong device password.")
            await t.enter("gun-secret", "User ID")
            assert "gun-secret" not in t.screen.raw.decode(errors="replace")
            await t.login()
        finally:
            await t.close()

    asyncio.run(terminal())
    server.stop()
    assert "telnet from 127.0.0.1" in server.text()  # the wrong one is logged
    events = [(event, detail) for event, _, peer, detail in site.audit()]
    assert ("connect", "telnet") in events and ("login", "") in events


@pytest.mark.postgres
def test_spawned_sessions_carry_no_database_url_on_their_command_line(
    pg_site: Site, tmp_path: Path,
) -> None:
    token = secrets.token_hex(8)
    url = pg_site.url.replace("://postgres@", f"://postgres:{token}@")
    assert token in url
    # The server gets its URL from the environment, as an admin keeping it out of `ps` would.
    server = Server(tmp_path, None, ["--ssh-auth", "none", "--spawn"], "spawn",
                    env={"WMS_DATABASE_URL": url}).wait_ready()
    try:
        pids: list[int] = []

        async def operator() -> None:
            t = await SshTerminal.connect(server.port, cols=20, rows=16)
            await t.login()  # the session reached the database with the URL it was given
            started = re.search(r"session 1 ssh RF01 from \S+ started: pid (\d+)", server.text())
            assert started, server.text()
            pids.append(int(started.group(1)))
            seen = [p for p in Path("/proc").iterdir() if p.name.isdigit()
                    and token.encode() in _read(p / "cmdline")]
            assert seen == [], [_read(p / "cmdline") for p in seen]
            session = _read(Path(f"/proc/{pids[0]}/cmdline")).split(b"\0")
            assert b"wms_tui.serve.session" in session and b"--spec-fd" in session
            assert not any(b"postgresql" in arg for arg in session)
            assert token.encode() not in _read(Path(f"/proc/{pids[0]}/environ"))
            await t.close()

        asyncio.run(operator())
    finally:
        server.stop()
    assert pids


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # a process that ended meanwhile
