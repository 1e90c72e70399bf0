"""`wms serve`'s start-up line names its session limit and how it was chosen, within the
open-files limit."""

from __future__ import annotations

import re
import resource
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ServeFactory, Site
from wms_tui.serve.capacity import CEILING, FLOOR, files_needed, sessions_within

pytestmark = pytest.mark.slow

SIZED = re.compile(r"at most (\d+) \((\d+) MiB available at 16 MiB per session\)")


def test_without_max_sessions_the_limit_is_sized_from_memory(
    site: Site, serve: ServeFactory
) -> None:
    found = SIZED.search(serve(site, "--ssh-auth", "none").text())
    assert found is not None
    limit, available = int(found[1]), int(found[2])
    assert limit == max(FLOOR, min(CEILING, available // 16))


def test_max_sessions_is_taken_as_given(site: Site, serve: ServeFactory) -> None:
    text = serve(site, "--ssh-auth", "none", "--max-sessions", "7").text()
    assert "at most 7 (--max-sessions)" in text


@contextmanager
def open_files_limit(monkeypatch: pytest.MonkeyPatch, soft: int, hard: int) -> Iterator[None]:
    """Servers started inside run with this RLIMIT_NOFILE, as under a service manager's."""
    popen: Any = subprocess.Popen

    def limited(*args: Any, **kwargs: Any) -> Any:
        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

        return popen(*args, preexec_fn=limit, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(subprocess, "Popen", limited)
        yield


def test_a_low_soft_open_files_limit_is_raised_for_the_sessions(
    site: Site, serve: ServeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    needed = files_needed(300)
    with open_files_limit(monkeypatch, 256, needed + 50):
        server = serve(site, "--ssh-auth", "none", "--max-sessions", "300")
    text = server.text()
    assert f"open-files limit raised from 256 to {needed} for 300 sessions" in text
    assert "at most 300 (--max-sessions)" in text
    assert f"Max open files            {needed}" in Path(
        f"/proc/{server.proc.pid}/limits").read_text()


def test_a_default_limit_past_the_hard_open_files_limit_is_lowered(
    site: Site, serve: ServeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    hard = files_needed(FLOOR)
    with open_files_limit(monkeypatch, hard, hard):
        text = serve(site, "--ssh-auth", "none").text()
    assert f"wms serve: at most {FLOOR} sessions instead of" in text, text
    assert f"the open-files limit is {hard} (hard limit {hard}), 3 per session" in text
    assert f"at most {FLOOR} (" in text


def test_max_sessions_past_the_hard_open_files_limit_is_refused(
    site: Site, serve: ServeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_files_limit(monkeypatch, 400, 400):
        server = serve(site, "--ssh-auth", "none", "--max-sessions", "500", ready=False)
    assert server.proc.wait(60) == 2
    text = server.text()
    assert (f"--max-sessions 500 needs {files_needed(500)} open files and the open-files "
            f"limit is 400 (hard limit 400)") in text
    assert f"serve at most {sessions_within(400)} sessions" in text
    assert "SSH on" not in text
