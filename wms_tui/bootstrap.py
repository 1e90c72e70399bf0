"""The composition root: one place that turns a database into what every front door needs.

`wms tui`, each `wms serve` session, the `wms` admin commands and the practice warehouse all
wire their database here, and so will the HTTP API. It imports no Textual and no typer, so a
front door without a screen or a command line can use it as it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from wms_tui.db import migrate
from wms_tui.db.engine import data_dir, make_engine, relaxed_engine, resolve_database_url
from wms_tui.db.uow import SqlUnitOfWork, one_transaction
from wms_tui.domain.errors import BadInput
from wms_tui.domain.model import Actor
from wms_tui.domain.periods import site_day
from wms_tui.domain.users import LOCKOUT, authenticate

if TYPE_CHECKING:
    from wms_tui.db.connection_slots import ConnectionSlots
    from wms_tui.domain.rf_services import RfBackend
    from wms_tui.serve.audit import AuditLog

__all__ = [
    "Site", "UnitOfWorkFactory", "data_dir", "open_engine", "resolve_database_url",
    "sqlite_path", "wire",
]

UnitOfWorkFactory = Callable[[], SqlUnitOfWork]


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for a server database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def open_engine(url: str | None = None, *, pooled: bool = True,
                synchronous: str = "FULL", slots: ConnectionSlots | None = None) -> Engine:
    """An engine on url (default $WMS_DATABASE_URL, else the SQLite file in the data dir).

    pooled=False keeps no idle PostgreSQL connection open, for a process that mostly waits
    on a person (an RF session); SQLite has no server connection to hold, so it is unchanged.
    slots: the PostgreSQL connection slots this process shares with the rest of `wms serve`;
    with them, an unpooled engine keeps its connection a few seconds after a step while `wms
    serve` has no more sessions than slots (db/lingering_pool.py).
    """
    url = resolve_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return make_engine(url, synchronous=synchronous)
    if pooled:
        return make_engine(url, synchronous=synchronous, slots=slots)
    if slots is None:
        return make_engine(url, synchronous=synchronous, poolclass=NullPool)
    from wms_tui.db.connection_slots import linger_flag
    from wms_tui.db.lingering_pool import LingeringPool

    # One stat per step: whether `wms serve` lets its sessions keep a connection now.
    return make_engine(url, synchronous=synchronous, slots=slots, poolclass=LingeringPool,
                       keep=partial(os.path.exists, linger_flag(slots.path)))


@dataclass(frozen=True)
class Site:
    """One warehouse database and everything wired to it; built by `wire`, closed by `close`."""

    engine: Engine
    # Each call opens one transaction; the domain services call it once per attempt.
    uow_factory: UnitOfWorkFactory
    # Read-only transactions take no write lock on SQLite, so reads never queue behind posts.
    read_factory: UnitOfWorkFactory
    # How long wrong PINs lock an account (None: until a supervisor unlocks it).
    lockout: timedelta | None = LOCKOUT
    # The site's days (reports, dashboard, "today"); the ledger stays in UTC.
    zone: tzinfo = UTC
    # Where the RF resume point is saved: commits that need not wait for the disk.
    state_engine: Engine | None = None

    @cached_property
    def audit(self) -> AuditLog:
        """The RF sessions' audit log, built on first use: it imports every SQLModel table,
        which a read-only command such as `wms stock` never needs."""
        from wms_tui.serve.audit import AuditLog

        return AuditLog(self.engine)

    @cached_property
    def services(self) -> RfBackend:
        """The RF flows' services, built on first use: they import every flow and service
        package, which a command that only lists or changes one thing never needs."""
        from wms_tui.domain.rf_services import RfBackend

        state_engine = self.state_engine

        def state_writer() -> SqlUnitOfWork:
            # Inside a step that posted, the resume point rides in the posting's transaction.
            return SqlUnitOfWork(state_engine or self.engine, carries=False)

        services = RfBackend(self.uow_factory, self.read_factory, state_factory=state_writer)
        services.step_transaction = one_transaction
        services.zone = self.zone
        return services

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        """The site's date now, in its own time zone."""
        return site_day(self.now(), self.zone)

    def auth(self, login: str, pin: str, terminal: str) -> Actor:
        """Check a user ID and PIN at a terminal (counting failures and locking), or refuse."""
        return authenticate(self.uow_factory(), login, pin, terminal, lockout=self.lockout)

    def schema(self) -> tuple[str | None, str | None]:
        """The database's migration revision (None: no schema yet) and the one this code needs."""
        return migrate.current_revision(self.engine), migrate.head_revision()

    def upgrade(self) -> tuple[str | None, str | None]:
        """Apply the shipped migrations; the revisions before and after."""
        before = migrate.current_revision(self.engine)
        migrate.upgrade(self.engine)
        return before, migrate.current_revision(self.engine)

    def close(self) -> None:
        """Close the engine's pooled connections, an engine handed to `wire` included."""
        self.engine.dispose()
        if self.state_engine is not None:
            self.state_engine.dispose()


def lockout_time() -> timedelta | None:
    """How long wrong PINs lock an account: $WMS_LOCKOUT_MINUTES (default 15; 0 locks until
    a supervisor unlocks with `wms user unlock`)."""
    text = os.environ.get("WMS_LOCKOUT_MINUTES", "").strip()
    if not text:
        return LOCKOUT
    if not text.isascii() or not text.isdigit() or int(text) > 7 * 24 * 60:
        raise BadInput(f"WMS_LOCKOUT_MINUTES must be 0 to 10080 minutes, not {text[:20]!r}")
    return timedelta(minutes=int(text)) if int(text) else None


def local_zone() -> tzinfo:
    """The machine's time zone: by IANA name from $TZ or /etc/localtime where it names one,
    else the machine's offset now."""
    tz = os.environ.get("TZ", "").strip().removeprefix(":")
    if tz:
        names = [tz]
    else:
        target = os.path.realpath("/etc/localtime")
        names = [target.split("zoneinfo/", 1)[1]] if "zoneinfo/" in target else []
    for name in names:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return datetime.now().astimezone().tzinfo or UTC


def site_zone() -> tzinfo:
    """The site's time zone: $WMS_TIMEZONE, an IANA name such as Asia/Shanghai (default the
    machine's own zone)."""
    name = os.environ.get("WMS_TIMEZONE", "").strip()
    if not name:
        return local_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadInput(f"WMS_TIMEZONE {name[:40]!r} is not an IANA time zone name such as "
                       "Asia/Shanghai or Europe/Berlin") from None


def wire(database: str | Engine | None = None, *, pooled: bool = True,
         slots: ConnectionSlots | None = None) -> Site:
    """Everything a front door needs on one database: a URL (None: the configured one) or an
    engine the caller made (tests, benchmarks)."""
    # Read first, so a misspelt zone is refused before any connection is made.
    zone = site_zone()
    engine = (database if isinstance(database, Engine)
              else open_engine(database, pooled=pooled, slots=slots))

    def writer() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    def reader() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, readonly=True)

    return Site(engine=engine, uow_factory=writer, read_factory=reader,
                lockout=lockout_time(), zone=zone, state_engine=relaxed_engine(engine))
