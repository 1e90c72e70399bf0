"""Who gets in: device keys and passwords, operator PINs, the session limit, no telnet."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import asyncssh
import pytest
from typer.testing import CliRunner

from cli import app as wms
from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import ServeFactory, Server, Site

pytestmark = pytest.mark.slow


def listening_ports(pid: int) -> set[int]:
    """TCP ports the process listens on, from /proc (IPv4 and IPv6)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_wrong_key_and_wrong_password_are_refused(
    site: Site, serve: ServeFactory, device_key: tuple[Path, Path], tmp_path: Path,
) -> None:
    _, authorized = device_key
    server = serve(site, "--authorized-keys", str(authorized),
                   env={"WMS_DEVICE_PASSWORD": "gun-secret"})
    stranger = tmp_path / "stranger_key"
    stranger.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())

    async def devices() -> None:
        with pytest.raises(asyncssh.PermissionDenied):
            await SshTerminal.connect(server.port, client_keys=[str(stranger)])
        with pytest.raises(asyncssh.PermissionDenied):
            await SshTerminal.connect(server.port, password="guess")
        with pytest.raises(asyncssh.PermissionDenied):
            await SshTerminal.connect(server.port)  # no credentials at all
        t = await SshTerminal.connect(server.port, password="gun-secret")
        await t.wait_for("User ID")
        await t.close()

    asyncio.run(devices())
    server.stop()  # failures before device authentication are summed up at the end
    # No row per failure (a flood of them would be a flood of writes): one summary row.
    assert site.audit("login_failed") == []
    [summary] = [detail for _, _, peer, detail in site.audit("connect_summary")
                 if peer == "127.0.0.1"]
    assert summary.startswith("ssh: 3 connects without device auth, 1 wrong device "
                              "password, 1 unknown device key since "), summary
    assert [event for event, *_ in site.audit() if event in ("connect", "disconnect")] == [
        "connect", "disconnect"]  # only the device that got in


def test_no_ssh_auth_only_on_loopback(site: Site, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"WMS_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(wms, ["--database-url", site.url, "serve", "--host", "0.0.0.0",
                                 "--ssh-auth", "none"], env=env)
    assert result.exit_code == 2
    assert "only allowed on a loopback address" in result.output
    result = runner.invoke(wms, ["--database-url", site.url, "serve"], env=env)
    assert result.exit_code == 2
    assert "no SSH authentication" in result.output


def test_locked_out_pin(site: Site, serve: ServeFactory) -> None:
    server = serve(site, "--ssh-auth", "none")

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.wait_for("User ID")
        for _ in range(5):
            await t.enter("OP1", "User: OP1")
            await t.enter("9999", "Wrong user ID")
        await t.enter("OP1", "User: OP1")
        screen = await t.enter("1234", "Wrong user ID")
        assert "Menu" not in screen
        await t.close()

    asyncio.run(operator())
    failed = site.audit("login_failed")
    assert [login for _, login, _, _ in failed] == ["OP1"] * 6
    # The audit trail keeps what the terminal was not told.
    details = [detail for _, _, _, detail in failed]
    assert details[:4] == [f"wrong PIN {n} of 5" for n in (1, 2, 3, 4)]
    assert details[4].startswith("wrong PIN 5 of 5, locked until ")
    assert details[5].startswith("locked until ")
    assert site.audit("login") == []


def test_session_limit_refuses_with_a_message(site: Site, serve: ServeFactory) -> None:
    server = serve(site, "--ssh-auth", "none", "--max-sessions", "1")

    async def terminals() -> None:
        first = await SshTerminal.connect(server.port, cols=20, rows=16)
        await first.wait_for("User ID")
        second = await SshTerminal.connect(server.port, cols=20, rows=16, username="RF02")
        await second.wait_closed()
        assert "Server busy: 1 sessions, try later" in second.screen.words()
        await first.close()

    asyncio.run(terminals())
    server.stop()  # the audit log is written off the event loop: let it finish
    assert [event for event, *_ in site.audit("refused")] == ["refused"]


def test_telnet_is_off_unless_asked_and_the_host_key_is_private(
    site: Site, serve: ServeFactory,
) -> None:
    server: Server = serve(site, "--ssh-auth", "none")
    assert listening_ports(server.proc.pid) == {server.port}
    host_key = server.data_dir / "ssh_host_ed25519_key"
    assert host_key.stat().st_mode & 0o777 == 0o600
    assert "telnet on" not in server.text() and "unencrypted" not in server.text()
