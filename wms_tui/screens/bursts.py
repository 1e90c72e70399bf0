"""Scanner bursts: the keys that reached the terminal in one read.

A scanner sends a whole code and its suffix in one write, while a person's keys arrive one read
each. The driver gives the keys of one read the same burst number, so a question can refuse a
scan, a pop-up can drop the rest of the scan that closed it, and a key that reached a screen
after it left the top of the stack can be passed on to the screen that is there now.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from textual import events
from textual.app import App
from textual.message import Message

log = logging.getLogger(__name__)

_numbers = itertools.count(1)


def mark_bursts(messages: Iterable[Message]) -> None:
    """Number the keys of one read when there is more than one of them."""
    keys = [message for message in messages if isinstance(message, events.Key)]
    if len(keys) < 2:
        return
    number = next(_numbers)
    for key in keys:
        _set_burst(key, number)


def _set_burst(event: events.Key, burst: int) -> None:
    # Key events carry a __dict__: the burst rides along as an extra attribute.
    vars(event)["burst"] = burst


def burst_of(event: events.Key) -> int:
    """The burst a key came in, 0 for a key that arrived on its own."""
    number = getattr(event, "burst", 0)
    return number if isinstance(number, int) else 0


@runtime_checkable
class DropsBursts(Protocol):
    """An app that drops the rest of a scan that closed a pop-up, wherever its keys land next."""

    dropped_burst: int


def drop_rest_of(app: object, burst: int) -> None:
    """The keys of burst still queued are dropped at the app, before any screen sees them."""
    if burst and isinstance(app, DropsBursts):
        app.dropped_burst = burst


def is_dropped(app: object, event: events.Key) -> bool:
    burst = burst_of(event)
    return bool(burst) and isinstance(app, DropsBursts) and burst == app.dropped_burst


def pass_on(app: App[object], event: events.Key, dropped_burst: int = 0) -> None:
    """A key that reached a screen no longer on top goes to the screen that is.

    Keys of dropped_burst (the scan that closed a pop-up) belong to nobody and are dropped.
    """
    event.stop()
    event.prevent_default()
    burst = burst_of(event)
    if burst and burst == dropped_burst:
        log.debug("dropped %r: rest of the burst that closed a pop-up", event.key)
        return
    again = events.Key(event.key, event.character)
    if burst:
        _set_burst(again, burst)
    app.post_message(again)
