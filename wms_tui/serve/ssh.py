"""The SSH side of `wms serve`: device authentication, then one RF session per shell channel.

Devices authenticate to SSH with a key from an authorized_keys file and/or a shared device
password (wrong ones wait longer each time and lock their address out: throttle.py); the
operator then logs in to the app itself. The SSH user name names the terminal (`ssh RF07@wms`
shows and records terminal RF07) when it is a safe name (sessions.TERMINAL_ID).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from wms_tui.domain.text import shown
from wms_tui.serve.sessions import (
    RfSession,
    SessionManager,
    SessionRequest,
    terminal_id,
    terminal_type,
)
from wms_tui.serve.throttle import AuthThrottle, DevicePassword

log = logging.getLogger("wms_tui.serve")

HOST_KEY_NAME = "ssh_host_ed25519_key"
AUTH_MODES = ("keys", "password", "none")


class ServeConfigError(ValueError):
    """A `wms serve` set-up that must not start (say, no SSH authentication off loopback)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DeviceAuth:
    """How devices prove themselves to SSH: authorized keys, a password, or (loopback) nothing."""

    keys: asyncssh.SSHAuthorizedKeys | None = None
    password: str | None = None
    max_attempts: int = 6

    @property
    def none(self) -> bool:
        return self.keys is None and self.password is None

    @classmethod
    def configure(cls, mode: str | None, *, host: str, authorized_keys: Path | None,
                  password: str | None, allow_no_auth: bool = False,
                  max_attempts: int = 6) -> DeviceAuth:
        """Check the options and load the keys; refuse set-ups that would let anyone in."""
        if mode is not None and mode not in AUTH_MODES:
            raise ServeConfigError(f"--ssh-auth must be one of {', '.join(AUTH_MODES)}")
        if mode == "none":
            if not (is_loopback(host) or allow_no_auth):
                raise ServeConfigError(
                    "--ssh-auth none is only allowed on a loopback address")
            return cls(max_attempts=max_attempts)
        if mode == "keys" and authorized_keys is None:
            raise ServeConfigError("--ssh-auth keys needs --authorized-keys FILE")
        if mode == "password" and not password:
            raise ServeConfigError(
                "--ssh-auth password needs --device-password-file or WMS_DEVICE_PASSWORD")
        keys = None
        if authorized_keys is not None and mode in (None, "keys"):
            try:
                keys = asyncssh.read_authorized_keys(str(authorized_keys))
            except (OSError, ValueError) as exc:
                raise ServeConfigError(f"cannot read {authorized_keys}: {exc}") from exc
        use_password = password if mode in (None, "password") and password else None
        if keys is None and use_password is None:
            raise ServeConfigError(
                "no SSH authentication: give --authorized-keys and/or a device password "
                "(--device-password-file or WMS_DEVICE_PASSWORD), or --ssh-auth none on "
                "loopback")
        return cls(keys, use_password, max_attempts)


def load_host_key(directory: Path) -> asyncssh.SSHKey:
    """The server's host key, generated on first run, readable by its owner only."""
    path = directory / HOST_KEY_NAME
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key.export_private_key())
        (directory / (HOST_KEY_NAME + ".pub")).write_bytes(key.export_public_key())
        log.info("generated SSH host key %s (%s)", path,
                 key.get_fingerprint())
    os.chmod(path, 0o600)
    return asyncssh.read_private_key(str(path))


def _peer(conn: asyncssh.SSHServerConnection) -> tuple[str, str]:
    """The client's address and its address:port, as the log and the audit name it."""
    peer = conn.get_extra_info("peername")
    return (str(peer[0]), f"{peer[0]}:{peer[1]}") if peer else ("?", "?")


