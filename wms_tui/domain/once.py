"""Exactly once: a confirmation key posts its work once; a resubmitted key gets the first result.

Every confirming service runs its transaction through `exactly_once`, and every stored result
goes through one codec, so `RfServices.posted()` and a replay read the same JSON shape:
the result dataclass's fields plus "message", a one-line English description.

    with uow:
        return exactly_once(uow, actor.user_id, key, "receive", Receipt,
                            lambda: do_the_work(uow), describe=lambda r: f"receive {ref}")
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from wms_tui.domain.errors import N_, BadInput

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


class IdempotencyStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, user_id: int, operation: str, result: str) -> None: ...


class OnceUnitOfWork(Protocol):
    """The part of a unit of work exactly_once needs: the key store and commit."""

    @property
    def idempotency(self) -> IdempotencyStore: ...
    def commit(self) -> None: ...


def exactly_once(
    uow: OnceUnitOfWork, user_id: int, key: str, operation: str, result_type: type[R],
    work: Callable[[], R], describe: Callable[[R], str],
) -> R:
    """Inside the caller's `with uow`: replay a stored key, else work, store the result, commit.

    The key is stored in the same transaction as the work, so a crash leaves both or neither.
    """
    stored = uow.idempotency.get(key)
    if stored is not None:
        return decode(result_type, stored)
    result = work()
    uow.idempotency.put(key, user_id, operation, encode(result, describe(result)))
    uow.commit()
    return result


def encode(result: DataclassInstance, message: str) -> str:
    """A result dataclass as stored: its fields (never as replayed) plus its message."""
    # Shallow: json.dumps asks _plain for nested dataclasses, so nothing is deep-copied first.
    data = _fields(result)
    data.pop("replayed", None)
    data["message"] = message
    return json.dumps(data, default=_plain)


def _fields(value: DataclassInstance) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def decode(result_type: type[R], stored: str) -> R:
    """The stored result as result_type, marked replayed when it has that field."""
    hints = typing.get_type_hints(result_type)
    try:
        data = json.loads(stored)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(result_type):
            if f.name in data:
                values[f.name] = _typed(hints[f.name], data[f.name])
        if "replayed" in hints:
            values["replayed"] = True
        return result_type(**values)
    except (TypeError, ValueError, AttributeError) as exc:
        # The key holds another operation's result: a client reused it for different work.
        raise BadInput(N_("that confirmation key was used for something else")) from exc


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be stored with a confirmation")


def _typed(hint: Any, value: Any) -> Any:
    """JSON back to the field's type: enums, dates and optionals of them; the rest as is."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _typed(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        (arg,) = typing.get_args(hint) or (Any,)
        return [_typed(arg, item) for item in value]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    return value
