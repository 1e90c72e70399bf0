"""Starting session processes: a pre-imported fork server (the zygote), or a plain spawn.

A fresh Python that imports Textual and SQLModel spends about half a second and ~57 MB before
it draws anything. The zygote does the imports once, then forks one child per session: the
child starts with everything imported and shares those pages with its siblings. The zygote
has no event loop, no threads and no database engine, so a fork copies nothing that could be
in use; the child builds its own engine.

The server talks to the zygote over a SOCK_SEQPACKET socket pair: one JSON request per
session with the pty slave attached (SCM_RIGHTS); replies carry the child's pid, and later
its exit status, since only the zygote can reap its children.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping
from typing import Any, Protocol

from wms_tui.serve.session import SECRET_ENVIRON, SessionSpec, session_environ

log = logging.getLogger(__name__)

MAX_MESSAGE = 65536
# Modules every session needs, imported once in the zygote and shared by all its children.
PRELOAD = (
    "wms_tui.app", "wms_tui.rf_driver", "wms_tui.screens.login", "wms_tui.screens.menu",
    "wms_tui.screens.step", "wms_tui.screens.modals", "wms_tui.screens.widgets",
    "wms_tui.domain.rf_services", "wms_tui.domain.users", "wms_tui.db.uow",
    "wms_tui.db.engine", "wms_tui.db.repositories", "wms_tui.serve.audit",
    # The unit of work imports these on first use; the zygote imports them for every child.
    "wms_tui.db.counting", "wms_tui.db.flow_state", "wms_tui.db.inbound", "wms_tui.db.inquiry",
    "wms_tui.db.masterdata", "wms_tui.db.outbound", "wms_tui.db.putaway", "wms_tui.db.reports",
    "wms_tui.db.serials", "wms_tui.db.shipping", "wms_tui.db.webhooks", "biip",
    "wms_tui.demo.launch", "wms_tui.screens.scanner",
    "sqlalchemy.dialects.sqlite.pysqlite", "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.pool", "psycopg", "textual.drivers.linux_driver", "wms_tui.textual_compat",
    "textual.widgets", "textual.css.parse", "textual.css.stylesheet",
)


class SessionProcess(Protocol):
    """A started session: its pid (also its process group) and a way to wait for its end."""

    pid: int

    async def wait(self) -> int: ...


def signal_session(process: SessionProcess, signum: int) -> None:
    """Signal the session's whole process group; a session already gone is no error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


class Launcher(Protocol):
    name: str

    async def launch(self, spec: SessionSpec, slave_fd: int) -> SessionProcess: ...

    async def close(self) -> None: ...


# The spawn path: a new interpreter per session.


class SpawnedSession:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pid = proc.pid

    async def wait(self) -> int:
        return await self.proc.wait()


class SpawnLauncher:
    """`python -m wms_tui.serve.session` on the pty: slow to start, but nothing shared.

    The spec (with the database URL) goes down a pipe, never into the command line.
    """

    name = "spawn"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = dict(os.environ if environ is None else environ)

    async def launch(self, spec: SessionSpec, slave_fd: int) -> SessionProcess:
        data = spec.to_json().encode()
        if len(data) > MAX_MESSAGE:
            raise ValueError("session spec too long for its pipe")
        spec_r, spec_w = os.pipe()
        try:
            # Fits the pipe's buffer (64 KiB on Linux), so writing it all first never blocks.
            with os.fdopen(spec_w, "wb") as pipe:
                pipe.write(data)
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "wms_tui.serve.session", "--spec-fd", str(spec_r),
                stdin=slave_fd, stdout=slave_fd, stderr=slave_fd, pass_fds=(spec_r,),
                env=session_environ(spec, self.environ), start_new_session=True,
            )
        finally:
            os.close(spec_r)
        return SpawnedSession(proc)

    async def close(self) -> None:
        return None


# The zygote path: the server side.


class ForkedSession:
    def __init__(self, pid: int, ended: asyncio.Future[int]) -> None:
        self.pid = pid
        self.ended = ended

    async def wait(self) -> int:
        return await asyncio.shield(self.ended)


