"""Errors as `application/problem+json` (RFC 9457): type, title, status, detail, and for bad
input the row and field of each problem.

Domain refusals carry English messages already; the API answers integrators, so it sends
them as they are (the RF terminals translate the same errors through gettext).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from wms_tui.domain.errors import (
    BadInput,
    InsufficientStock,
    InvalidQuantity,
    NotFound,
    PermissionDenied,
    ScanRejected,
    StorageFault,
    TransientConflict,
    UnknownUnit,
    WmsError,
    WrongState,
)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/problems/"
_ROW_ERROR = re.compile(r"row (\d+): ([a-z0-9_]+): (.*)", re.DOTALL)


class FieldError(BaseModel):
    """One problem with one value: the row (1-based, in the request's list) and its field."""

    row: int | None = Field(None, description="1-based position in the list sent; null for "
                                              "a value outside any list")
    field: str = Field(description="the field, as a path within the row (e.g. lines[0].sku)")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="a URI reference naming the kind of problem")
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] | None = None


class ApiProblem(Exception):
    """A refusal the API answers with a problem document; nothing was changed."""

    def __init__(self, status: int, kind: str, title: str, detail: str = "", *,
                 errors: Sequence[FieldError] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or title)
        self.problem = Problem(type=TYPE_BASE + kind, title=title, status=status,
                               detail=detail, errors=list(errors) if errors is not None else None)
        self.headers = headers or {}


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {k: v for k, v in problem.model_dump().items() if v is not None}
    return JSONResponse(body, status_code=problem.status,
                        media_type=MEDIA_TYPE, headers=headers)


def invalid(errors: Sequence[FieldError], detail: str = "") -> ApiProblem:
    count = len(errors)
    return ApiProblem(422, "validation", "The request has invalid values",
                      detail or f"{count} problem(s); nothing was changed", errors=errors)


# Which path a column of a row has in the request, and which row of the request a row is.
RowOrigin = tuple[int | None, str]


def import_errors(messages: Sequence[str], origins: Mapping[int, RowOrigin],
                  header: Mapping[str, str] | None = None,
                  prefixed: Collection[str] | None = None) -> list[FieldError]:
    """The domain's 'row N: column: reason' lines as field errors in the request's terms.

    origins maps a table row to (the request's row, the path prefix of its fields); header
    maps the columns of the document itself (an order's customer) to their field, which
    belongs to no row; prefixed names the columns the prefix applies to (default: all).
    """
    document = header or {}
    found: list[FieldError] = []
    for message in messages:
        match = _ROW_ERROR.fullmatch(message)
        if match is None:
            found.append(FieldError(row=None, field="", message=message))
            continue
        number, column, reason = int(match.group(1)), match.group(2), match.group(3)
        row, prefix = origins.get(number, (None, ""))
        if column in document:
            error = FieldError(row=None, field=document[column], message=reason)
        else:
            path = prefix + column if prefixed is None or column in prefixed else column
            error = FieldError(row=row, field=path, message=reason)
        if error not in found:
            found.append(error)
    return found


def _status_of(exc: WmsError) -> tuple[int, str, str]:
    # Before BadInput, its base: the request was sound, the order's state refuses it.
    if isinstance(exc, WrongState):
        return 409, "refused", "The warehouse refused the request"
    if isinstance(exc, BadInput | ScanRejected | InvalidQuantity | UnknownUnit):
        return 422, "invalid-input", "The request was refused"
    if isinstance(exc, NotFound):
        return 404, "not-found", "Not found"
    if isinstance(exc, PermissionDenied):
        return 403, "forbidden", "Not allowed"
    if isinstance(exc, InsufficientStock):
        return 409, "insufficient-stock", "Not enough stock"
    if isinstance(exc, TransientConflict):
        return 503, "busy", "The database was busy; try again"
    if isinstance(exc, StorageFault):
        return 503, "storage", "The database cannot save now"
    return 409, "refused", "The warehouse refused the request"


def _field_path(loc: Sequence[Any]) -> tuple[int | None, str]:
    """A pydantic location as (row, field): [body, 2, sku] is row 3, field sku."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    row = None
    if parts and isinstance(parts[0], int):
        row = parts.pop(0) + 1
    elif len(parts) >= 2 and parts[0] == "lines" and isinstance(parts[1], int):
        row = parts[1] + 1
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return row, path


def validation_problem(exc: RequestValidationError) -> ApiProblem:
    errors = []
    for error in exc.errors():
        loc = error.get("loc", ())
        if loc[:2] == ("header", "Idempotency-Key"):
            return ApiProblem(400, "idempotency-key", "Idempotency-Key header required",
                              "every POST, PUT and DELETE needs an Idempotency-Key header of "
                              "1-60 printable ASCII characters without spaces (a UUID will do)")
        row, path = _field_path(loc)
        errors.append(FieldError(row=row, field=path or "body", message=str(error.get("msg"))))
    return invalid(errors)


def install(app: FastAPI) -> None:
    """Every error the app can raise answered as a problem document."""

    @app.exception_handler(ApiProblem)
    async def on_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(exc.problem, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problem = validation_problem(exc)
        return problem_response(problem.problem, problem.headers)

    @app.exception_handler(WmsError)
    async def on_refusal(request: Request, exc: WmsError) -> JSONResponse:
        status, kind, title = _status_of(exc)
        headers = {"Retry-After": "1"} if status == 503 else None
        return problem_response(
            Problem(type=TYPE_BASE + kind, title=title, status=status, detail=str(exc)),
            headers)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if type(exc.__cause__).__name__ == "BodyTooLarge":
            return problem_response(Problem(type=TYPE_BASE + "too-large", status=413,
                                            title="The body is too large"))
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        return problem_response(
            Problem(type=TYPE_BASE + kind, title=str(exc.detail), status=exc.status_code),
            dict(exc.headers or {}))
