"""The SSH and telnet doors in process, with a recording throttle: who is slowed, who is shut
out, what reaches the audit log (nothing before device authentication) and the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncssh
import pytest
import telnetlib3
from sqlalchemy import Engine

from wms_tui.serve.audit import SUMMARY, AuditLog, DoorCounts
from wms_tui.serve.session import SessionSpec
from wms_tui.serve.sessions import Channel, RfSession, SessionManager, SessionRequest
from wms_tui.serve.ssh import DeviceAuth, start_ssh_server
from wms_tui.serve.telnet import start_telnet_server
from wms_tui.serve.throttle import AuthThrottle, ThrottlePolicy
from wms_tui.serve.zygote import SessionProcess

LOCAL = "127.0.0.1"
WAIT = 20.0


class NoLauncher:
    """Sessions are never started here: the doors are under test, not the app."""

    name = "none"

    async def launch(self, spec: SessionSpec, slave_fd: int) -> SessionProcess:
        raise AssertionError("no session should start")

    async def close(self) -> None:
        return None


class DoorManager(SessionManager):
    """The real manager (audit log, tally) whose sessions only greet their terminal by ID."""

    def __init__(self, audit: AuditLog) -> None:
        super().__init__(NoLauncher(), "sqlite://", audit)
        self.opened: list[SessionRequest] = []

    def open(self, channel: Channel, request: SessionRequest) -> RfSession | None:
        self.opened.append(request)
        channel.write(f"WELCOME {request.terminal_id}\r\n".encode())
        channel.close()
        return None


class Sleeps:
    """The throttle's sleep: records what it was asked to wait and returns at once."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


@pytest.fixture
def audit(sqlite_engine: Engine) -> AuditLog:
    return AuditLog(sqlite_engine)


@pytest.fixture
def host_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


async def until(check: Callable[[], bool], what: str) -> None:
    """Wait until check() holds: the server side finishes a connection after the client."""
    loop = asyncio.get_running_loop()
    end = loop.time() + WAIT
    while not check():
        if loop.time() > end:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def ssh_door(manager: SessionManager, auth: DeviceAuth, throttle: AuthThrottle,
                   host_key: asyncssh.SSHKey) -> AsyncIterator[int]:
    acceptor = await start_ssh_server(manager, auth, host=LOCAL, port=0, host_key=host_key,
                                      throttle=throttle)
    try:
        yield acceptor.get_port()
    finally:
        acceptor.close()
        await acceptor.wait_closed()


async def ssh_password(port: int, password: str, username: str = "RF01") -> None:
    """One device password over SSH (password method only: one guess per connection)."""
    conn = await asyncssh.connect(LOCAL, port, username=username, password=password,
                                  known_hosts=None, client_keys=None, agent_path=None,
                                  preferred_auth="password")
    conn.close()
    await conn.wait_closed()


def test_wrong_ssh_passwords_wait_longer_each_time_then_the_address_is_shut_out(
    audit: AuditLog, host_key: asyncssh.SSHKey,
) -> None:
    sleeps = Sleeps()
    throttle = AuthThrottle(ThrottlePolicy(), sleep=sleeps)

    async def attacker() -> None:
        manager = DoorManager(audit)
        async with ssh_door(manager, DeviceAuth(password="gun-secret"), throttle,
                            host_key) as port:
            for n in range(10):
                with pytest.raises(asyncssh.PermissionDenied):
                    await ssh_password(port, f"guess-{n}")
            assert throttle.locked(LOCAL)
            # Shut out before any authentication work: even the right password gets nowhere.
            with pytest.raises((asyncssh.Error, OSError)) as refused:
                await ssh_password(port, "gun-secret")
            assert not isinstance(refused.value, asyncssh.PermissionDenied)
            await until(lambda: manager.tally.counts("ssh", LOCAL)
                        == DoorCounts(connects=10, wrong_passwords=10, refused=1),
                        "ten connects, ten wrong passwords, one refusal counted")
            await manager.audit_written()
            assert audit.events() == []  # nothing was written before authentication
            written = manager.write_tally()
            assert written is not None
            await written
        [summary] = audit.events()
        assert (summary.event, summary.peer) == (SUMMARY, LOCAL)
        assert summary.detail.startswith("ssh: 10 connects without device auth, 10 wrong "
                                          "device passwords, 1 refused while locked out since ")

    asyncio.run(attacker())
    # The first guess is free; each failure doubles the next wait, up to 4 s.
    assert sleeps.asked == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]


