"""The domain stays free of UI, CLI and SQL: checked by importing it and by import-linter."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
FORBIDDEN = ["textual", "wms_tui.screens", "cli", "sqlalchemy", "sqlmodel"]

# Runs in a fresh interpreter, so modules imported by pytest or other tests do not count.
IMPORT_EVERY_DOMAIN_MODULE = """
import json, pkgutil, sys
import wms_tui.domain
names = [m.name for m in pkgutil.walk_packages(wms_tui.domain.__path__, "wms_tui.domain.")]
for name in names:
    __import__(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "cli", "sqlalchemy",
                "sqlmodel") or m.startswith("wms_tui.screens") or m.startswith("wms_tui.db"))
print(json.dumps({"imported": names, "forbidden": loaded}))
"""


def test_importing_the_domain_loads_no_ui_cli_or_sql() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_DOMAIN_MODULE],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    report = json.loads(done.stdout)
    assert {"wms_tui.domain.stock", "wms_tui.domain.users"} <= set(report["imported"])
    assert report["forbidden"] == []


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def domain_contract() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["source_modules"] == ["wms_tui.domain"])


def test_import_contract_forbids_ui_cli_and_sql() -> None:
    contract = domain_contract()
    assert set(FORBIDDEN) <= set(contract["forbidden_modules"])  # type: ignore[call-overload]
    assert contract["allow_indirect_imports"] is False


def test_import_contract_is_kept() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the package and its contract, so a bad import never touches the tree."""
    shutil.copytree(ROOT / "wms_tui", tmp_path / "wms_tui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "cli.py").write_text('"""Stand-in for the admin CLI."""\n')
    return tmp_path


@pytest.mark.parametrize(
    "bad_import",
    ["import textual", "import sqlalchemy", "from sqlmodel import Session", "import cli",
     "import wms_tui.screens", "from wms_tui.db import tables"],
)
def test_import_contract_breaks_on_a_bad_import(project_copy: Path, bad_import: str) -> None:
    assert lint_imports(project_copy).returncode == 0
    model = project_copy / "wms_tui" / "domain" / "model.py"
    model.write_text(model.read_text() + f"\n{bad_import}  # deliberately breaking the layering\n")
    done = lint_imports(project_copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{domain_contract()['name']} BROKEN" in done.stdout
