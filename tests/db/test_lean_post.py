"""The lean post (issue 19): the posting statements, compiled once per dialect and run on the
transaction's own DBAPI cursor (wms_tui/db/driver_sql.py), write and read exactly what
SQLAlchemy's own execution would; the unit of work's connection and its ORM session, made only
when needed, share one transaction; a driver error arrives as SQLAlchemy's, so faults keep
their names; PostgreSQL pings a pooled connection only when it sat idle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError

from tests.factories import Warehouse
from wms_tui.db import engine as engine_module
from wms_tui.db.engine import make_engine
from wms_tui.db.tables import Balance, IdempotencyRecord, Movement, ReasonCode, table_of
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.errors import DatabaseUnreachable, NotFound
from wms_tui.domain.model import BalanceKey, MovementKind, MovementRecord, StockStatus
from wms_tui.domain.stock import Pick, Receive, post

AT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
M, K, B = table_of(Movement), table_of(IdempotencyRecord), table_of(Balance)


def _at(_: Any = None) -> datetime:
    return AT


def _row(engine: Engine, table: Any, *where: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(select(table).where(*where)).one()._mapping)


def _same_instant(stored: datetime, expected: datetime) -> bool:
    """SQLite keeps naive UTC text, PostgreSQL an instant."""
    return (stored if stored.tzinfo else stored.replace(tzinfo=UTC)) == expected


def test_a_ledger_row_written_on_the_driver_equals_the_one_core_writes(
    engine: Engine, wh: Warehouse
) -> None:
    values = dict(
        kind="pick", item_id=wh.widget, lot_id=None, quantity=3, from_location_id=wh.a1,
        to_location_id=wh.pick, from_lpn_id=None, to_lpn_id=None, from_status="available",
        to_status="available", user_id=wh.operator.user_id, terminal="T-1", reference="SO-1",
        reason_code=None, approved_by=wh.supervisor.user_id, created_at=AT,
    )
    record = MovementRecord(
        kind=MovementKind.PICK, item_id=wh.widget, quantity=3, user_id=wh.operator.user_id,
        terminal="T-1", reference="SO-1", from_location_id=wh.a1, to_location_id=wh.pick,
        from_status=StockStatus.AVAILABLE, to_status=StockStatus.AVAILABLE,
        approved_by=wh.supervisor.user_id, confirmation="K-DRIVER", created_at=AT,
    )
    with SqlUnitOfWork(engine) as uow:
        driver_id = uow.stock.append(record)
        uow.commit()
    with engine.begin() as conn:
        core_id = conn.execute(insert(M).values(**values, confirmation="K-CORE")
                               .returning(M.c.id)).scalar_one()
    driver, core = _row(engine, M, M.c.id == driver_id), _row(engine, M, M.c.id == core_id)
    assert core_id == driver_id + 1
    assert {**driver, "id": None, "confirmation": None} == \
        {**core, "id": None, "confirmation": None}
    assert _same_instant(driver["created_at"], AT)


def test_a_confirmation_stored_on_the_driver_equals_the_one_core_stores(
    engine: Engine, wh: Warehouse
) -> None:
    user = wh.operator.user_id
    with SqlUnitOfWork(engine, clock=_at) as uow:
        assert uow.idempotency.get("K-1") is None
        uow.idempotency.put("K-1", user, "pick", '{"message": "pick SO-1"}')
        assert uow.idempotency.get("K-1") == '{"message": "pick SO-1"}'
        uow.commit()
    with engine.begin() as conn:
        conn.execute(insert(K).values(key="K-2", user_id=user, operation="pick",
                                      result='{"message": "pick SO-1"}', created_at=AT))
    assert {**_row(engine, K, K.c.key == "K-1"), "key": None} == \
        {**_row(engine, K, K.c.key == "K-2"), "key": None}


def test_the_conditional_take_stamps_and_refuses_as_before(engine: Engine, wh: Warehouse) -> None:
    post(uow_factory(engine), wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
    key = BalanceKey(wh.widget, wh.a1)
    with SqlUnitOfWork(engine, clock=_at) as uow:
        assert uow.stock.take(key, 2)
        assert not uow.stock.take(key, 4)
        uow.commit()
    row = _row(engine, B, B.c.key == key.text())
    assert row["quantity"] == 3
    assert _same_instant(row["updated_at"], AT)


def test_an_item_read_on_the_driver_has_true_booleans_and_its_units(
    engine: Engine, wh: Warehouse
) -> None:
    with SqlUnitOfWork(engine, readonly=True) as uow:
        widget, milk = uow.catalog.item(wh.widget), uow.catalog.item(wh.lotted)
        assert uow.catalog.units(wh.widget) == {"EA": 1, "CS": 12}
        with pytest.raises(NotFound):
            uow.catalog.item(999_999)
    assert (widget.sku, widget.base_uom, widget.lot_tracked) == ("WIDGET", "EA", False)
    assert milk.lot_tracked is True and milk.expiry_tracked is True
    assert widget.serial_tracked is False and widget.requires_qc is False


# --- one transaction, whoever begins it -----------------------------------------------------


def _reason(code: str) -> ReasonCode:
    return ReasonCode(code=code, description=code, kind="adjust")


def _kept(engine: Engine) -> tuple[set[str], set[str]]:
    with engine.connect() as conn:
        keys = set(conn.execute(select(K.c.key)).scalars())
        reasons = set(conn.execute(
            text("SELECT code FROM reason_code WHERE code LIKE 'LP-%'")).scalars())
    return keys, reasons


def test_driver_statements_then_the_session_commit_as_one(engine: Engine, wh: Warehouse) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.idempotency.put("K-1", wh.operator.user_id, "pick", "{}")
        uow.session.add(_reason("LP-1"))
        uow.commit()
    assert _kept(engine) == ({"K-1"}, {"LP-1"})


def test_the_session_then_driver_statements_commit_as_one(engine: Engine, wh: Warehouse) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.session.add(_reason("LP-1"))
        # The pending row is flushed first, so the driver statement's transaction holds it.
        uow.idempotency.put("K-1", wh.operator.user_id, "pick", "{}")
        uow.commit()
    assert _kept(engine) == ({"K-1"}, {"LP-1"})


def test_nothing_is_kept_without_a_commit(engine: Engine, wh: Warehouse) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.idempotency.put("K-1", wh.operator.user_id, "pick", "{}")
        uow.session.add(_reason("LP-1"))
    assert _kept(engine) == (set(), set())


def test_work_after_a_commit_is_a_transaction_of_its_own(engine: Engine, wh: Warehouse) -> None:
    user = wh.operator.user_id
    with SqlUnitOfWork(engine) as uow:
        uow.session.add(_reason("LP-1"))
        uow.commit()
        uow.idempotency.put("K-1", user, "pick", "{}")
        uow.commit()
        uow.idempotency.put("K-2", user, "pick", "{}")
        uow.session.add(_reason("LP-2"))
        uow.commit()
        uow.idempotency.put("K-3", user, "pick", "{}")
        uow.session.add(_reason("LP-3"))
    assert _kept(engine) == ({"K-1", "K-2"}, {"LP-1", "LP-2"})


def test_a_post_makes_no_orm_session(engine: Engine, wh: Warehouse) -> None:
    made: list[SqlUnitOfWork] = []

    def factory() -> SqlUnitOfWork:
        made.append(SqlUnitOfWork(engine))
        return made[-1]

    post(factory, wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
    post(factory, wh.operator, Pick(wh.widget, 2, wh.a1, "SO-1"))
    assert "session" not in made[-1].__dict__


# --- faults on the driver path ----------------------------------------------------------------


def test_a_driver_error_arrives_as_sqlalchemys(engine: Engine, wh: Warehouse) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.idempotency.put("K-1", wh.operator.user_id, "pick", "{}")
        with pytest.raises(IntegrityError):
            uow.idempotency.put("K-1", wh.operator.user_id, "pick", "{}")
    assert _kept(engine) == (set(), set())


@pytest.fixture
def pg_admin(engine: Engine) -> Iterator[Engine]:
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


def _terminate(admin: Engine, pid: int) -> None:
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_connection_dropped_under_a_driver_statement_is_unreachable_then_replaced(
    engine: Engine, wh: Warehouse, pg_admin: Engine,
) -> None:
    with pytest.raises(DatabaseUnreachable), SqlUnitOfWork(engine) as uow:
        uow.idempotency.get("K-0")
        pid = uow.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(pg_admin, pid)
        uow.idempotency.get("K-1")
    # SQLAlchemy dropped the pool on the disconnect, so the next post connects afresh.
    assert post(uow_factory(engine), wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_connection_idle_past_the_limit_is_pinged_and_replaced_unseen(
    engine: Engine, wh: Warehouse, pg_admin: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        _terminate(pg_admin, _backend_pid(own))
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert post(uow_factory(own), wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
    finally:
        own.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_connection_used_just_now_is_lent_unpinged(
    engine: Engine, wh: Warehouse, pg_admin: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The price of no ping per transaction: a connection that died moments after its last
    use fails its next transaction by name, once; the one after reconnects."""
    own = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        _terminate(pg_admin, _backend_pid(own))
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
        with pytest.raises(DatabaseUnreachable):
            post(uow_factory(own), wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
        assert post(uow_factory(own), wh.operator, Receive(wh.widget, 5, wh.a1, "ASN-1"))
    finally:
        own.dispose()

