"""`wms serve`: the SSH (and optional telnet) listeners, the session manager and the zygote."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from wms_tui.serve.capacity import OpenFilesTooFew, default_max_sessions, fit_open_files
from wms_tui.serve.ssh import (
    DeviceAuth,
    ServeConfigError,
    is_loopback,
    load_host_key,
    start_ssh_server,
)
from wms_tui.serve.throttle import AuthThrottle, ThrottlePolicy

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from wms_tui.serve.sessions import SessionManager

log = logging.getLogger("wms_tui.serve")

# How often what came before device authentication is written to the audit log, as summaries.
TALLY_INTERVAL = 60.0
# PostgreSQL connections the sessions leave free: for `wms` commands and `wms api`, a session's
# nested transaction (one opened while it holds a slot does not wait for a second), this
# server's own audit writes (at most SERVER_PG_CONNECTIONS) and any other application.
PG_CONNECTION_MARGIN = 10
SERVER_PG_CONNECTIONS = 4


class _Listener(Protocol):
    """What `wms serve` needs of the SSH and telnet servers it starts: closing them."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class ServeConfig:
    """Everything `wms serve` was told; checked before anything listens."""

    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 2222
    telnet_port: int | None = None
    authorized_keys: Path | None = None
    device_password: str | None = None
    ssh_auth: str | None = None
    # None: as many as the available memory holds (serve/capacity.py).
    max_sessions: int | None = None
    idle_timeout: float = 900.0
    spawn: bool = False
    allow_no_auth: bool = False
    login_timeout: float = 60.0
    keepalive_interval: float = 30.0
    keepalive_count_max: int = 3
    max_auth_attempts: int = 6
    # Telnet off loopback: the admin has named the risk (PINs cross the network in clear text).
    telnet_insecure: bool = False
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    # `wms demo --serve`: sessions run in practice mode, on a database with the demo marker.
    demo: bool = False
    scenario: str | None = None
    # PostgreSQL connections all sessions may hold at once (None: the server's max_connections
    # less its reserved ones and PG_CONNECTION_MARGIN).
    pg_connections: int | None = None


def read_device_password(path: Path | None) -> str | None:
    """The device password: first line of the file, else $WMS_DEVICE_PASSWORD."""
    if path is not None:
        text = path.read_text()
        password = text.splitlines()[0].strip() if text.strip() else ""
        if not password:
            raise ServeConfigError(f"{path} holds no password")
        return password
    return os.environ.get("WMS_DEVICE_PASSWORD") or None


def check_telnet(config: ServeConfig) -> None:
    """Telnet off loopback only when the admin named its risk, and never without a device
    password: SSH allows no authentication only on loopback, and telnet must not undo that."""
    if config.telnet_port is None or is_loopback(config.host):
        return
    if not config.telnet_insecure:
        raise ServeConfigError(
            f"telnet on {config.host} sends user IDs and PINs in clear text to anyone on that "
            "network: serve telnet on loopback only, or add --telnet-insecure to accept that")
    if not config.device_password and not config.allow_no_auth:
        raise ServeConfigError(
            "telnet off loopback needs a device password (--device-password-file or "
            "WMS_DEVICE_PASSWORD), which telnet terminals are asked for before the app")


def pg_connection_slots(engine: Engine, asked: int | None) -> tuple[int, int]:
    """How many PostgreSQL connections the sessions may hold at once, and the server's
    max_connections; ServeConfigError when that leaves none."""
    if asked is not None and asked < 1:
        raise ServeConfigError(f"--pg-connections must be 1 or more, not {asked}")
    with engine.connect() as conn:
        settings = {name: int(value) for name, value in conn.exec_driver_sql(
            "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', "
            "'superuser_reserved_connections', 'reserved_connections')")}
    most = settings["max_connections"]
    # reserved_connections (PostgreSQL 16 on) are kept for roles granted them, like a superuser's.
    reserved = (settings.get("superuser_reserved_connections", 0)
                + settings.get("reserved_connections", 0))
    if asked is not None:
        if asked > most - reserved:
            log.warning("wms serve: --pg-connections %d is more than the %d PostgreSQL allows "
                        "ordinary clients (max_connections %d, %d reserved): sessions may be "
                        "refused connections", asked, most - reserved, most, reserved)
        return asked, most
    slots = most - reserved - PG_CONNECTION_MARGIN
    if slots < 1:
        raise ServeConfigError(
            f"PostgreSQL allows {most} connections ({reserved} reserved), which leaves none for "
            f"RF sessions after {PG_CONNECTION_MARGIN} kept for other clients: raise "
            "max_connections, or set --pg-connections (WMS_PG_CONNECTIONS)")
    return slots, most


def configure_server_logging() -> None:
    """One line per session start and end on stderr, every line printable (client text such
    as terminal IDs reaches it); asyncssh's chatter only when it matters."""
    from wms_tui.safe_logging import SafeFormatter

    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    logging.getLogger("telnetlib3").setLevel(logging.WARNING)
    # The schema check at start-up is not news for the log.
    logging.getLogger("alembic").setLevel(logging.WARNING)


