"""The webhook store: subscriptions, their outbox cursors, and deliveries claimed atomically.

A worker claims only the oldest pending delivery of a subscription, with one
UPDATE ... WHERE state = 'pending' AND (unclaimed or its claim ran out) ... RETURNING, so two
workers never send the same delivery at once and one subscription's events go out in order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from wms_tui.db.repositories import _insert
from wms_tui.db.tables import table_of
from wms_tui.db.webhook_tables import WebhookDelivery, WebhookSubscription
from wms_tui.domain.exports import EventKind
from wms_tui.domain.webhooks import Delivery, DeliveryState, Subscription

SUB = table_of(WebhookSubscription)
DEL = table_of(WebhookDelivery)


def _subscription(row: Any) -> Subscription:
    kinds = tuple(EventKind(k) for k in row.kinds.split(",") if k)
    return Subscription(id=row.id, client=row.client, url=row.url, kinds=kinds,
                        secret=row.secret, active=row.active, cursor=row.cursor,
                        created_at=row.created_at)


def _delivery(row: Any) -> Delivery:
    return Delivery(id=row.id, subscription_id=row.subscription_id, event_id=row.event_id,
                    event=row.event, body=row.body, state=DeliveryState(row.state),
                    tries=row.tries, next_at=row.next_at, last_error=row.last_error,
                    finished_at=row.finished_at)


class SqlWebhooks:
    def __init__(self, session: Session) -> None:
        self.session = session

    # Subscriptions.

    def add_subscription(self, client: str, url: str, kinds: Sequence[EventKind], secret: str,
                         cursor: str, now: datetime) -> int:
        found = self.session.execute(
            SUB.insert().values(client=client, url=url, kinds=",".join(k.value for k in kinds),
                                secret=secret, active=True, cursor=cursor, created_at=now)
            .returning(SUB.c.id)).scalar_one()
        return int(found)

    def subscriptions(self, *, client: str | None = None,
                      active_only: bool = False) -> list[Subscription]:
        query = select(SUB)
        if client is not None:
            query = query.where(SUB.c.client == client)
        if active_only:
            query = query.where(SUB.c.active.is_(True))
        return [_subscription(r) for r in self.session.execute(query.order_by(SUB.c.id))]

    def subscription(self, subscription_id: int) -> Subscription | None:
        row = self.session.execute(select(SUB).where(SUB.c.id == subscription_id)).first()
        return None if row is None else _subscription(row)

    def deactivate(self, subscription_id: int, now: datetime) -> bool:
        done = self.session.execute(
            update(SUB).where(SUB.c.id == subscription_id, SUB.c.active.is_(True))
            .values(active=False, removed_at=now))
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def advance(self, subscription_id: int, seen: str, cursor: str) -> bool:
        """Move the cursor from seen to cursor; False when another worker moved it first."""
        done = self.session.execute(
            update(SUB).where(SUB.c.id == subscription_id, SUB.c.cursor == seen)
            .values(cursor=cursor))
        return bool(done.rowcount)  # type: ignore[attr-defined]

    # Deliveries.

    def enqueue(self, subscription_id: int, events: Sequence[tuple[str, str, str]],
                now: datetime) -> None:
        """Queue (event id, kind, body) rows; an event queued already is left as it is."""
        if not events:
            return
        rows = [{"subscription_id": subscription_id, "event_id": event_id, "event": kind,
                 "body": body, "state": DeliveryState.PENDING.value, "tries": 0,
                 "next_at": now, "created_at": now} for event_id, kind, body in events]
        self.session.execute(_insert(self.session, DEL).values(rows).on_conflict_do_nothing(
            index_elements=["subscription_id", "event_id"]))

    def claim_head(self, subscription_id: int, worker: str, now: datetime,
                   until: datetime) -> Delivery | None:
        """Claim the subscription's oldest pending delivery if it is due and nobody holds it."""
        head = (select(func.min(DEL.c.id))
                .where(DEL.c.subscription_id == subscription_id,
                       DEL.c.state == DeliveryState.PENDING.value)
                .scalar_subquery())
        claim = (update(DEL)
                 .where(DEL.c.id == head, DEL.c.state == DeliveryState.PENDING.value,
                        DEL.c.next_at <= now,
                        or_(DEL.c.claimed_by.is_(None), DEL.c.claimed_until < now))
                 .values(claimed_by=worker, claimed_until=until)
                 .returning(*DEL.c))
        row = self.session.execute(claim).first()
        return None if row is None else _delivery(row)

    def finish(self, delivery_id: int, worker: str, *, state: DeliveryState, tries: int,
               next_at: datetime, error: str | None, now: datetime) -> bool:
        """Record a try by the worker holding the claim; False if its claim was lost."""
        done = self.session.execute(
            update(DEL).where(DEL.c.id == delivery_id, DEL.c.claimed_by == worker)
            .values(state=state.value, tries=tries, next_at=next_at, last_error=error,
                    claimed_by=None, claimed_until=None,
                    finished_at=None if state == DeliveryState.PENDING else now))
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def deliveries(self, *, subscription_id: int | None = None,
                   states: Collection[DeliveryState] = (), client: str | None = None,
                   limit: int = 1000) -> list[Delivery]:
        query = select(DEL).join(SUB, SUB.c.id == DEL.c.subscription_id)
        if subscription_id is not None:
            query = query.where(DEL.c.subscription_id == subscription_id)
        if states:
            query = query.where(DEL.c.state.in_([s.value for s in states]))
        if client is not None:
            query = query.where(SUB.c.client == client)
        rows = self.session.execute(query.order_by(DEL.c.id).limit(limit))
        return [_delivery(r) for r in rows]

    def replay(self, ids: Collection[int] | None, now: datetime) -> int:
        """Put dead deliveries (these, or all when ids is None) back in the queue, tries reset."""
        query = update(DEL).where(DEL.c.state == DeliveryState.DEAD.value)
        if ids is not None:
            query = query.where(DEL.c.id.in_(list(ids)))
        done = self.session.execute(query.values(
            state=DeliveryState.PENDING.value, tries=0, next_at=now, finished_at=None,
            claimed_by=None, claimed_until=None))
        return int(done.rowcount)  # type: ignore[attr-defined]

    def counts(self) -> dict[int, dict[DeliveryState, int]]:
        """Deliveries per subscription and state."""
        query = (select(DEL.c.subscription_id, DEL.c.state, func.count())
                 .group_by(DEL.c.subscription_id, DEL.c.state))
        found: dict[int, dict[DeliveryState, int]] = {}
        for sub_id, state, n in self.session.execute(query):
            found.setdefault(sub_id, {})[DeliveryState(state)] = n
        return found
