"""Over `wms serve`: a fault in the app is a logged 'System error', never a traceback on the
operator's screen; and each operator reads the screens in their own language."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import EA_GTIN, ROOT, ServeFactory, Server, Site

pytestmark = pytest.mark.slow

TRIGGER = "BOOM-1"
SECRET = "hunter2"

# Loaded by every Python process of the server (the server, its zygote, each session child)
# from PYTHONPATH: when wms_tui.screens.step is imported, FlowScreen.submit is wrapped so that
# scanning TRIGGER raises. Production code carries no hook; the fault comes from outside.
SITECUSTOMIZE = f'''
import importlib.abc
import sys

TARGET = "wms_tui.screens.step"


def _patch(module):
    screen = module.FlowScreen
    original = screen.submit

    def submit(self, text, *args, **kwargs):
        if text.strip() == {TRIGGER!r}:
            secret = {SECRET!r}
            raise RuntimeError(f"injected fault secret={{secret}}")
        return original(self, text, *args, **kwargs)

    screen.submit = submit


class _FaultFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                break
        else:
            return None
        exec_module = spec.loader.exec_module

        def patched_exec(module):
            exec_module(module)
            _patch(module)

        spec.loader.exec_module = patched_exec
        return spec


sys.meta_path.insert(0, _FaultFinder())
'''


def wait_for_log(server: Server, pattern: str, count: int = 1, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while len(re.findall(pattern, server.text())) < count:
        if time.monotonic() > end:
            raise AssertionError(f"{pattern!r} x{count} not in the log:\n{server.text()}")
        time.sleep(0.05)


def rf_log(server: Server) -> str:
    """What the session processes log (to rf.log in the server's data directory)."""
    path = server.data_dir / "rf.log"
    return path.read_text(errors="replace") if path.exists() else ""


def fault_env(tmp_path: Path) -> dict[str, str]:
    hook = tmp_path / "fault-hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    return {"PYTHONPATH": f"{hook}{os.pathsep}{ROOT}"}


def test_unexpected_error_is_a_logged_system_error_never_a_traceback(
    site: Site, serve: ServeFactory, tmp_path: Path,
) -> None:
    server = serve(site, "--ssh-auth", "none", env=fault_env(tmp_path))
    movements = site.movements()

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.login()
        await t.key("3", "Scan from location")
        await t.enter("A-01-01-1", "Scan item")  # a step done: the flow's state is saved
        t.send(f"{TRIGGER}\r".encode())
        await t.wait_closed(timeout=30)
        words = t.screen.words()
        raw = bytes(t.screen.raw).decode(errors="replace")
        assert "System error - your work is saved. Log in again." in words, t.screen.text()
        for leak in ("Traceback", "RuntimeError", "injected fault", SECRET, ".py", 'File "'):
            assert leak not in raw, (leak, t.screen.text())

    async def back_again() -> None:
        # The server still serves, and the work before the fault was kept.
        t = await SshTerminal.connect(server.port, cols=20, rows=16, username="RF02")
        await t.wait_for("User ID")
        await t.enter("OP1", "PIN")
        await t.enter("1234", "Resume Move?", "2 No")
        screen = await t.answer("1", "Scan item")
        assert "From: A-01-01-1" in screen
        await t.close()

    asyncio.run(operator())
    wait_for_log(server, r"session 1 .* ended after ")
    log = server.text()
    ended = re.search(r"^.* session 1 ssh RF01 from \S+ ended after \S+ \((.*)\)$", log, re.M)
    assert ended is not None, log
    assert " ERROR session 1 " in ended.group(0), ended.group(0)
    assert ended.group(1) == "system error, exit 1", ended.group(0)
    # The traceback is in the session log, under the session's name, at ERROR.
    session_log = rf_log(server)
    fault = re.search(r" ERROR \S+ (session 1 RF01 from \S+): unexpected error, session ended\n"
                      r"Traceback \(most recent call last\):\n(?:.+\n)*?"
                      r"RuntimeError: injected fault secret=hunter2$", session_log, re.M)
    assert fault is not None, session_log
    assert ("logout", "OP1", "system error") in [
        (event, login, detail) for event, login, _, detail in site.audit()]
    assert site.movements() == movements
    assert site.ledger_mismatches() == []

    asyncio.run(back_again())
    assert server.proc.poll() is None
    assert site.movements() == movements


def add_user(site: Site, tmp_path: Path, login: str, pin: str, lang: str) -> None:
    """As an administrator does it: `wms user add` on the command line."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WMS_DATABASE_URL", "WMS_DEVICE_PASSWORD")}
    env.update(PYTHONPATH=str(ROOT), WMS_DATA_DIR=str(tmp_path / "data-cli"))
    done = subprocess.run(
        [sys.executable, "-c", "from cli import app; app(prog_name='wms')",
         "--database-url", site.url, "user", "add", login, "--name", "Li Wei",
         "--pin-stdin", "--lang", lang],
        input=pin + "\n", cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"user {login}: created (operator, {lang})" in done.stdout


def test_language_follows_the_user_over_serve(
    site: Site, serve: ServeFactory, tmp_path: Path,
) -> None:
    add_user(site, tmp_path, "OP2", "5678", "zh_CN")
    server = serve(site, "--ssh-auth", "none")

    async def terminals() -> None:
        zh = await SshTerminal.connect(server.port, cols=20, rows=16, username="RF01")
        await zh.wait_for("User ID")  # before log-in nobody is known: English
        await zh.enter("OP2", "PIN")
        screen = await zh.enter("5678", "0 退出", "请选择编号")
        lines = screen.split("\n")
        # Each Chinese character takes two cells: the terminal ID still ends at column 20.
        assert lines[0] == "菜单 OP2        RF01", lines[0]
        assert lines[1:4] == ["1 收货", "2 上架", "3 移库"], screen
        assert lines[13] == "请选择编号", screen
        for english in ("Receive", "Move", "Logout", "Choose a number"):
            assert english not in zh.screen.words(), screen
        await zh.key("3", "扫来源库位或LPN")
        screen = await zh.enter("A-01-01-1", "扫描物料")
        assert "Scan" not in screen, screen

        # Another operator, at the same time on the same server, in English.
        en = await SshTerminal.connect(server.port, cols=20, rows=16, username="RF02")
        await en.login()
        screen = await en.wait_for("1 Receive", "3 Move", "Choose a number")
        assert not re.search(r"[\u4e00-\u9fff]", screen), screen
        await en.key("3", "Scan from location")
        # Still Chinese for the first operator.
        await zh.enter(EA_GTIN, "数量")
        await zh.close()
        await en.close()

    asyncio.run(terminals())
