"""The build fails on lint or layering errors: ruff and import-linter run as part of the suite,
so the README's one test command is also the static check CI runs. mypy joins them once
`mypy` (wms_tui, cli.py and tests, as [tool.mypy] files says) is clean: wms_tui and cli.py
are, the tests are not yet."""

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
