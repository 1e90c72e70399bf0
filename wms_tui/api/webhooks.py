"""/v1/webhooks: a client with the admin scope manages its own webhooks and their dead letters.

The same services as `wms api webhook` (subscriptions.py); writes go through run_write, so a
repeated Idempotency-Key gets the first answer (a new webhook's secret included).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from wms_tui.api import subscriptions
from wms_tui.api.auth import scoped
from wms_tui.api.clients import ApiClient, Scope
from wms_tui.api.common import PROBLEMS, WRITE_PROBLEMS, answer, site_of
from wms_tui.api.writes import IdempotencyKey, JoinedUnitOfWork, run_write
from wms_tui.domain.errors import BadInput
from wms_tui.domain.exports import EventKind
from wms_tui.domain.model import Actor
from wms_tui.domain.webhooks import MAX_URL, Delivery

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The webhook's id")]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=MAX_URL, description="http:// or https://")
    kinds: list[EventKind] = Field(default=[], max_length=len(EventKind),
                                   description="Only these events (empty: all)")
    since: str = Field(default=subscriptions.SINCE_NOW, min_length=1, max_length=80,
                       description="`now`, `0` (every event) or a cursor the feed gave")


class WebhookOut(BaseModel):
    id: int
    url: str
    kinds: list[EventKind]
    active: bool
    cursor: str
    created_at: datetime
    pending: int
    delivered: int
    dead: int


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The signing secret, shown only in this answer")


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class DeadDelivery(BaseModel):
    id: int
    webhook: int
    event_id: str
    event: str
    tries: int
    last_error: str | None
    dead_at: datetime | None


class DeadList(BaseModel):
    deliveries: list[DeadDelivery]


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[RowId] = Field(default=[], max_length=1000, description="Dead deliveries")
    all: bool = Field(default=False, description="Every dead delivery of this client")


class ReplayOut(BaseModel):
    replayed: int


Admin = Annotated[ApiClient, Depends(scoped(Scope.ADMIN))]


def _views(lend: Any, client: str) -> dict[int, WebhookOut]:
    return {v.id: WebhookOut(id=v.id, url=v.url, kinds=[EventKind(k) for k in v.kinds],
                             active=v.active, cursor=v.cursor, created_at=v.created_at,
                             pending=v.pending, delivered=v.delivered, dead=v.dead)
            for v in subscriptions.listing(lend, client)}


def _dead(d: Delivery) -> DeadDelivery:
    return DeadDelivery(id=d.id, webhook=d.subscription_id, event_id=d.event_id, event=d.event,
                        tries=d.tries, last_error=d.last_error, dead_at=d.finished_at)


@router.get("", response_model=WebhookList, responses=PROBLEMS,
            summary="This client's webhooks, removed ones too (no secrets)")
def list_webhooks(request: Request, client: Admin) -> WebhookList:
    views = _views(site_of(request).read_factory, client.name)
    return WebhookList(webhooks=list(views.values()))


@router.post("", status_code=201, response_model=WebhookCreated, responses=WRITE_PROBLEMS,
             summary="Add a webhook; its signing secret is in this answer only")
def add_webhook(body: WebhookIn, request: Request, key: IdempotencyKey,
                client: Admin) -> JSONResponse:
    def work(uow: JoinedUnitOfWork, actor: Actor) -> tuple[int, dict[str, Any]]:
        lend = cast(Any, lambda: uow)
        sub, secret = subscriptions.subscribe(lend, client.name, body.url,
                                              [k.value for k in body.kinds], body.since)
        view = _views(lend, client.name)[sub.id]
        return 201, WebhookCreated(**view.model_dump(), secret=secret).model_dump(mode="json")

    return answer(run_write(site_of(request), request, client, key, "api-webhook-add",
                            body.model_dump(mode="json"), work))


@router.delete("/{webhook}", response_model=WebhookOut, responses=WRITE_PROBLEMS,
               summary="Remove a webhook: nothing more is sent to it")
def remove_webhook(webhook: WebhookId, request: Request, key: IdempotencyKey,
                   client: Admin) -> JSONResponse:
    def work(uow: JoinedUnitOfWork, actor: Actor) -> tuple[int, dict[str, Any]]:
        lend = cast(Any, lambda: uow)
        subscriptions.unsubscribe(lend, webhook, client.name)
        return 200, _views(lend, client.name)[webhook].model_dump(mode="json")

    return answer(run_write(site_of(request), request, client, key, "api-webhook-del",
                            {"webhook": webhook}, work))


@router.get("/dead", response_model=DeadList, responses=PROBLEMS,
            summary="This client's deliveries that failed every try")
def dead_letters(request: Request, client: Admin) -> DeadList:
    found = subscriptions.dead_letters(site_of(request).read_factory, client.name)
    return DeadList(deliveries=[_dead(d) for d in found])


@router.post("/dead/replay", response_model=ReplayOut, responses=WRITE_PROBLEMS,
             summary="Queue dead deliveries again (these ids, or all)")
def replay(body: ReplayIn, request: Request, key: IdempotencyKey, client: Admin) -> JSONResponse:
    def work(uow: JoinedUnitOfWork, actor: Actor) -> tuple[int, dict[str, Any]]:
        lend = cast(Any, lambda: uow)
        if body.all == bool(body.ids):
            raise BadInput("send ids, or all=true, not both")
        count = subscriptions.replay(lend, None if body.all else body.ids, client.name)
        return 200, ReplayOut(replayed=count).model_dump()

    return answer(run_write(site_of(request), request, client, key, "api-webhook-replay",
                            body.model_dump(mode="json"), work))
