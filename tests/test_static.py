"""The build fails on lint, layering or type errors: ruff, import-linter and mypy run as part of
the suite, so the README's one test command is also the static check CI runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / name), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_ruff_finds_nothing() -> None:
    run = tool("ruff", "check", "--no-cache", ".")
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]


@pytest.mark.slow
def test_the_layers_import_only_what_they_may() -> None:
    run = tool("lint-imports", "--no-cache")
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]


@pytest.mark.slow
def test_mypy_finds_nothing_in_the_code_the_cli_or_the_tests() -> None:
    # The files come from [tool.mypy]; no cache, so an earlier run's results never mask a change.
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", "/dev/null"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
