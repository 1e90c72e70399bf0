"""Webhook subscriptions: add (the secret is shown once), list, remove; dead letters and replay.

The `wms api webhook` commands and the /v1/webhooks endpoints both call these; no web framework.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from wms_tui.domain import exports, webhooks
from wms_tui.domain.errors import BadInput, NotFound
from wms_tui.domain.exports import Cursor
from wms_tui.domain.stock import with_retry
from wms_tui.domain.webhooks import Delivery, DeliveryState, Subscription

if TYPE_CHECKING:
    from wms_tui.bootstrap import UnitOfWorkFactory

# A subscription starts after the outbox's last event unless told where.
SINCE_NOW = "now"
# The largest outbox position a database column holds.
MAX_POSITION = 2**63 - 1


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription as listed: no secret, with its deliveries by state."""

    id: int
    client: str
    url: str
    kinds: tuple[str, ...]
    active: bool
    cursor: str
    created_at: datetime
    pending: int
    delivered: int
    dead: int


def _end_of_outbox(uow_factory: UnitOfWorkFactory) -> str:
    """The cursor past every committed event, read in pages as `wms export` reads them."""
    cursor = Cursor()
    with uow_factory() as uow:
        while True:
            batch = exports.next_batch(uow.reports, cursor, exports.DEFAULT_BATCH)
            if batch.cursor == cursor:
                return cursor.text()
            cursor = batch.cursor


def subscribe(uow_factory: UnitOfWorkFactory, client: str, url: str, kinds: Iterable[str],
              since: str = SINCE_NOW) -> tuple[Subscription, str]:
    """A new subscription and its secret, which is shown only now."""
    url = webhooks.check_url(url)
    wanted = webhooks.parse_kinds(kinds)
    if since.strip().lower() == SINCE_NOW:
        start = _end_of_outbox(uow_factory)
    else:
        start_at = Cursor.parse(since)
        if max(start_at.txid, start_at.id) > MAX_POSITION:
            raise BadInput(f"cursor {since[:40]!r} is past the end of any database's events")
        with uow_factory() as uow:
            epoch, _ = exports.check_cursor(uow.reports, start_at)
        start = (start_at if start_at.epoch else Cursor(start_at.txid, start_at.id, epoch)).text()
    secret = webhooks.new_secret()

    def add() -> Subscription:
        with uow_factory() as uow:
            new_id = uow.webhooks.add_subscription(client, url, wanted, secret, start,
                                                   datetime.now(UTC))
            uow.commit()
        with uow_factory() as uow:
            found = uow.webhooks.subscription(new_id)
        assert found is not None
        return found

    return with_retry(add), secret


def _owned(uow_factory: UnitOfWorkFactory, subscription_id: int,
           client: str | None) -> Subscription:
    with uow_factory() as uow:
        found = uow.webhooks.subscription(subscription_id)
    if found is None or (client is not None and found.client != client):
        raise NotFound(f"no webhook {subscription_id}")
    return found


def unsubscribe(uow_factory: UnitOfWorkFactory, subscription_id: int,
                client: str | None = None) -> Subscription:
    """Stop a subscription (its deliveries are kept, and no longer sent)."""
    found = _owned(uow_factory, subscription_id, client)
    if not found.active:
        raise BadInput(f"webhook {subscription_id} is removed already")

    def stop() -> None:
        with uow_factory() as uow:
            uow.webhooks.deactivate(subscription_id, datetime.now(UTC))
            uow.commit()

    with_retry(stop)
    return found


def listing(uow_factory: UnitOfWorkFactory, client: str | None = None) -> list[SubscriptionView]:
    with uow_factory() as uow:
        subs = uow.webhooks.subscriptions(client=client)
        counts = uow.webhooks.counts()
    return [SubscriptionView(
        id=s.id, client=s.client, url=s.url, kinds=tuple(k.value for k in s.kinds),
        active=s.active, cursor=s.cursor, created_at=s.created_at,
        pending=counts.get(s.id, {}).get(DeliveryState.PENDING, 0),
        delivered=counts.get(s.id, {}).get(DeliveryState.DELIVERED, 0),
        dead=counts.get(s.id, {}).get(DeliveryState.DEAD, 0)) for s in subs]


def dead_letters(uow_factory: UnitOfWorkFactory, client: str | None = None,
                 limit: int = 1000) -> list[Delivery]:
    with uow_factory() as uow:
        return uow.webhooks.deliveries(states=[DeliveryState.DEAD], client=client, limit=limit)


def replay(uow_factory: UnitOfWorkFactory, ids: Collection[int] | None,
           client: str | None = None, now: datetime | None = None) -> int:
    """Put dead deliveries (these, or all of them) back in the queue, due at now; how many."""
    if ids is not None and not ids:
        raise BadInput("name the dead deliveries to replay, or all of them")
    if client is not None:
        mine = {d.id for d in dead_letters(uow_factory, client, limit=100_000)}
        ids = mine if ids is None else [i for i in ids if i in mine]
        if not ids:
            return 0

    def put_back() -> int:
        with uow_factory() as uow:
            count = uow.webhooks.replay(ids, now or datetime.now(UTC))
            uow.commit()
        return count

    return with_retry(put_back)
