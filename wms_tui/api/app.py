"""The app: one FastAPI application on one wired site, its routers, limits and problems."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from wms_tui.api import feed, masterdata, orders, problems, reads, webhooks
from wms_tui.api.auth import Clock, RateLimiter
from wms_tui.api.clients import ClientBook
from wms_tui.api.models import MAX_ROWS
from wms_tui.api.webhook_worker import WebhookWorker, start_in_thread

if TYPE_CHECKING:
    from wms_tui.bootstrap import Site

# A full bulk upsert of MAX_ROWS rows fits; anything larger is refused before it is parsed.
MAX_BODY = 16 * 1024 * 1024
VERSION = "1"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    """A request body past the limit, found while it was read."""


class BodyLimit:
    """Refuse a body past max_bytes (413) by its Content-Length, or while it streams in."""

    def __init__(self, app: Asgi, max_bytes: int = MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problems.problem_response(_too_large(self.max_bytes))
        await response(scope, receive, send)


def _too_large(limit: int) -> problems.Problem:
    return problems.Problem(type=problems.TYPE_BASE + "too-large", title="The body is too large",
                            status=413, detail=f"send at most {limit // 2**20} MiB "
                                               f"(and {MAX_ROWS} rows) per request")


def _delivering(
        worker: WebhookWorker | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that runs the webhook worker in a thread while the app serves."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if worker is None:
            yield
            return
        thread, stop = start_in_thread(worker)
        try:
            yield
        finally:
            stop.set()
            # A try in flight ends within the worker's timeout; its claim is kept in any case.
            await run_in_threadpool(thread.join, worker.timeout + 5)

    return lifespan


def create_app(site: Site, clients: ClientBook, *, clock: Clock = time.monotonic,
               poll: float = 0.25, max_body: int = MAX_BODY,
               webhook_worker: WebhookWorker | None = None) -> FastAPI:
    """The HTTP API on site, for the clients in clients; clock drives the rate limits; the
    webhook worker, when given, delivers while the app runs."""
    app = FastAPI(
        lifespan=_delivering(webhook_worker),
        title="wms-tui API",
        version=VERSION,
        description=("Orders, master data, stock and the event feed for ERPs. Every request "
                     "needs `Authorization: Bearer <key>`; every write an `Idempotency-Key`. "
                     "Errors are application/problem+json (RFC 9457). See docs/api.md."),
        openapi_tags=[{"name": n} for n in ("orders", "master data", "stock", "events",
                                            "webhooks")],
    )
    app.state.site = site
    app.state.clients = clients
    app.state.limiter = RateLimiter(clock)
    app.state.feed = feed.FeedWatch(poll)
    problems.install(app)

    @app.exception_handler(BodyTooLarge)
    async def on_too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return problems.problem_response(_too_large(max_body))

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server's log; the client learns only that it failed.
        return problems.problem_response(problems.Problem(
            type=problems.TYPE_BASE + "internal", title="Internal error", status=500,
            detail="the server failed; nothing is known to have changed, so retry with the "
                   "same Idempotency-Key"))

    @app.get("/v1/health", tags=["events"], summary="Whether the API is up (no key needed)")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": VERSION}

    for module in (orders, masterdata, reads, feed, webhooks):
        app.include_router(module.router)
    app.include_router(__import__("wms_tui.api.edi", fromlist=["router"]).router)  # EDI
    app.add_middleware(BodyLimit, max_bytes=max_body)
    return app