class RfSshServer(asyncssh.SSHServer):
    """One per connection: refused at once while its address is locked out, else device
    authentication (throttled), the attempt limit, and the audit of authenticated devices."""

    def __init__(self, manager: SessionManager, auth: DeviceAuth,
                 throttle: AuthThrottle) -> None:
        self.manager = manager
        self.auth = auth
        self.throttle = throttle
        self.password = (None if auth.password is None
                         else DevicePassword(auth.password, throttle))
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.peer = "?"
        self.username = ""
        self.failures = 0
        self.refused = False
        self.authenticated = False
        self.connected = time.monotonic()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.address, self.peer = _peer(conn)
        if self.throttle.locked(self.address):
            # Before the version exchange: a locked-out address costs no key exchange.
            self.refused = True
            self.manager.count("ssh", self.address, "refused")
            conn.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.refused:
            return
        if not self.authenticated:
            self.manager.count("ssh", self.address, "connects")
            return
        seconds = time.monotonic() - self.connected
        self.manager.record("disconnect", peer=self.peer,
                            detail=f"ssh after {seconds:.0f} s" + (f": {exc}" if exc else ""))

    def begin_auth(self, username: str) -> bool:
        self.username = username  # called again if the client changes its user name
        return not self.auth.none

    def auth_completed(self) -> None:
        self.authenticated = True
        self.manager.record("connect", peer=self.peer, detail="ssh",
                            terminal=terminal_id(self.username, "SSH", peer=self.peer))

    def _failed(self, username: str, method: str) -> None:
        self.failures += 1
        log.warning("ssh '%s' from %s: %s refused (%d)", shown(username, 40), self.peer,
                    method, self.failures)
        self.manager.count("ssh", self.address,
                           "wrong_passwords" if method == "password" else "unknown_keys")
        # A connection of a locked-out address ends too, or it could keep on guessing.
        ended = self.failures >= self.auth.max_attempts or self.throttle.locked(self.address)
        if ended and self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                                 "Too many authentication failures")

    def password_auth_supported(self) -> bool:
        return self.password is not None

    async def validate_password(self, username: str, password: str) -> bool:
        assert self.password is not None
        if await self.password.check(self.address, password):
            return True
        self._failed(username, "password")
        return False

    def public_key_auth_supported(self) -> bool:
        return self.auth.keys is not None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        assert self.auth.keys is not None
        if self.auth.keys.validate(key, self.address, self.address) is not None:
            return True
        self._failed(username, "key")
        return False

    def session_requested(self) -> asyncssh.SSHServerSession[bytes]:
        return RfSshSession(self.manager, self.peer)


class _SshChannel:
    def __init__(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def write(self, data: bytes) -> None:
        if not self.chan.is_closing():
            self.chan.write(data)

    def close(self) -> None:
        if not self.chan.is_closing():
            self.chan.exit(0)


class RfSshSession(asyncssh.SSHServerSession[bytes]):
    """A shell channel with a pty: the RF app; anything else is refused."""

    def __init__(self, manager: SessionManager, peer: str) -> None:
        self.manager = manager
        self.peer = peer
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.term = ""
        self.size = (80, 24)
        self.has_pty = False
        self.session: RfSession | None = None

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: object) -> bool:
        self.has_pty = True
        self.term = terminal_type(term_type)
        if term_size[0] and term_size[1]:
            self.size = (term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        return False

    def session_started(self) -> None:
        assert self.chan is not None
        channel = _SshChannel(self.chan)
        if not self.has_pty:
            channel.write(b"An RF session needs a terminal: connect with ssh -t.\r\n")
            channel.close()
            return
        username = self.chan.get_extra_info("username") or ""
        self.session = self.manager.open(channel, SessionRequest(
            "ssh", self.peer, terminal_id(username, "SSH", peer=self.peer),
            self.term, *self.size))

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self.session is not None:
            self.session.feed(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        if width and height:
            self.size = (width, height)
            if self.session is not None:
                self.session.resize(width, height)

    def break_received(self, msec: int) -> bool:
        return False

    def eof_received(self) -> bool:
        if self.session is not None:
            self.session.hangup()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.session is not None:
            self.session.hangup()


async def start_ssh_server(manager: SessionManager, auth: DeviceAuth, *, host: str, port: int,
                           host_key: asyncssh.SSHKey, throttle: AuthThrottle | None = None,
                           login_timeout: float = 60,
                           keepalive_interval: float = 30,
                           keepalive_count_max: int = 3) -> asyncssh.SSHAcceptor:
    """Listen for RF terminals; no forwarding, no SFTP or SCP, no line editor: a pty only."""
    shared = AuthThrottle() if throttle is None else throttle
    return await asyncssh.create_server(
        lambda: RfSshServer(manager, auth, shared), host, port,
        server_host_keys=[host_key], encoding=None, line_editor=False,
        allow_pty=True, x11_forwarding=False, agent_forwarding=False, allow_scp=False,
        sftp_factory=None, login_timeout=login_timeout,
        keepalive_interval=keepalive_interval, keepalive_count_max=keepalive_count_max,
    )
