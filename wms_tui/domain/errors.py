"""Errors the domain raises; each carries a message an operator or admin can act on."""

from __future__ import annotations


class WmsError(Exception):
    """Base: a refusal with a clear, specific message; nothing was changed."""


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
