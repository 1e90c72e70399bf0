"""A dropped terminal ends the app: it must not keep polling a dead pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from sqlalchemy import Engine

from tests.factories import build_warehouse


def test_app_exits_when_its_terminal_goes_away(sqlite_engine: Engine, tmp_path: Path) -> None:
    build_warehouse(sqlite_engine)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 16, 20, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="vt220", WMS_DATA_DIR=str(tmp_path / "data"))
    url = str(sqlite_engine.url)
    # No new session: the kernel sends no SIGHUP, so only end-of-file tells the app.
    app = subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.app()", "--database-url", url, "tui",
         "--terminal", "RF09"],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=Path(__file__).parents[2],
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 30
    while b"User ID" not in seen and time.monotonic() < deadline:
        seen += os.read(master, 65536)
    assert b"User ID" in seen, seen[-200:]
    os.close(master)
    try:
        app.wait(timeout=15)
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode is not None