def test_a_flood_of_unauthenticated_connects_writes_no_row_per_connect(
    audit: AuditLog, host_key: asyncssh.SSHKey,
) -> None:
    async def flood() -> None:
        manager = DoorManager(audit)
        async with ssh_door(manager, DeviceAuth(password="gun-secret"),
                            AuthThrottle(sleep=Sleeps()), host_key) as port:
            for _ in range(200):
                _, writer = await asyncio.open_connection(LOCAL, port)
                writer.close()
            await until(lambda: manager.tally.counts("ssh", LOCAL).connects == 200,
                        "200 connects counted")
            await manager.audit_written()
            assert audit.events() == []
            written = manager.write_tally()
            assert written is not None
            await written
            assert manager.write_tally() is None  # nothing new: no row
        assert [(e.event, e.peer) for e in audit.events()] == [(SUMMARY, LOCAL)]
        assert audit.events()[0].detail.startswith("ssh: 200 connects without device auth")

    asyncio.run(flood())


def test_authenticated_devices_get_connect_rows_with_a_safe_terminal_id(
    audit: AuditLog, host_key: asyncssh.SSHKey, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "wms_tui.serve")

    async def devices() -> None:
        manager = DoorManager(audit)
        async with ssh_door(manager, DeviceAuth(), AuthThrottle(sleep=Sleeps()),
                            host_key) as port:
            for username in ("rf07", "rf 07;<x>", "A" * 41):
                conn = await asyncssh.connect(LOCAL, port, username=username,
                                              known_hosts=None, client_keys=None,
                                              agent_path=None)
                conn.close()
                await conn.wait_closed()
            await until(lambda: len(audit.events(event="disconnect")) == 3, "3 disconnects")
            await manager.audit_written()
            assert not manager.tally
        connects = audit.events(event="connect")
        # Each row is written off the event loop, so their order is not the connections'.
        assert sorted((e.terminal or "", e.detail) for e in connects) == [
            ("RF07", "ssh"), ("SSH", "ssh"), ("SSH", "ssh")]
        assert all(e.peer and e.peer.startswith(f"{LOCAL}:") for e in connects)

    asyncio.run(devices())
    refused = [r.getMessage() for r in caplog.records if "terminal name" in r.getMessage()]
    assert len(refused) == 2 and "'rf 07;<x>'" in refused[0]


class HostileTelnetClient(telnetlib3.TelnetClient):
    """A telnet client whose NEW-ENVIRON USER is an escape sequence (set the window title)."""

    USER = "\x1b]2;owned\x07RF9"

    def send_env(self, keys: Any) -> dict[str, Any]:
        env = super().send_env(keys)
        env["USER"] = self.USER
        return env


class TelnetClientWithUser(telnetlib3.TelnetClient):
    USER = "rf12"

    def send_env(self, keys: Any) -> dict[str, Any]:
        env = super().send_env(keys)
        env["USER"] = self.USER
        return env


@asynccontextmanager
async def telnet_door(manager: SessionManager, password: str | None,
                      throttle: AuthThrottle) -> AsyncIterator[int]:
    server = await start_telnet_server(manager, host=LOCAL, port=0, password=password,
                                       throttle=throttle)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


class TelnetScreen:
    """A telnet client's received bytes, and a way to wait for text in them."""

    def __init__(self, reader: Any, writer: Any) -> None:
        self.reader, self.writer = reader, writer
        self.received = bytearray()
        self.closed = False

    @classmethod
    async def connect(cls, port: int, client: type[telnetlib3.TelnetClient] | None = None,
                      ) -> TelnetScreen:
        factory: Callable[..., Any] | None = client
        reader, writer = await telnetlib3.open_connection(
            LOCAL, port, encoding=False, term="vt220", cols=40, rows=8, connect_maxwait=1.0,
            client_factory=factory, send_environ=("TERM", "USER"))
        return cls(reader, writer)

    async def wait_for(self, text: str) -> str:
        async def read() -> None:
            while text.encode() not in self.received:
                data = await self.reader.read(4096)
                if not data:
                    self.closed = True
                    raise AssertionError(f"{text!r} never came: {bytes(self.received)!r}")
                self.received += data

        await asyncio.wait_for(read(), WAIT)
        return self.received.decode(errors="replace")

    async def wait_closed(self) -> None:
        async def read() -> None:
            while await self.reader.read(4096):
                pass

        await asyncio.wait_for(read(), WAIT)
        self.closed = True

    def send(self, text: str) -> None:
        self.writer.write(text.encode())

    def close(self) -> None:
        self.writer.close()


