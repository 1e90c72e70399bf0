"""Errors the domain raises; each carries a message an operator or admin can act on.

A message is a template plus named values, so the RF screen can show it in the operator's
language (`err.render(t)`) while logs and the CLI get English (`str(err)`):

    raise InsufficientStock(N_("only {have} {uom} free"), have=3, uom="EA")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar


def N_(text: str) -> str:
    """Marks a message template for the catalogue; it is translated only when shown."""
    return text


class WmsError(Exception):
    """Base: a refusal with a clear, specific message; nothing was changed."""

    def __init__(self, template: str = "", /, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(self.render(N_))

    def __str__(self) -> str:
        return self.render(N_)

    def render(self, t: Callable[[str], str]) -> str:
        """The message in t's language; values that are errors or Terms are translated too."""
        if not self.params:
            return t(self.template)
        params = {name: _value_text(value, t) for name, value in self.params.items()}
        try:
            return t(self.template).format(**params)
        except (KeyError, IndexError, ValueError):
            # A broken translation must not hide the refusal: fall back to English.
            return self.template.format(**params)


def _value_text(value: object, t: Callable[[str], str]) -> object:
    """A value as the message shows it: a nested refusal or a Term in t's language."""
    if isinstance(value, WmsError):
        return value.render(t)
    if isinstance(value, Term):
        return t(value)
    return value


class Term(str):
    """A word a message shows as a value (a status), kept in English so render() translates it;
    mark the word itself with N_ where it is written."""

    __slots__ = ()


class NotFound(WmsError):
    pass


class InsufficientStock(WmsError):
    pass


class PermissionDenied(WmsError):
    pass


class InvalidQuantity(WmsError):
    pass


class UnknownUnit(WmsError):
    pass


class ScanRejected(WmsError):
    pass


class AuthFailed(WmsError):
    pass


class AccountLocked(AuthFailed):
    pass


class TransientConflict(WmsError):
    """A lock or serialization conflict the unit of work reports; the caller may retry."""


class BadInput(WmsError):
    """Malformed input from a file or a command line; maps to exit code 2."""


class WrongState(BadInput):
    """A well-formed request the thing's state refuses (a cancel of a cancelled or shipped
    order); the API answers it as a conflict, the command line as bad input."""


class StorageFault(WmsError):
    """The database cannot do its part (disk full, read-only, out of reach): nothing was saved,
    and trying again will not help until someone mends the storage.

    render(t) is what an operator is shown; str() names the fault and the driver's own words,
    for the log and the command line.
    """

    TEMPLATE: ClassVar[str] = ""
    # The fault in a few plain English words: "disk full".
    FAULT: ClassVar[str] = ""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(self.TEMPLATE)

    def __str__(self) -> str:
        return f"{self.FAULT} ({self.detail})" if self.detail else self.FAULT


class DiskFull(StorageFault):
    TEMPLATE = N_("Cannot save: disk full. Call a supervisor.")
    FAULT = "disk full"


class DatabaseReadOnly(StorageFault):
    TEMPLATE = N_("Cannot save: database read-only. Call a supervisor.")
    FAULT = "database read-only"


class DatabaseUnreachable(StorageFault):
    TEMPLATE = N_("Database unreachable. Call a supervisor.")
    FAULT = "database unreachable"


class DatabaseBusy(StorageFault):
    """Another writer held the database past the writers' wait: nothing was saved; unlike the
    other faults, trying again soon usually works."""

    TEMPLATE = N_("Database busy: try again.")
    FAULT = "database busy"
