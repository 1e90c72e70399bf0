"""Scanner bursts: the keys that reached the terminal in one read.

A scanner sends a whole code and its suffix in one write, while a person's keys arrive one read
each. The driver gives the keys of one read the same burst number, so a question can refuse a
scan, a pop-up can drop the rest of the scan that closed it, and a key that reached a screen
after it left the top of the stack can be passed on to the screen that is there now.

A read that is a plain scan (printable characters, then at most one suffix: CR, LF, CR+LF or
Tab) travels as one ScanBurst instead of a key event per character, because dispatching each
key through the app and the entry line cost more than the rest of the step. An entry line
takes it whole; anything else is given its keys one by one, as before.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from typing import Protocol, cast, runtime_checkable

from textual import events
from textual.app import App
from textual.message import Message

log = logging.getLogger(__name__)

_numbers = itertools.count(1)

GS = "\x1d"
# The keys a scanner's suffix is parsed into, CR+LF being one suffix.
SUFFIXES = (("enter", "ctrl+j"), ("enter",), ("ctrl+j",), ("tab",))


class ScanBurst(events.Event, bubble=False):
    """The keys of one read that is a plain scan, delivered as one event (see module doc)."""

    def __init__(self, keys: Sequence[events.Key], burst: int) -> None:
        super().__init__()
        self.keys = tuple(keys)
        self.burst = burst


def _is_scanned_character(key: events.Key) -> bool:
    return key.character is not None and (key.is_printable or key.character == GS)


def _is_plain_scan(keys: Sequence[events.Key]) -> bool:
    names = tuple(key.key for key in keys)
    for suffix in SUFFIXES:
        if names[-len(suffix):] == suffix:
            keys = keys[: -len(suffix)]
            break
    return bool(keys) and all(_is_scanned_character(key) for key in keys)


def one_read(messages: list[Message]) -> list[Message]:
    """What the app is sent for the events of one read: its keys numbered as one burst, and a
    plain scan folded into one ScanBurst."""
    mark_bursts(messages)
    if len(messages) < 2 or not all(isinstance(m, events.Key) for m in messages):
        return messages
    keys = cast(list[events.Key], messages)
    if not _is_plain_scan(keys):
        return messages
    scan = ScanBurst(keys, burst_of(keys[0]))
    scan.time = keys[0].time
    return [scan]


def keys_in(messages: Iterable[Message]) -> int:
    """Key presses among messages, those inside a ScanBurst included."""
    return sum(len(m.keys) if isinstance(m, ScanBurst) else isinstance(m, events.Key)
               for m in messages)


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


def burst_of(event: events.Key | ScanBurst) -> int:
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


def is_dropped(app: object, event: events.Key | ScanBurst) -> bool:
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
