"""One RF session on the pseudo-terminal it was handed: the child side of `wms serve`.

The zygote forks into `run_session`; the spawn path runs this module:

    python -m wms_tui.serve.session --spec-fd 5

with the pty slave as stdin/stdout/stderr and the SessionSpec as JSON on the pipe at fd 5:
never on the command line, where `ps` would show anyone the database URL and its password.

Signals from the server: SIGHUP (the link dropped), SIGUSR1 (idle timeout) and SIGTERM (server
stopping) all end the app cleanly; the flow state is already saved after every step, so the
operator resumes where they were.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import shutil
import signal
import sys
import termios
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wms_tui.db.connection_slots import ConnectionSlots

# Why a session ended, as the audit log records the operator's log-out.
END_REASONS = {signal.SIGHUP: "hangup", signal.SIGUSR1: "idle timeout",
               signal.SIGTERM: "server stopping"}
# How long a post in flight may take to commit after the app was told to end.
THREAD_GRACE = 10.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionSpec:
    """What a session child needs to know; sent as JSON from the server to the child."""

    database_url: str
    term: str
    terminal_id: str
    peer: str
    lang: str = "en"
    # Practice mode (`wms demo --serve`): TRAINING, demo users shown, F6, the scenario if any.
    demo: bool = False
    scenario: str | None = None
    # The server's number for this session, so its log lines and the session's match up.
    session: int = 0
    # PostgreSQL: the slot file and slot count every session of this server shares, so the
    # sessions together never open more connections than the server allows (none: unbounded).
    pg_slots_path: str | None = None
    pg_slots: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SessionSpec:
        return cls(**json.loads(text))


def become_terminal_session(fd: int) -> None:
    """Make fd this process's controlling terminal and its stdin, stdout and stderr."""
    # Spawned with start_new_session, the child already leads its session.
    with contextlib.suppress(PermissionError):
        os.setsid()
    fcntl.ioctl(fd, termios.TIOCSCTTY, 0)
    for target in (0, 1, 2):
        if fd != target:
            os.dup2(fd, target)
    if fd > 2:
        os.close(fd)


# Secrets a session never needs in its environment: it has the database URL from its spec.
SECRET_ENVIRON = ("WMS_DEVICE_PASSWORD", "WMS_DATABASE_URL")


def session_environ(spec: SessionSpec, base: dict[str, str]) -> dict[str, str]:
    """The server's environment with the client's terminal type, without what would override
    the pty's window size (COLUMNS, LINES) or the terminal profile, or the server's secrets."""
    env = {k: v for k, v in base.items()
           if not k.startswith(("TEXTUAL", "COLORTERM", "SSH_"))
           and k not in ("COLUMNS", "LINES", *SECRET_ENVIRON)}
    env.update(TERM=spec.term or "vt100", LANG="C.UTF-8", WMS_TERMINAL=spec.terminal_id)
    env.pop("LC_ALL", None)
    env.pop("LC_CTYPE", None)
    return env


def configure_logging() -> None:
    """Errors go to rf.log in the data directory, never onto the operator's screen, each line
    printable (a scan or a login in a message cannot steer the terminal that reads the log)."""
    from wms_tui.bootstrap import data_dir
    from wms_tui.safe_logging import SafeFormatter

    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(data_dir() / "rf.log")
    handler.setFormatter(SafeFormatter("%(asctime)s %(process)d %(levelname)s %(name)s "
                                       "%(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def session_slots(spec: SessionSpec) -> ConnectionSlots | None:
    """The PostgreSQL connection slots the spec names, waited for as long as SQLite writers."""
    if spec.pg_slots_path is None or spec.pg_slots < 1:
        return None
    from wms_tui.db.connection_slots import connection_slots_for
    from wms_tui.db.engine import BUSY_TIMEOUT_MS

    return connection_slots_for(spec.pg_slots_path, spec.pg_slots, BUSY_TIMEOUT_MS / 1000)


def run_session(spec: SessionSpec) -> int:
    """Run the RF app on stdin/stdout until the operator quits or the server ends it."""
    from wms_tui.app import RfApp
    from wms_tui.bootstrap import wire
    from wms_tui.i18n import translator
    from wms_tui.rf_driver import RfDriver, terminal_profile

    # Unpooled: an idle terminal holds no PostgreSQL connection.
    site = wire(spec.database_url, pooled=False, slots=session_slots(spec))
    extras: dict[str, Any] = {}
    if spec.demo:
        from wms_tui.demo.launch import demo_app_options

        extras = demo_app_options(site.engine, spec.scenario)
    profile = terminal_profile()
    name = f"session {spec.session} {spec.terminal_id} from {spec.peer}"
    # Each operator's own language from log-in on (the user's setting), English before it.
    app = RfApp(site.services, site.auth, terminal_id=spec.terminal_id,
                ascii_mode=profile.ascii_only, term=profile.term, language=spec.lang,
                translator=translator,
                driver_class=RfDriver, audit=site.audit.for_session(spec.peer, spec.terminal_id),
                session_name=name, note_on_exit=False, **extras)
    ended_by: list[str] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum, reason in END_REASONS.items():
            def end(reason: str = reason) -> None:
                ended_by.append(reason)
                app.exit()
            loop.add_signal_handler(signum, end)
        await app.run_async(mouse=False)

    try:
        asyncio.run(main())
    except Exception:
        log.exception("%s failed", name)
        ended_by.insert(0, "system error")
        return 1
    finally:
        if app.crashed and not ended_by:
            ended_by.append("system error")
        wait_for_posts()
        if app.operator is not None:
            app.report("logout", app.operator, ended_by[0] if ended_by else "")
        site.close()
    if app.exit_note is not None:
        write_exit_note(app.exit_note)
    return 1 if app.crashed else 0


def write_exit_note(note: str) -> None:
    """The crash note on a clear screen, wrapped with CR LF: the pty is in raw mode (no ONLCR)."""
    from wms_tui.screens.wrap import wrap_lines

    cols = shutil.get_terminal_size((20, 16)).columns
    # Wrapped by display cells, so a Chinese note fits the width too.
    lines = wrap_lines(note, max(cols - 1, 10))
    sys.stdout.buffer.write(("\x1b[2J\x1b[H" + "\r\n".join(lines) + "\r\n").encode())
    sys.stdout.flush()


def wait_for_posts() -> None:
    """Let a post in flight commit (or fail) before the process goes; never half of one."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(THREAD_GRACE)


def read_spec(fd: int) -> SessionSpec:
    """The spec the server wrote to the pipe at fd, read to its end; the pipe is closed."""
    with os.fdopen(fd, "rb") as pipe:
        return SessionSpec.from_json(pipe.read().decode())


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "--spec-fd":
        sys.exit("usage: python -m wms_tui.serve.session --spec-fd FD")
    spec = read_spec(int(args[1]))
    if os.isatty(0):
        become_terminal_session(0)
    configure_logging()
    sys.exit(run_session(spec))


if __name__ == "__main__":
    main()
