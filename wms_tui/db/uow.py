"""The unit of work: the only place a transaction begins and commits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, overload

from sqlalchemy import Connection, Engine, NestedTransaction
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


class StepTransaction:
    """One RF step's writes as one transaction. The first unit of work in the step that commits
    leaves its transaction open (it carries the step), every later one in the step works inside
    that transaction under a savepoint of its own, and the step's end commits it: a confirming
    scan and its resume point take one turn at the write lock and one sync."""

    def __init__(self) -> None:
        self.carrier: SqlUnitOfWork | None = None

    def finish(self) -> None:
        carrier, self.carrier = self.carrier, None
        if carrier is not None:
            carrier.finish_carrying()


# The step whose commits wait for its end; None outside one (the CLI, the API, tests).
_STEP: ContextVar[StepTransaction | None] = ContextVar("wms_step_transaction", default=None)


@contextmanager
def one_transaction() -> Iterator[None]:
    """Commit what one RF step's service calls commit once, at the step's end.

    What a call committed stays committed if the step fails after it, as it would without
    this; only the moment moves. A failure of that last commit raises here, so the step fails
    and nothing of it was posted."""
    if _STEP.get() is not None:
        # Already inside a step: its end commits.
        yield
        return
    step = StepTransaction()
    token = _STEP.set(step)
    try:
        yield
    finally:
        _STEP.reset(token)
        step.finish()


class SqlUnitOfWork:
    """clock, when given, is the time every row written in this transaction is stamped with.
    carries=False: inside an RF step this unit of work joins a posting's transaction but never
    holds one open itself (the resume point's relaxed commits must not carry a posting)."""

    def __init__(self, engine: Engine, *, readonly: bool = False,
                 clock: Clock | None = None, carries: bool = True) -> None:
        self.engine = engine
        self.readonly = readonly
        self.clock = clock
        self.carries = carries and not readonly
        self._clock_token: Token[Clock | None] | None = None
        self._connection: Connection | None = None
        self._step: StepTransaction | None = None
        # Set when this unit of work works inside the step's transaction, under this savepoint.
        self._joined = False
        self._savepoint: NestedTransaction | None = None

    def __enter__(self) -> Self:
        if self.clock is not None:
            from wms_tui.db.tables import CLOCK

            self._clock_token = CLOCK.set(self.clock)
        self._connection = None
        self._step = _STEP.get()
        self._joined, self._savepoint = False, None
        # The session and the repositories are made on first use, all on this connection.
        for name in _REPOSITORIES:
            self.__dict__.pop(name, None)
        return self

    @property
    def connection(self) -> Connection:
        """This unit of work's one connection, checked out on first use; inside an RF step
        that has committed already, the step's own connection, under a savepoint."""
        if self._connection is None:
            carrier = self._step.carrier if self._step is not None else None
            if carrier is not None and carrier is not self and carrier._connection is not None:
                self._connection = carrier._connection
                self._savepoint = self._connection.begin_nested()
                self._joined = True
                return self._connection
            bind = self.engine.execution_options(**READONLY) if self.readonly else self.engine
            self._connection = bind.connect()
        return self._connection

    @lazy
    def session(self) -> Session:
        """The ORM session, made only when something needs it (a post needs none), in the
        connection's transaction: it commits or rolls back that transaction, whoever began it."""
        from sqlmodel import Session

        connection = self.connection
        # Joined to a step's transaction: the session may undo its savepoint, never commit it.
        return Session(bind=connection, expire_on_commit=False, autoflush=True,
                       join_transaction_mode="rollback_only" if self._joined else "control_fully")

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

        return SqlFlowState(self)

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
        try:
            if self._joined:
                self._leave_step(exc)
            elif not self._carrying():
                self._close()
        finally:
            self._reset_clock()
        if exc is not None:
            _raise_fault(exc)

    def commit(self) -> None:
        session = self.__dict__.get("session")
        if self._joined or self._carrying() or self._may_carry():
            # Inside an RF step: the work is kept now and committed at the step's end.
            if session is not None:
                session.flush()
            if self._joined:
                if self._savepoint is not None and self._savepoint.is_active:
                    self._savepoint.commit()
                self._savepoint = None
            elif self._step is not None:
                self._step.carrier = self
            return
        if session is not None:
            session.flush()
            if session.in_transaction():
                session.commit()
        # Driver statements alone leave the transaction to the connection.
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()

    def finish_carrying(self) -> None:
        """The step is over: commit this transaction, with what joined it, and close it."""
        session, connection = self.__dict__.get("session"), self._connection
        self._step = None
        try:
            if session is not None and session.in_transaction():
                session.commit()
            if connection is not None and connection.in_transaction():
                connection.commit()
        except Exception as exc:
            _raise_fault(exc)
            raise
        finally:
            self._close()

    def _may_carry(self) -> bool:
        """Whether this commit is the step's first, to hold open until the step ends."""
        return (self.carries and self._step is not None and self._step.carrier is None
                and self._connection is not None and self._connection.in_transaction())

    def _carrying(self) -> bool:
        return self._step is not None and self._step.carrier is self

    def _leave_step(self, exc: BaseException | None) -> None:
        """Undo what this joined unit of work did not commit; the connection stays the step's."""
        session, savepoint = self.__dict__.get("session"), self._savepoint
        self._savepoint, self._joined = None, False
        try:
            if session is not None:
                session.close()
            if savepoint is not None and savepoint.is_active:
                savepoint.rollback()
        except Exception:
            if exc is None:
                raise
            # The step's own commit fails on a broken transaction: the first error says why.

    def _close(self) -> None:
        session, connection = self.__dict__.get("session"), self._connection
        try:
            if session is not None:
                session.close()
        finally:
            # Closing rolls back whatever was not committed and gives the connection back.
            if connection is not None:
                connection.close()

    def _reset_clock(self) -> None:
        if self._clock_token is not None:
            from wms_tui.db.tables import CLOCK

            CLOCK.reset(self._clock_token)
            self._clock_token = None


def _raise_fault(exc: BaseException) -> None:
    """A driver error as the domain names it: a transient conflict or a storage fault."""
    if is_transient(exc):
        raise TransientConflict(str(exc).splitlines()[0]) from exc
    if (fault := storage_fault(exc)) is not None:
        raise fault from exc


def uow_factory(
    engine: Engine, *, readonly: bool = False, clock: Clock | None = None
) -> Callable[[], SqlUnitOfWork]:
    """A zero-argument factory the domain services call once per transaction attempt."""
    return lambda: SqlUnitOfWork(engine, readonly=readonly, clock=clock)
