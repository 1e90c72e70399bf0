"""The shipped migrations build exactly the schema the tables describe, ledger guards included."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

import wms_tui.db.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from tests.conftest import fresh_pg_engine
from tests.factories import build_warehouse
from wms_tui.db.migrate import current_revision, downgrade, head_revision, upgrade
from wms_tui.db.uow import uow_factory
from wms_tui.domain.model import Actor
from wms_tui.domain.stock import Receive, post

SEEDED_REASONS = {
    "DAMAGED", "FOUND", "LOST", "COUNT", "EXPIRED", "QC-PASS", "QC-FAIL", "FULL", "BLOCKED",
    "SHORT",
    # 0013: opening stock.
    "OPENING",
    # 0014: status reasons for QC decisions, damage and blocking.
    "QC-REJ", "QC-DMG", "QC-LABEL", "DMG-STORE", "REPAIRED", "BLOCK", "UNBLOCK",
    # 0020: customer returns and what they scrap.
    "RETURN", "SCRAP",
}


def schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_upgrade_leaves_nothing_for_autogenerate(engine: Engine) -> None:
    assert schema_diff(engine) == []


def test_upgrade_reaches_head_and_a_second_upgrade_changes_nothing(engine: Engine) -> None:
    assert head_revision() is not None
    assert current_revision(engine) == head_revision()
    tables = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert sorted(inspect(engine).get_table_names()) == tables
    with engine.connect() as conn:
        reasons = conn.execute(text("SELECT count(*) FROM reason_code")).scalar()
    assert reasons == len(SEEDED_REASONS)
    assert schema_diff(engine) == []


def test_every_sqlmodel_table_is_created(engine: Engine) -> None:
    created = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert created == set(SQLModel.metadata.tables)


def test_reason_codes_are_seeded_active(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, active FROM reason_code")).all()
    assert {code for code, _ in rows} == SEEDED_REASONS
    assert all(active for _, active in rows)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE movement SET quantity = quantity + 1", "UPDATE movement SET reference = 'X'",
     "DELETE FROM movement"],
)
def test_ledger_triggers_refuse_changes_to_posted_rows(engine: Engine, statement: str) -> None:
    wh = build_warehouse(engine)
    operator: Actor = wh.operator
    post(uow_factory(engine), operator, Receive(wh.widget, 3, wh.dock, "ASN-1"))
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text(statement))
    with Session(engine) as session:
        rows = session.execute(text("SELECT quantity, reference FROM movement")).all()
    assert [tuple(r) for r in rows] == [(3, "ASN-1")]


@pytest.mark.postgres
def test_postgres_also_refuses_truncating_the_ledger() -> None:
    engine = fresh_pg_engine()
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("TRUNCATE movement"))
    finally:
        engine.dispose()


def test_a_stocked_site_migrates_down_and_up_again_keeping_its_stock(engine: Engine) -> None:
    """Column changes on tables other rows point at must work on a live site's data."""
    wh = build_warehouse(engine)
    post(uow_factory(engine), wh.operator, Receive(wh.widget, 7, wh.dock, "ASN-1"))
    downgrade(engine, "0007")
    upgrade(engine)
    assert schema_diff(engine) == []
    with engine.begin() as conn:
        assert conn.execute(text("SELECT sum(quantity) FROM balance")).scalar() == 7
        conn.execute(text("UPDATE item SET unit_cost = 1.25 WHERE sku = 'WIDGET'"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE item SET unit_cost = -1 WHERE sku = 'WIDGET'"))
