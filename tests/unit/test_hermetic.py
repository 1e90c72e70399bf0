"""The suite does not depend on the caller's shell: an admin's WMS_* variables change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_tests_pass_with_an_admins_wms_variables_set(tmp_path: Path) -> None:
    env = dict(os.environ,
               WMS_DATABASE_URL=f"sqlite:///{tmp_path}/someone-elses.db",
               WMS_DATA_DIR=str(tmp_path / "elsewhere"), WMS_TERMINAL="ADMIN-SHELL",
               WMS_DEVICE_PASSWORD="not-for-tests", HOME=str(tmp_path / "home"))
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/cli/test_cli_demo.py::test_demo_refuses_the_production_database"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "someone-elses.db").exists()
