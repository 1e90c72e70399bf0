"""The unit of work: the only place a transaction begins and commits."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import Token
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, overload

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from wms_tui.db.engine import READONLY
from wms_tui.domain.errors import (
    DatabaseReadOnly,
    DatabaseUnreachable,
    DiskFull,
    StorageFault,
    TransientConflict,
)

# Each repository module, and SQLModel with the tables, is imported on first use, so a command
# loads only what it touches (`wms stock` reads Core tables and loads neither).
if TYPE_CHECKING:
    from sqlmodel import Session

    from wms_tui.db.counting import SqlCounting
    from wms_tui.db.driver_sql import TransactionCursor
    from wms_tui.db.flow_state import SqlFlowState
    from wms_tui.db.inbound import SqlInbound
    from wms_tui.db.inquiry import SqlInquiry
    from wms_tui.db.masterdata import SqlMasterData
    from wms_tui.db.outbound import SqlOutbound
    from wms_tui.db.putaway import SqlPutaway
    from wms_tui.db.reports import SqlReports
    from wms_tui.db.repositories import SqlCatalog, SqlIdempotency, SqlStock, SqlUsers
    from wms_tui.db.serials import SqlSerials
    from wms_tui.db.shipping import SqlShipping
    from wms_tui.db.webhooks import SqlWebhooks

# PostgreSQL SQLSTATEs that mean "try the whole transaction again".
_RETRYABLE_SQLSTATES = {"40001", "40P01", "23505", "55P03"}

# How each storage fault shows itself: PostgreSQL SQLSTATEs, SQLite result codes (by name,
# extended codes included), and the drivers' words for when neither is set.
_DISK_FULL_SQLSTATES = {"53100"}
_DISK_FULL_WORDS = ("database or disk is full", "no space left on device")
_READ_ONLY_SQLSTATES = {"25006"}
_READ_ONLY_WORDS = ("readonly database", "read-only transaction")
# Class 08 is PostgreSQL's "connection exception"; 57P01-57P03 a server going down or not up yet.
_UNREACHABLE_SQLSTATES = {"57P01", "57P02", "57P03"}
_UNREACHABLE_WORDS = ("connection refused", "could not connect", "connection failed",
                      "server closed the connection", "connection is closed",
                      "unable to open database file")


def is_transient(exc: BaseException) -> bool:
    """Lock timeouts and serialization conflicts, which a retry of the transaction resolves."""
    if isinstance(exc, OperationalError) and exc.orig is not None:
        text = str(exc.orig).lower()
        if "database is locked" in text or "database is busy" in text:
            return True
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
    return False


def storage_fault(exc: BaseException) -> StorageFault | None:
    """The storage fault behind a database error (disk full, read-only, out of reach), if any."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return None
    return driver_fault(exc.orig, disconnected=exc.connection_invalidated)


def driver_fault(error: BaseException, *, disconnected: bool = False) -> StorageFault | None:
    """The same for an error straight from the driver (sqlite3 or psycopg)."""
    lines = str(error).strip().splitlines()
    detail = lines[0] if lines else type(error).__name__
    words = detail.lower()
    sqlstate = str(getattr(error, "sqlstate", None) or "")
    code = str(getattr(error, "sqlite_errorname", None) or "")
    if (sqlstate in _DISK_FULL_SQLSTATES or code.startswith("SQLITE_FULL")
            or any(w in words for w in _DISK_FULL_WORDS)):
        return DiskFull(detail)
    if (sqlstate in _READ_ONLY_SQLSTATES or code.startswith("SQLITE_READONLY")
            or any(w in words for w in _READ_ONLY_WORDS)):
        return DatabaseReadOnly(detail)
    if (disconnected or sqlstate.startswith("08") or sqlstate in _UNREACHABLE_SQLSTATES
            or code.startswith("SQLITE_CANTOPEN") or any(w in words for w in _UNREACHABLE_WORDS)):
        return DatabaseUnreachable(detail)
    return None


Clock = Callable[[], datetime]
_REPOSITORIES = ("catalog", "stock", "idempotency", "users", "masterdata", "flow_state", "inquiry",
                 "inbound", "putaway", "outbound", "counting", "reports", "serials", "shipping",
                 "webhooks", "session", "driver")


T = TypeVar("T")


