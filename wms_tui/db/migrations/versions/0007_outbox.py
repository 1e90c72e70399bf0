"""The export outbox: every ledger row gets an event, in the same transaction, by trigger.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("movement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("movement_id"),
    )
    op.create_index("ix_outbox_event_order", "outbox_event", ["txid", "id"], unique=False)
    # Movements posted before the outbox existed are exported too, first.
    op.execute("INSERT INTO outbox_event (movement_id, kind, txid, created_at) "
               "SELECT id, kind, 0, created_at FROM movement ORDER BY id")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite writers are serialised (BEGIN IMMEDIATE), so ids commit in order: txid stays 0.
        op.execute(
            "CREATE TRIGGER movement_outbox AFTER INSERT ON movement BEGIN "
            "INSERT INTO outbox_event (movement_id, kind, txid, created_at) "
            "VALUES (NEW.id, NEW.kind, 0, NEW.created_at); END"
        )
    else:
        op.execute(
            "CREATE FUNCTION movement_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO outbox_event (movement_id, kind, txid, created_at) VALUES "
            "(NEW.id, NEW.kind, pg_current_xact_id()::text::bigint, NEW.created_at); "
            "RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER movement_outbox AFTER INSERT ON movement "
            "FOR EACH ROW EXECUTE FUNCTION movement_outbox()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS movement_outbox")
    else:
        op.execute("DROP TRIGGER IF EXISTS movement_outbox ON movement")
        op.execute("DROP FUNCTION IF EXISTS movement_outbox()")
    op.drop_index("ix_outbox_event_order", table_name="outbox_event")
    op.drop_table("outbox_event")
