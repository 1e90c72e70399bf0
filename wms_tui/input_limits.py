"""Bounded work per input: how much of a terminal's input a session turns into key events.

A scan is at most 256 characters (screens.widgets.MAX_INPUT); nothing an operator or a
scanner sends comes near MAX_BURST_BYTES without a pause. A paste or a stream past that (a 1 MB
paste once took a session to 354 MiB, a stream made it ignore its hang-up for 15 s) is cut in
the driver's input thread before it is parsed into key events: the rest is dropped, unread,
until the terminal has been quiet for a moment, and the session says so once in its log. Keys
handed to the app and not yet taken, and keys queued at one screen, are capped as well, for a
terminal that pauses between floods.

InputGate is shared by two threads: the input thread admits bytes and counts the keys it
hands over, the app counts the keys it takes. Each counter has one writer, so no lock is
needed; a stale read only moves the cut by one read.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# Bytes of input without a pause that can still be one entry: 256 characters of up to four
# bytes of UTF-8 each, plus a suffix. One read of the terminal is at most this much.
MAX_BURST_BYTES = 4096
# Keys the app may have queued and not yet taken, and keys queued at one screen or widget.
MAX_QUEUED_KEYS = 4096
# How long a terminal is silent before what it sends next is a new entry, not more of a flood.
FLOOD_QUIET = 0.5


class InputGate:
    """Decides, read by read, how much input a session parses; says once that it dropped some."""

    def __init__(self, name: str, *, burst_bytes: int = MAX_BURST_BYTES,
                 queued_keys: int = MAX_QUEUED_KEYS) -> None:
        self.name = name
        self.burst_bytes = burst_bytes
        self.queued_keys = queued_keys
        # Input thread: bytes since the terminal was last quiet, whether the rest of this
        # burst is being dropped, keys handed to the app, bytes dropped in all.
        self.burst = 0
        self.dropping = False
        self.handed_over = 0
        self.dropped_bytes = 0
        # App: keys it has taken (handled, forwarded or dropped).
        self.taken = 0
        self.dropped_keys = 0
        self._logged = False

    @property
    def backlog(self) -> int:
        """Keys handed to the app that it has not taken yet."""
        return max(self.handed_over - self.taken, 0)

    def admit(self, data: bytes) -> int:
        """Input thread: how many bytes of this read, from its start, to parse; the rest of
        the read, and everything up to the next quiet moment, is dropped unparsed."""
        if self.dropping:
            self.dropped_bytes += len(data)
            return 0
        backlog = self.backlog
        room = self.burst_bytes - self.burst if backlog < self.queued_keys else 0
        self.burst += len(data)
        kept = max(0, min(room, len(data)))
        if kept < len(data):
            self.dropping = True
            self.dropped_bytes += len(data) - kept
            self.flooded(f"more than {self.burst_bytes} bytes without a pause"
                         if backlog < self.queued_keys else f"{backlog} keys not yet taken")
        return kept

    def pending(self) -> bool:
        """Input thread: True while a quiet moment would change something (quiet() is due)."""
        return self.burst > 0 or self.dropping

    def quiet(self) -> None:
        """Input thread: the terminal sent nothing for a moment; what comes next is new."""
        self.burst = 0
        self.dropping = False

    def hand_over(self, keys: int) -> None:
        """Input thread: keys parsed from an admitted read, on their way to the app."""
        self.handed_over += keys

    def take(self, keys: int = 1) -> None:
        """App: keys taken from its queue (a scan's keys come in one event)."""
        self.taken += keys

    def drop_queued(self) -> None:
        """App: a key dropped because the screen it would go to has too many queued."""
        self.dropped_keys += 1
        self.flooded(f"more than {self.queued_keys} keys queued for the screen")

    def flooded(self, why: str) -> None:
        if self._logged:
            return
        self._logged = True
        log.warning("%s: input flood (%s): the rest is dropped until the terminal is quiet; "
                    "said once per session", self.name, why)
