"""Small waits and probes the lock tests share."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether check() comes true within seconds (looked at every 5 ms): for what another
    thread or process does in its own time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.005)
    return check()


def flock_is_free(path: str) -> bool:
    """Whether another process could take the flock on path now (tried on a file of its own)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
