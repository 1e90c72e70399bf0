"""The RF app on a real pseudo-terminal, as a server or an RF gun would run it."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class PtyTerminal:
    """The master side of a pty; `wms_tui.app.run_tui` runs on the slave side."""

    def __init__(self, database_url: str, term: str, cols: int, rows: int,
                 data_dir: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        # COLUMNS and LINES would override the pty's window size (pytest-xdist sets them).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TEXTUAL", "COLORTERM")) and k not in ("COLUMNS", "LINES")}
        env.update(TERM=term, LANG="C.UTF-8", WMS_DATA_DIR=data_dir)
        code = f"from wms_tui.app import run_tui; run_tui({database_url!r}, 'RF01', None, None)"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave,
            env=env, cwd=ROOT, start_new_session=True,
        )
        os.close(slave)
        self.received = b""

    def read_for(self, seconds: float) -> bytes:
        """Everything the app writes during the next `seconds`."""
        got = b""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                got += chunk
        self.received += got
        return got

    def drain(self, quiet: float = 0.6, limit: float = 30.0) -> bytes:
        """Everything written until the app has been quiet for `quiet` seconds."""
        got = b""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            chunk = self.read_for(quiet)
            if not chunk:
                break
            got += chunk
        return got

    def wait_for(self, text: bytes, limit: float = 30.0) -> bytes:
        got = b""
        end = time.monotonic() + limit
        while text not in got and time.monotonic() < end:
            got += self.read_for(0.1)
        if text not in got:
            raise AssertionError(f"{text!r} never appeared; got {got[-300:]!r}")
        return got

    def send(self, data: str, per_key: float = 0.0) -> None:
        if not per_key:
            os.write(self.master, data.encode())
            return
        for char in data:
            os.write(self.master, char.encode())
            time.sleep(per_key)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