def test_telnet_asks_for_the_device_password_and_never_echoes_it(audit: AuditLog) -> None:
    sleeps = Sleeps()

    async def terminal() -> None:
        manager = DoorManager(audit)
        async with telnet_door(manager, "gun-secret", AuthThrottle(sleep=sleeps)) as port:
            t = await TelnetScreen.connect(port, TelnetClientWithUser)
            await t.wait_for("Device password: ")
            t.send("nope\r\n")
            await t.wait_for("Wrong device password.")
            t.send("gun-secret\r\n")
            screen = await t.wait_for("WELCOME RF12")
            t.close()
            assert "nope" not in screen and "gun-secret" not in screen
            await until(lambda: len(audit.events(event="disconnect")) == 1, "a disconnect")
            await manager.audit_written()
            assert manager.tally.counts("telnet", LOCAL) == DoorCounts(wrong_passwords=1)
        assert [(r.terminal_id, r.term, r.cols, r.rows) for r in manager.opened] == [
            ("RF12", "vt220", 40, 8)]
        assert sorted((e.event, e.terminal or "") for e in audit.events()) == [
            ("connect", "RF12"), ("disconnect", "")]

    asyncio.run(terminal())
    assert sleeps.asked == [0.5]


def test_wrong_telnet_passwords_shut_the_address_out_of_both_doors(
    audit: AuditLog, host_key: asyncssh.SSHKey,
) -> None:
    throttle = AuthThrottle(ThrottlePolicy(max_failures=3), sleep=Sleeps())

    async def attacker() -> None:
        manager = DoorManager(audit)
        async with telnet_door(manager, "gun-secret", throttle) as telnet_port, \
                ssh_door(manager, DeviceAuth(password="gun-secret"), throttle,
                         host_key) as ssh_port:
            t = await TelnetScreen.connect(telnet_port)
            for guess in ("a", "b", "c"):
                await t.wait_for("Device password: ")
                t.received.clear()
                t.send(guess + "\r")
            await t.wait_for("Device password refused: disconnected.")
            await t.wait_closed()
            assert throttle.locked(LOCAL)
            # The next telnet connection is closed before negotiation, without a prompt.
            t = await TelnetScreen.connect(telnet_port)
            await t.wait_closed()
            assert b"password" not in t.received
            with pytest.raises((asyncssh.Error, OSError)):
                await ssh_password(ssh_port, "gun-secret")
            await until(lambda: manager.tally.counts("telnet", LOCAL)
                        == DoorCounts(connects=1, wrong_passwords=3, refused=1)
                        and manager.tally.counts("ssh", LOCAL) == DoorCounts(refused=1),
                        "telnet and ssh counted")
            await manager.audit_written()
            assert audit.events() == [] and manager.opened == []

    asyncio.run(attacker())


def test_a_hostile_telnet_user_name_reaches_neither_log_nor_audit_raw(
    audit: AuditLog, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "wms_tui.serve")

    async def terminal() -> None:
        manager = DoorManager(audit)
        async with telnet_door(manager, None, AuthThrottle(sleep=Sleeps())) as port:
            t = await TelnetScreen.connect(port, HostileTelnetClient)
            await t.wait_for(f"WELCOME {LOCAL}")
            t.close()
            await until(lambda: len(audit.events(event="disconnect")) == 1, "a disconnect")
            await manager.audit_written()
        assert [r.terminal_id for r in manager.opened] == [LOCAL]

    asyncio.run(terminal())
    assert [e.terminal for e in audit.events(event="connect")] == [LOCAL]
    messages = [r.getMessage() for r in caplog.records]
    assert not any("\x1b" in m or "\x07" in m for m in messages)
    assert any("terminal name '\\x1b]2;owned\\x07RF9'" in m for m in messages), messages


def test_audit_rows_hold_no_control_characters(audit: AuditLog) -> None:
    audit.record("login_failed", login="OP\x1b[2J", peer="10.0.0.5:4000",
                 terminal="RF\x9b1", detail="bad\x07pin")
    [row] = audit.events()
    assert (row.login, row.terminal, row.detail) == ("OP\\x1b[2J", "RF\\x9b1", "bad\\x07pin")