class lazy(Generic[T]):
    """functools.cached_property without its lock: Python 3.11 holds one lock per property
    across every instance, so a thread making one unit of work's repository (which may wait
    for the writers' lock or a pooled connection) stalled every other thread's unit of work,
    and could hold up the very writer it waited for. A unit of work belongs to one thread."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | Self:
        if instance is None:
            return self
        # Stored in the instance: the next lookup finds it there, not here.
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class SqlUnitOfWork:
    """clock, when given, is the time every row written in this transaction is stamped with."""

    def __init__(self, engine: Engine, *, readonly: bool = False,
                 clock: Clock | None = None) -> None:
        self.engine = engine
        self.readonly = readonly
        self.clock = clock
        self._clock_token: Token[Clock | None] | None = None
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        if self.clock is not None:
            from wms_tui.db.tables import CLOCK

            self._clock_token = CLOCK.set(self.clock)
        self._connection = None
        # The session and the repositories are made on first use, all on this connection.
        for name in _REPOSITORIES:
            self.__dict__.pop(name, None)
        return self

    @property
    def connection(self) -> Connection:
        """This unit of work's one connection, checked out on first use."""
        if self._connection is None:
            bind = self.engine.execution_options(**READONLY) if self.readonly else self.engine
            self._connection = bind.connect()
        return self._connection

    @lazy
    def session(self) -> Session:
        """The ORM session, made only when something needs it (a post needs none), in the
        connection's transaction: it commits or rolls back that transaction, whoever began it."""
        from sqlmodel import Session

        return Session(bind=self.connection, expire_on_commit=False, autoflush=True,
                       join_transaction_mode="control_fully")

    def flush(self) -> None:
        """Pending ORM writes to the database, so a driver statement sees them."""
        session = self.__dict__.get("session")
        if session is not None:
            session.flush()

    @lazy
    def driver(self) -> TransactionCursor:
        """The hot statements' way to this transaction's cursor, shared by its repositories."""
        from wms_tui.db.driver_sql import TransactionCursor

        return TransactionCursor(self)

    @lazy
    def catalog(self) -> SqlCatalog:
        from wms_tui.db.repositories import SqlCatalog

        return SqlCatalog(self)

    @lazy
    def stock(self) -> SqlStock:
        from wms_tui.db.repositories import SqlStock

        return SqlStock(self)

    @lazy
    def idempotency(self) -> SqlIdempotency:
        from wms_tui.db.repositories import SqlIdempotency

        return SqlIdempotency(self)

    @lazy
    def users(self) -> SqlUsers:
        from wms_tui.db.repositories import SqlUsers

        return SqlUsers(self.session)

    @lazy
    def masterdata(self) -> SqlMasterData:
        from wms_tui.db.masterdata import SqlMasterData

        return SqlMasterData(self.session)

    @lazy
    def flow_state(self) -> SqlFlowState:
        from wms_tui.db.flow_state import SqlFlowState

        return SqlFlowState(self.session)

    @lazy
    def inquiry(self) -> SqlInquiry:
        from wms_tui.db.inquiry import SqlInquiry

        return SqlInquiry(self)

    @lazy
    def inbound(self) -> SqlInbound:
        from wms_tui.db.inbound import SqlInbound

        return SqlInbound(self.session)

    @lazy
    def putaway(self) -> SqlPutaway:
        from wms_tui.db.putaway import SqlPutaway

        return SqlPutaway(self.session)

    @lazy
    def outbound(self) -> SqlOutbound:
        from wms_tui.db.outbound import SqlOutbound

        return SqlOutbound(self.session)

    @lazy
    def counting(self) -> SqlCounting:
        from wms_tui.db.counting import SqlCounting

        return SqlCounting(self.session)

    @lazy
    def reports(self) -> SqlReports:
        from wms_tui.db.reports import SqlReports

        return SqlReports(self.session)

    @lazy
    def serials(self) -> SqlSerials:
        from wms_tui.db.serials import SqlSerials

        return SqlSerials(self.session)

    @lazy
    def shipping(self) -> SqlShipping:
        from wms_tui.db.shipping import SqlShipping

        return SqlShipping(self.session)

    @lazy
    def webhooks(self) -> SqlWebhooks:
        from wms_tui.db.webhooks import SqlWebhooks

        return SqlWebhooks(self.session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, connection = self.__dict__.get("session"), self._connection
        try:
            if session is not None:
                session.close()
        finally:
            # Closing rolls back whatever was not committed and gives the connection back.
            if connection is not None:
                connection.close()
            if self._clock_token is not None:
                from wms_tui.db.tables import CLOCK

                CLOCK.reset(self._clock_token)
                self._clock_token = None
        if exc is None:
            return
        if is_transient(exc):
            raise TransientConflict(str(exc).splitlines()[0]) from exc
        if (fault := storage_fault(exc)) is not None:
            raise fault from exc

    def commit(self) -> None:
        session = self.__dict__.get("session")
        if session is not None:
            session.flush()
            if session.in_transaction():
                session.commit()
        # Driver statements alone leave the transaction to the connection.
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()


def uow_factory(
    engine: Engine, *, readonly: bool = False, clock: Clock | None = None
) -> Callable[[], SqlUnitOfWork]:
    """A zero-argument factory the domain services call once per transaction attempt."""
    return lambda: SqlUnitOfWork(engine, readonly=readonly, clock=clock)