async def serve(config: ServeConfig, *, ready: asyncio.Event | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM or SIGINT (or `stop` is set), then end every session gracefully."""
    from sqlalchemy.engine import make_url

    from wms_tui.db.connection_slots import create_slot_file
    from wms_tui.db.engine import data_dir, make_engine, resolve_database_url
    from wms_tui.db.migrate import current_revision, head_revision
    from wms_tui.serve.audit import AuditLog
    from wms_tui.serve.sessions import SessionManager
    from wms_tui.serve.telnet import start_telnet_server
    from wms_tui.serve.zygote import Launcher, SpawnLauncher, ZygoteLauncher

    auth = DeviceAuth.configure(config.ssh_auth, host=config.host,
                                authorized_keys=config.authorized_keys,
                                password=config.device_password,
                                allow_no_auth=config.allow_no_auth,
                                max_attempts=config.max_auth_attempts)
    check_telnet(config)
    throttle = AuthThrottle(config.throttle)
    url = resolve_database_url(config.database_url)
    on_pg = make_url(url).get_backend_name() != "sqlite"
    # On PostgreSQL its connections come out of PG_CONNECTION_MARGIN, not the sessions' slots.
    engine = (make_engine(url, pool_size=SERVER_PG_CONNECTIONS // 2,
                          max_overflow=SERVER_PG_CONNECTIONS - SERVER_PG_CONNECTIONS // 2)
              if on_pg else make_engine(url))
    try:
        if current_revision(engine) != head_revision():
            raise ServeConfigError(
                "the database schema is not current: run `wms init` or `wms db upgrade`")
        slots_path: str | None = None
        slots = 0
        if on_pg:
            slots, most = pg_connection_slots(engine, config.pg_connections)
            slots_path = str(create_slot_file(data_dir()))
            log.info("wms serve: PostgreSQL connections: %d of %d", slots, most)
        if config.demo:
            from wms_tui.demo.seed import is_demo_database

            if not is_demo_database(engine):
                raise ServeConfigError(
                    "not a demo database (no demo marker): refusing to serve it for practice")
        host_key = load_host_key(data_dir())
        if config.max_sessions is None:
            max_sessions, sized = default_max_sessions()
        else:
            max_sessions, sized = config.max_sessions, "--max-sessions"
        try:
            files = fit_open_files(max_sessions, asked=config.max_sessions is not None)
        except OpenFilesTooFew as exc:
            raise ServeConfigError(str(exc)) from None
        if files.note:
            level = logging.WARNING if files.sessions < max_sessions else logging.INFO
            log.log(level, "wms serve: %s", files.note)
            max_sessions = files.sessions
        launcher: Launcher
        if config.spawn:
            launcher = SpawnLauncher()
        else:
            zygote = ZygoteLauncher()
            await zygote.start()
            launcher = zygote
        manager = SessionManager(launcher, url, AuditLog(engine), max_sessions=max_sessions,
                                 idle_timeout=config.idle_timeout, demo=config.demo,
                                 scenario=config.scenario, pg_slots_path=slots_path,
                                 pg_slots=slots)
        listeners: list[_Listener] = []
        tally: asyncio.Future[None] | None = None
        try:
            ssh = await start_ssh_server(
                manager, auth, host=config.host, port=config.port, host_key=host_key,
                throttle=throttle, login_timeout=config.login_timeout,
                keepalive_interval=config.keepalive_interval,
                keepalive_count_max=config.keepalive_count_max)
            listeners.append(ssh)
            log.info("wms serve: SSH on %s:%d (%s auth, host key %s), sessions by %s, "
                     "at most %d (%s), idle timeout %.0f s", config.host, config.port,
                     _auth_name(auth), host_key.get_fingerprint(), launcher.name,
                     max_sessions, sized, config.idle_timeout)
            if config.telnet_port is not None:
                listeners.append(await start_telnet_server(
                    manager, host=config.host, port=config.telnet_port,
                    password=config.device_password, throttle=throttle,
                    login_timeout=config.login_timeout))
                log.info("wms serve: telnet on %s:%d (%s)", config.host, config.telnet_port,
                         "device password" if config.device_password else "no device auth")
            stopping = stop or asyncio.Event()
            tally = asyncio.ensure_future(_write_tally_every(manager))
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stopping.set)
            if ready is not None:
                ready.set()
            await stopping.wait()
            log.info("wms serve: stopping, %d sessions to end", len(manager.sessions))
            for listener in listeners:
                listener.close()
            # The handlers stay: a second SIGTERM must not cut the graceful stop short.
            await manager.stop()
            tally.cancel()
            last = manager.write_tally()
            if last is not None:
                await last
        finally:
            if tally is not None:
                tally.cancel()
            for listener in listeners:
                with contextlib.suppress(Exception):
                    listener.close()
            await launcher.close()
        log.info("wms serve: stopped")
    finally:
        engine.dispose()


async def _write_tally_every(manager: SessionManager) -> None:
    """Summaries of what came before device authentication, a minute at a time."""
    while True:
        await asyncio.sleep(TALLY_INTERVAL)
        manager.write_tally()


def _auth_name(auth: DeviceAuth) -> str:
    if auth.none:
        return "no"
    return "+".join(name for name, on in (("key", auth.keys is not None),
                                          ("password", auth.password is not None)) if on)


def run_server(config: ServeConfig) -> None:
    configure_server_logging()
    asyncio.run(serve(config))