class ZygoteLauncher:
    """Asks the zygote process for session children; restarts it if it dies."""

    name = "zygote"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = dict(os.environ if environ is None else environ)
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.next_id = 0
        self.replies: dict[int, asyncio.Future[int]] = {}
        self.children: dict[int, asyncio.Future[int]] = {}
        self.ready: asyncio.Future[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.proc is not None:
            self.proc.poll()  # a zygote that died is reaped before the next one starts
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {k: v for k, v in self.environ.items()
               if not k.startswith("TEXTUAL") and k not in SECRET_ENVIRON}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wms_tui.serve.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        ours.setblocking(False)
        self.sock = ours
        self.ready = loop.create_future()
        loop.add_reader(ours.fileno(), self._readable)
        await asyncio.wait_for(asyncio.shield(self.ready), 60)

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def _readable(self) -> None:
        assert self.sock is not None
        while True:
            try:
                data = self.sock.recv(MAX_MESSAGE)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._lost()
                return
            self._handle(json.loads(data))

    def _handle(self, message: dict[str, Any]) -> None:
        if "ready" in message:
            if self.ready is not None and not self.ready.done():
                self.ready.set_result(None)
        elif "exited" in message:
            pid, status = int(message["exited"]), int(message["status"])
            ended = self.children.pop(pid, None)
            if ended is not None and not ended.done():
                ended.set_result(status)
        else:
            reply = self.replies.pop(int(message["id"]), None)
            if reply is None or reply.done():
                return
            if "pid" in message:
                reply.set_result(int(message["pid"]))
            else:
                reply.set_exception(OSError(f"zygote: {message.get('error')}"))

    def _lost(self) -> None:
        """The zygote is gone: its children were orphaned, so their ends come from the pty."""
        log.error("the zygote process ended; new sessions will restart it")
        if self.sock is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self.sock.fileno())
            self.sock.close()
            self.sock = None
        for future in [*self.replies.values(), *self.children.values()]:
            if not future.done():
                future.set_exception(OSError("zygote ended"))
        self.replies.clear()
        self.children.clear()
        if self.ready is not None and not self.ready.done():
            self.ready.set_exception(OSError("zygote ended before it was ready"))

    async def launch(self, spec: SessionSpec, slave_fd: int) -> SessionProcess:
        if self.sock is None:
            await self.start()
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        self.next_id += 1
        request_id = self.next_id
        reply: asyncio.Future[int] = loop.create_future()
        self.replies[request_id] = reply
        request = json.dumps({"id": request_id, "spec": spec.to_json(),
                              "env": session_environ(spec, self.environ)}).encode()
        socket.send_fds(self.sock, [request], [slave_fd])
        pid = await asyncio.wait_for(reply, 30)
        ended: asyncio.Future[int] = loop.create_future()
        # Consumed by ForkedSession.wait; a session torn down early must not warn about it.
        ended.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.children[pid] = ended
        return ForkedSession(pid, ended)

    async def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self.sock.fileno())
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            self.proc.terminate()
            try:
                await asyncio.to_thread(self.proc.wait, 10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


# The zygote process itself.


def preload() -> None:
    """Import what every session imports and warm what every session builds, then keep the
    GC off those objects so the children's collections do not copy the shared pages."""
    import importlib

    from sqlalchemy.orm import configure_mappers

    for name in PRELOAD:
        importlib.import_module(name)
    configure_mappers()
    try:
        warm_up()
    except Exception:
        # A colder start is slower, never wrong.
        log.exception("warming up the RF app in the zygote failed")
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    """Run the RF app once, headless, to the menu: the caches Textual and Rich fill on a first
    run (styles, segments, key maps) and the parsed stylesheet (textual_compat's
    SharedStylesheet) are then filled once here and shared by every child, which parses no CSS.

    The run's event loop is closed and its threads joined before this returns, so a fork
    still copies no loop and no thread.
    """
    import asyncio
    import threading

    from wms_tui.app import RfApp
    from wms_tui.domain.model import Actor, Role

    class NoServices:
        def saved_flow(self, user_id: int) -> None:
            return None

    def auth(login: str, pin: str, terminal: str) -> Actor:
        return Actor(0, login, Role.OPERATOR, terminal)

    async def run() -> None:
        app = RfApp(NoServices(), auth, terminal_id="WARMUP")
        async with app.run_test(size=(20, 16)) as pilot:
            await pilot.press("W", "enter", "1", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.resize_terminal(40, 8)
            await pilot.pause()

    asyncio.run(run())
    asyncio.set_event_loop(None)
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(5)


def _reply(sock: socket.socket, message: dict[str, object]) -> None:
    with contextlib.suppress(OSError):
        sock.send(json.dumps(message).encode())


def serve_forks(sock: socket.socket) -> None:
    """The zygote's loop: fork a session per request, report each child's pid and its exit."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    _reply(sock, {"ready": True})
    while True:
        for key, _ in selector.select():
            if key.fileobj is sock:
                try:
                    data, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 4)
                except OSError:
                    data, fds = b"", []
                if not data:
                    return  # the server is gone; its children end with their ptys
                request = json.loads(data)
                if len(fds) != 1:
                    for fd in fds:
                        os.close(fd)
                    _reply(sock, {"id": request["id"], "error": "no terminal passed"})
                    continue
                pid = fork_session(request, fds[0], [sock.fileno(), wake_r, wake_w])
                os.close(fds[0])
                if pid is None:
                    _reply(sock, {"id": request["id"], "error": "fork failed"})
                else:
                    _reply(sock, {"id": request["id"], "pid": pid})
            else:
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 4096)
                reap(sock)


def reap(sock: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _reply(sock, {"exited": pid, "status": os.waitstatus_to_exitcode(status)})


def fork_session(request: dict[str, object], slave_fd: int, close_fds: list[int]) -> int | None:
    try:
        pid = os.fork()
    except OSError:
        log.exception("fork failed")
        return None
    if pid:
        return pid
    # The child: never return into the zygote's loop, whatever happens.
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        for fd in close_fds:
            os.close(fd)
        from wms_tui.serve.session import (
            become_terminal_session,
            configure_logging,
            run_session,
        )

        become_terminal_session(slave_fd)
        os.environ.clear()
        env = request["env"]
        assert isinstance(env, dict)
        os.environ.update(env)
        configure_logging()
        code = run_session(SessionSpec.from_json(str(request["spec"])))
    except BaseException:
        with contextlib.suppress(BaseException):
            log.exception("session child failed")
    finally:
        os._exit(code)


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    sock.setblocking(True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from wms_tui.serve.session import configure_logging

    # Before preloading: logging to the server's stderr would land on a child's pty.
    configure_logging()
    preload()
    serve_forks(sock)


if __name__ == "__main__":
    main()
