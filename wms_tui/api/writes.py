"""Every write the API makes: exactly once per Idempotency-Key, in one transaction, audited.

The first answer to a key (status and body) and the write's audit row are stored in the same
transaction as the work, through `domain/once.exactly_once` and the idempotency table the RF
confirmations use, so a crash leaves all three or none. A repeat of the key gets that answer
again, marked with the `Idempotent-Replayed: true` header; the same key with another request
is refused (422). Refusals are not stored: nothing changed, so the request may be corrected
and sent again.

The services the API reuses (the imports, the cancels) open and commit their own units of
work; `JoinedUnitOfWork` lends them the write's open transaction instead, so their work and
the stored answer commit together. A service that keeps its own exactly-once (the cancels)
runs under a key made from the Idempotency-Key (`service_key`), not its own default, so a new
key is refused by what it finds (an order cancelled already: 409) instead of replaying.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Protocol, Self

from fastapi import Header, Request

from wms_tui.api.clients import ApiClient
from wms_tui.api.problems import ApiProblem
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.once import OnceUnitOfWork, exactly_once
from wms_tui.domain.ports import UserRepository
from wms_tui.domain.stock import with_retry
from wms_tui.domain.text import shown

if TYPE_CHECKING:
    from wms_tui.bootstrap import Site

KEY_PATTERN = r"[!-~]{1,60}"
# The idempotency table's result column holds 4000 characters; answers stay well inside it.
MAX_STORED = 3800
AUDIT_EVENT = "api_write"

IdempotencyKey = Annotated[str, Header(
    alias="Idempotency-Key", pattern=f"^{KEY_PATTERN}$",
    description="A key unique to this write (a UUID will do): a repeat gets the first answer.",
)]


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to a key, as the idempotency table keeps it."""

    status: int
    body: str
    fingerprint: str
    replayed: bool = False


class WriteUnitOfWork(OnceUnitOfWork, Protocol):
    """What a write needs of the site's unit of work itself; the services it lends the unit
    of work to reach the rest (orders, catalog, …) through JoinedUnitOfWork."""

    @property
    def users(self) -> UserRepository: ...


class JoinedUnitOfWork:
    """An open unit of work lent to a service that opens and commits its own: entering and
    committing do nothing, so the lender commits everything once, with the stored answer.

    Errors pass through untouched, so a database conflict reaches the lender, which retries
    the whole write from the start.
    """

    def __init__(self, uow: WriteUnitOfWork) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def commit(self) -> None:
        """The lender commits."""


# What a write does inside the transaction: (status, body); a refusal raises.
Work = Callable[[JoinedUnitOfWork, Actor], tuple[int, dict[str, Any]]]


def fingerprint(request: Request, body: object) -> str:
    """The request a key was first used for: method, path, query and the parsed body."""
    data = json.dumps([request.method, request.url.path, str(request.url.query), body],
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def _actor(uow: WriteUnitOfWork, client: ApiClient) -> Actor:
    user = uow.users.by_login(client.login)
    if user is None or user.id is None:
        raise ApiProblem(403, "client-user", "The client has no user",
                         f"client {client.name} acts as user {client.login}, which does not "
                         "exist in this database: add the client again")
    return Actor(user.id, user.login, Role(user.role), f"api:{client.name}")


def store_key(client: ApiClient, key: str) -> str:
    """The key as stored: per client, so two clients' keys never meet."""
    if not re.fullmatch(KEY_PATTERN, key):
        raise ApiProblem(400, "idempotency-key", "Bad Idempotency-Key",
                         "1-60 printable ASCII characters without spaces")
    return f"a:{client.name}:{key}"


def service_key(client: ApiClient, key: str) -> str:
    """The key a reused service's own exactly-once runs under: one per Idempotency-Key, so a
    new key is a new request, refused by the state it finds, never another key's replay."""
    return "api:" + hashlib.sha256(store_key(client, key).encode()).hexdigest()[:40]


def run_write(site: Site, request: Request, client: ApiClient, key: str, operation: str,
              body: object, work: Work) -> StoredAnswer:
    """Do work once for this client's key, or give the answer its first run gave."""
    stored_key = store_key(client, key)
    print_ = fingerprint(request, body)

    def attempt() -> StoredAnswer:
        uow = site.uow_factory()
        with uow:
            actor = _actor(uow, client)

            def first() -> StoredAnswer:
                status, answer = work(JoinedUnitOfWork(uow), actor)
                # In the write's own transaction: a crash keeps both the write and its row,
                # or neither; a replay or a refusal writes none.
                site.audit.stage(uow.session, AUDIT_EVENT, login=client.login,
                                 peer=request.client.host if request.client else None,
                                 terminal=f"api:{client.name}",
                                 detail=f"{operation} {request.method} {request.url.path} "
                                        f"{status} key {key}")
                return StoredAnswer(status, _bounded(answer), print_)

            found = exactly_once(uow, actor.user_id, stored_key, operation[:20], StoredAnswer,
                                 first, describe=lambda a: f"{operation} {a.status}")
            if found.replayed and found.fingerprint != print_:
                raise ApiProblem(422, "idempotency-key-reused",
                                 "Idempotency-Key already used for another request",
                                 f"key {shown(key)} was first used with another method, path "
                                 "or body; send a new key for a new request")
            return found

    return with_retry(attempt)


def _bounded(body: dict[str, Any]) -> str:
    """The body as stored, its notes cut until it fits the idempotency table."""
    text = json.dumps(body, separators=(",", ":"), default=str)
    notes = list(body.get("notes") or ())
    while len(text) > MAX_STORED and notes:
        notes.pop()
        text = json.dumps({**body, "notes": notes, "notes_cut": True},
                          separators=(",", ":"), default=str)
    return text
