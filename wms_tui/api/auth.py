"""Who is calling: `Authorization: Bearer <key>`, the scope an endpoint needs, and a token
bucket per client so one busy ERP cannot starve the warehouse's own terminals."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from wms_tui.api.clients import ApiClient, ClientBook, Scope
from wms_tui.api.problems import ApiProblem

Clock = Callable[[], float]

# auto_error off: a missing or malformed header is answered as our own 401 problem.
bearer = HTTPBearer(auto_error=False, description="An API key from `wms api client add`.")


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per client, in memory: `rate` tokens a second, at most `burst` saved."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: ApiClient) -> float:
        """Spend one token; 0 when there was one, else the seconds until there is."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.setdefault(client.name, _Bucket(float(client.burst), now))
            bucket.tokens = min(float(client.burst),
                                bucket.tokens + (now - bucket.at) * client.rate)
            bucket.at = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / client.rate


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, "unauthorized", "An API key is required", detail,
                      headers={"WWW-Authenticate": 'Bearer realm="wms"'})


def current_client(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> ApiClient:
    """The client whose key the request carries, within its rate; refuses anyone else."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("send `Authorization: Bearer <key>` with a key from "
                            "`wms api client add`")
    book: ClientBook = request.app.state.clients
    client = book.find(credentials.credentials)
    if client is None:
        raise _unauthorized("the key is unknown or revoked")
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.take(client)
    if wait > 0:
        raise ApiProblem(429, "rate-limited", "Too many requests",
                         f"client {client.name} may make {client.rate:g} requests a second "
                         f"({client.burst} at once); try again in {wait:.2f} s",
                         headers={"Retry-After": str(max(1, math.ceil(wait)))})
    request.state.client = client
    return client


def scoped(scope: Scope) -> Callable[..., ApiClient]:
    """A dependency: the calling client, which must hold scope (or admin)."""

    def check(client: ApiClient = Depends(current_client)) -> ApiClient:
        if not client.allows(scope):
            raise ApiProblem(403, "scope", "The key lacks a scope",
                             f"this needs the {scope.value} scope; client {client.name} has "
                             f"{', '.join(s.value for s in client.scopes)}")
        return client

    return check
