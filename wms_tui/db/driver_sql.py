"""Hot statements compiled once per dialect and run on the transaction's own DBAPI cursor.

A post runs the same few statements thousands of times a minute; SQLAlchemy's per-call path
(compiled-cache look-up, execution context, result object) cost more client time than the
database spent running them. Here a Core statement is compiled once per dialect into the
driver's SQL and parameter order, then executed on the cursor of the very connection the unit
of work's transaction holds, so it commits or rolls back with everything else. A driver error
goes through SQLAlchemy's own handling, so it arrives wrapped as `DBAPIError` (the unit of
work names storage faults from that) and a lost connection is invalidated as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class CompiledSql:
    """One statement as one dialect's driver takes it."""

    sql: str
    # Parameter names in placeholder order (positional drivers) or as named (the rest).
    names: tuple[str, ...]
    positional: bool
    processors: tuple[Processor, ...]

    def parameters(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters, each through its type's bind processor (SQLite dates)."""
        bound = [values[name] if proc is None else proc(values[name])
                 for name, proc in zip(self.names, self.processors, strict=True)]
        return bound if self.positional else dict(zip(self.names, bound, strict=True))


class DriverStatement:
    """A Core statement compiled once per dialect; `keys` names an INSERT's columns."""

    def __init__(self, statement: ClauseElement, keys: Iterable[str] | None = None) -> None:
        self.statement = statement
        self.keys = None if keys is None else list(keys)
        self._by_dialect: dict[tuple[str, str], CompiledSql] = {}

    def compiled(self, dialect: Dialect) -> CompiledSql:
        found = self._by_dialect.get((dialect.name, dialect.paramstyle))
        if found is None:
            found = self._compile(dialect)
            self._by_dialect[dialect.name, dialect.paramstyle] = found
        return found

    def _compile(self, dialect: Dialect) -> CompiledSql:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.keys)
        assert isinstance(compiled, SQLCompiler)
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        return CompiledSql(compiled.string, names, compiled.positional, processors)


class DriverCursor:
    """Runs driver statements on one transaction's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        self._cursor = dbapi.cursor()

    def execute(self, statement: DriverStatement, values: dict[str, Any]) -> Any:
        """The DBAPI cursor after running the statement (fetch from it, read rowcount)."""
        compiled = statement.compiled(self.dialect)
        parameters = compiled.parameters(values)
        try:
            self._cursor.execute(compiled.sql, parameters)
        except Exception as exc:
            # The same path a Connection.execute error takes: wrapped, and a lost connection
            # invalidated (with the pool's older connections), so retries reconnect.
            self.connection._handle_dbapi_exception(
                exc, compiled.sql, parameters, self._cursor, None)
        return self._cursor


class Transaction(Protocol):
    """What driver statements need from a unit of work: its connection (whose transaction
    begins on first use) and a way to write its pending ORM changes first."""

    @property
    def connection(self) -> Connection: ...
    def flush(self) -> None: ...


class TransactionCursor:
    """A unit of work's driver statements, on the cursor of its connection: a statement
    outside a transaction begins one, so it ends with the unit of work's commit or rollback."""

    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction
        self._cursor: DriverCursor | None = None

    def execute(self, statement: DriverStatement, values: dict[str, Any]) -> Any:
        self.transaction.flush()
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = DriverCursor(self.transaction.connection)
        if not cursor.connection.in_transaction():
            # Begins as Connection.execute would (SQLite: the write lock, BEGIN IMMEDIATE).
            cursor.connection.begin()
        return cursor.execute(statement, values)


def run_driver_sql(connection: Connection, sql: str) -> None:
    """One parameterless statement (BEGIN, SET) straight on the driver, errors handled as
    SQLAlchemy handles them."""
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
    except Exception as exc:
        connection._handle_dbapi_exception(exc, sql, (), cursor, None)
    finally:
        cursor.close()
