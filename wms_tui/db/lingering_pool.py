"""A pool that keeps a session's one PostgreSQL connection for a few seconds after a step.

An RF session under `wms serve` keeps no connection while its operator is away, so that more
sessions than the server's `max_connections` fit; but a new connection per step costs the
machine about 5 ms of CPU (mostly the server starting a backend) against 0.25 ms for a kept
one. An operator scans every few seconds, so the connection a step gave back is kept for
`linger` seconds for the next step, as long as `keep` says there is room (`wms serve` has no
more sessions than connection slots, db/connection_slots.LingerSwitch); otherwise it is closed
at once, as NullPool does. One idle connection at most: a second one (another thread's, rare)
is closed on return.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.pool import ConnectionPoolEntry, NullPool

DEFAULT_LINGER_SECONDS = 5.0


class LingeringPool(NullPool):
    """NullPool that keeps the last returned connection for `linger` seconds while `keep()`."""

    # Not keyword-only: create_engine hands a pool only the arguments its signature names.
    def __init__(self, creator: Any, linger: float = DEFAULT_LINGER_SECONDS,
                 keep: Callable[[], bool] | None = None, **kwargs: Any) -> None:
        super().__init__(creator, **kwargs)
        self.linger = linger
        self.keep = keep or (lambda: True)
        self._changed = threading.Condition(threading.Lock())
        self._idle: ConnectionPoolEntry | None = None
        self._deadline = 0.0
        self._reaper: threading.Thread | None = None
        self._disposed = False

    def status(self) -> str:
        return f"LingeringPool (idle: {int(self._idle is not None)})"

    def _do_get(self) -> ConnectionPoolEntry:
        with self._changed:
            record, self._idle = self._idle, None
        return record if record is not None else self._create_connection()

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        if self.linger > 0 and self.keep():
            with self._changed:
                if self._idle is None and not self._disposed:
                    self._idle = record
                    self._deadline = time.monotonic() + self.linger
                    self._start_reaper()
                    self._changed.notify_all()
                    return
        record.close()

    def _start_reaper(self) -> None:
        """The thread that closes the idle connection when its time is up; started on first
        use (so in the process that uses the pool, never inherited across a fork)."""
        if self._reaper is None or not self._reaper.is_alive():
            self._reaper = threading.Thread(target=self._reap, name="wms-pool-linger",
                                            daemon=True)
            self._reaper.start()

    def _reap(self) -> None:
        # Sleeps without a timeout while nothing lingers, so an idle session is never woken.
        while True:
            with self._changed:
                while self._idle is None and not self._disposed:
                    self._changed.wait()
                if self._disposed or self._idle is None:
                    return
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                record, self._idle = self._idle, None
            record.close()

    def dispose(self) -> None:
        """Close the idle connection now and keep none from here on (the engine disposed of
        this pool, or a disconnect replaced it with a new one)."""
        with self._changed:
            record, self._idle = self._idle, None
            self._disposed = True
            self._changed.notify_all()
        if record is not None:
            record.close()

    def recreate(self) -> LingeringPool:
        self.logger.info("Pool recreating")
        return self.__class__(
            self._creator,
            linger=self.linger,
            keep=self.keep,
            recycle=self._recycle,
            echo=self.echo,
            logging_name=self._orig_logging_name,
            reset_on_return=self._reset_on_return,
            pre_ping=self._pre_ping,
            _dispatch=self.dispatch,
            dialect=self._dialect,
        )
