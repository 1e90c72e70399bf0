"""What the routers share: the site the app serves, answers of writes, documented problems."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import JSONResponse

from wms_tui.api.problems import MEDIA_TYPE, Problem
from wms_tui.api.writes import StoredAnswer

if TYPE_CHECKING:
    from wms_tui.bootstrap import Site


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: _problem("No key, or an unknown or revoked one"),
    403: _problem("The key lacks the scope"),
    404: _problem("Not found"),
    422: _problem("Invalid values, each named by row and field"),
    429: _problem("Over the client's rate; see Retry-After"),
}
WRITE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    400: _problem("No Idempotency-Key header"),
    409: _problem("The warehouse's state refuses the write"),
    413: _problem("The body is too large"),
}


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def answer(stored: StoredAnswer) -> JSONResponse:
    """A write's answer, first or replayed; a replay says so in a header."""
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else None
    return JSONResponse(json.loads(stored.body), status_code=stored.status, headers=headers)
