"""POST /v1/edi: an EANCOM interchange (DESADV as ASNs, ORDERS as customer orders) through the
same order imports as `wms edi import`, once per Idempotency-Key; refused whole with every
problem named by segment and element (docs/edi.md)."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from wms_tui.api.auth import scoped
from wms_tui.api.clients import ApiClient, Scope
from wms_tui.api.common import WRITE_PROBLEMS, answer, site_of
from wms_tui.api.problems import ApiProblem, FieldError, invalid
from wms_tui.api.writes import IdempotencyKey, JoinedUnitOfWork, run_write
from wms_tui.domain.model import Actor

router = APIRouter(prefix="/v1/edi", tags=["orders"])

MEDIA_TYPES = ("application/edifact", "text/plain")


def _refused(problems: tuple[str, ...] | list[str]) -> ApiProblem:
    return invalid([FieldError(row=None, field="interchange", message=p) for p in problems],
                   f"{len(problems)} problem(s) in the interchange; nothing was imported")


def _save(uow: JoinedUnitOfWork, text: str) -> tuple[int, dict[str, Any]]:
    from wms_tui.edi import EdiError, parse_interchange
    from wms_tui.edi.service import import_messages

    try:
        messages = parse_interchange(text)
        kind, report = import_messages(lambda: cast(Any, uow), messages)
    except EdiError as exc:
        raise _refused(exc.problems) from exc
    if report.errors:
        raise _refused(report.errors)
    return 200, {
        "kind": kind,
        "messages": [{"type": m.kind, "number": m.number, "lines": len(m.lines)}
                     for m in messages],
        "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "notes": report.notes,
    }


@router.post("", responses=WRITE_PROBLEMS, summary="Import an EANCOM DESADV or ORDERS",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/EDIFACT": {"schema": {"type": "string"}},
                 "text/plain": {"schema": {"type": "string"}}}}})
async def post_edi(request: Request, key: IdempotencyKey,
                   client: ApiClient = Depends(scoped(Scope.ORDERS))) -> JSONResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise ApiProblem(415, "media-type", "Unsupported media type",
                         "send the interchange as application/EDIFACT or text/plain")
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refused([f"the interchange is not UTF-8 (byte {exc.start})"]) from exc

    def work(uow: JoinedUnitOfWork, actor: Actor) -> tuple[int, dict[str, Any]]:
        return _save(uow, text)

    stored = await run_in_threadpool(
        run_write, site_of(request), request, client, key, "api-edi", {"edi": text}, work)
    return answer(stored)
