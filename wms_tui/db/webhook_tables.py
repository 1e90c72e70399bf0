"""The tables of webhooks (migration 0021): subscriptions and one delivery row per event each.

tables.py imports this module at its end, so these register on the metadata with the rest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from wms_tui.db.tables import utcnow


class WebhookSubscription(SQLModel, table=True):
    """An API client's webhook; cursor is how far the outbox has been queued for it."""

    __tablename__ = "webhook_subscription"
    id: int | None = Field(default=None, primary_key=True)
    client: str = Field(max_length=16, index=True)
    url: str = Field(max_length=2000)
    # Event kinds separated by commas; empty: every kind.
    kinds: str = Field(max_length=200, default="")
    # Kept as given: the worker signs with it (shown to the admin once, at `webhook add`).
    secret: str = Field(max_length=80)
    active: bool = True
    cursor: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription: sent in id order, claimed by one worker at a time."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="ux_webhook_delivery_event"),
        CheckConstraint("state IN ('pending', 'delivered', 'dead')",
                        name="ck_webhook_delivery_state"),
        Index("ix_webhook_delivery_head", "subscription_id", "state", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscription.id")
    event_id: str = Field(max_length=80)
    event: str = Field(max_length=12)
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(max_length=12, default="pending")
    tries: int = 0
    next_at: datetime
    # The worker sending it now, until claimed_until (a crashed worker's claim runs out).
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
