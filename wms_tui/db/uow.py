"""The unit of work: the only place a transaction begins and commits."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import Token
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from wms_tui.db.counting import SqlCounting
from wms_tui.db.engine import READONLY
from wms_tui.db.flow_state import SqlFlowState
from wms_tui.db.inbound import SqlInbound
from wms_tui.db.inquiry import SqlInquiry
from wms_tui.db.masterdata import SqlMasterData
from wms_tui.db.outbound import SqlOutbound
from wms_tui.db.putaway import SqlPutaway
from wms_tui.db.reports import SqlReports
from wms_tui.db.repositories import SqlCatalog, SqlIdempotency, SqlStock, SqlUsers
from wms_tui.db.tables import CLOCK
from wms_tui.domain.errors import TransientConflict

# PostgreSQL SQLSTATEs that mean "try the whole transaction again".
_RETRYABLE_SQLSTATES = {"40001", "40P01", "23505", "55P03"}


def is_transient(exc: BaseException) -> bool:
    """Lock timeouts and serialization conflicts, which a retry of the transaction resolves."""
    if isinstance(exc, OperationalError) and exc.orig is not None:
        text = str(exc.orig).lower()
        if "database is locked" in text or "database is busy" in text:
            return True
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
    return False


Clock = Callable[[], datetime]


class SqlUnitOfWork:
    """clock, when given, is the time every row written in this transaction is stamped with."""

    def __init__(self, engine: Engine, *, readonly: bool = False,
                 clock: Clock | None = None) -> None:
        self.engine = engine
        self.readonly = readonly
        self.clock = clock
        self._clock_token: Token[Clock | None] | None = None

    def __enter__(self) -> Self:
        if self.clock is not None:
            self._clock_token = CLOCK.set(self.clock)
        bind = self.engine.execution_options(**READONLY) if self.readonly else self.engine
        self.session = Session(bind=bind, expire_on_commit=False, autoflush=True)
        self.catalog = SqlCatalog(self.session)
        self.stock = SqlStock(self.session)
        self.idempotency = SqlIdempotency(self.session)
        self.users = SqlUsers(self.session)
        self.masterdata = SqlMasterData(self.session)
        self.flow_state = SqlFlowState(self.session)
        self.inquiry = SqlInquiry(self.session)
        self.inbound = SqlInbound(self.session)
        self.putaway = SqlPutaway(self.session)
        self.outbound = SqlOutbound(self.session)
        self.counting = SqlCounting(self.session)
        self.reports = SqlReports(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            if self._clock_token is not None:
                CLOCK.reset(self._clock_token)
                self._clock_token = None
        if exc is not None and is_transient(exc):
            raise TransientConflict(str(exc).splitlines()[0]) from exc

    def commit(self) -> None:
        self.session.commit()


def uow_factory(
    engine: Engine, *, readonly: bool = False, clock: Clock | None = None
) -> Callable[[], SqlUnitOfWork]:
    """A zero-argument factory the domain services call once per transaction attempt."""
    return lambda: SqlUnitOfWork(engine, readonly=readonly, clock=clock)
