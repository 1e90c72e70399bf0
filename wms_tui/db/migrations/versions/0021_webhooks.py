"""Webhooks (issue 17): subscriptions per API client and their deliveries.

Revision ID: 0021
Revises: 0020
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", _text(16), nullable=False),
        sa.Column("url", _text(2000), nullable=False),
        sa.Column("kinds", _text(200), nullable=False),
        sa.Column("secret", _text(80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("cursor", _text(80), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("removed_at", _at(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_subscription_client", "webhook_subscription", ["client"],
                    unique=False)
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", _text(80), nullable=False),
        sa.Column("event", _text(12), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", _text(12), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_at", _at(), nullable=False),
        sa.Column("claimed_by", _text(64), nullable=True),
        sa.Column("claimed_until", _at(), nullable=True),
        sa.Column("last_error", _text(200), nullable=True),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("finished_at", _at(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'delivered', 'dead')",
                           name="ck_webhook_delivery_state"),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscription.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "event_id", name="ux_webhook_delivery_event"),
    )
    op.create_index("ix_webhook_delivery_head", "webhook_delivery",
                    ["subscription_id", "state", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_head", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_webhook_subscription_client", table_name="webhook_subscription")
    op.drop_table("webhook_subscription")
