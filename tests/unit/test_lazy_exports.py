"""A lazy package offers exactly the names its type-checked imports name, each the same object,
and importing it loads none of its modules."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAZY_PACKAGES = ["wms_tui.domain.masterdata"]


def _typed_imports(package: str) -> dict[str, str]:
    """Each name the package's `if TYPE_CHECKING:` block imports, and the module it is from."""
    source = ROOT.joinpath(*package.split("."), "__init__.py").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                names.update({alias.name: statement.module for alias in statement.names})
    return names


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_each_public_name_is_the_typed_import(package: str) -> None:
    typed = _typed_imports(package)
    module = importlib.import_module(package)
    assert sorted(typed) == sorted(module.__all__)
    for name, source in typed.items():
        assert getattr(module, name) is getattr(importlib.import_module(source), name), name


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_importing_the_package_loads_none_of_its_modules(package: str) -> None:
    script = (
        "import importlib, json, sys\n"
        f"package = importlib.import_module({package!r})\n"
        "print(json.dumps({'loaded': [m for m in sys.modules if m.startswith(package.__name__"
        " + '.')], 'offered': sorted(set(dir(package)) - set(vars(package))),"
        " 'all': sorted(package.__all__)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    report = json.loads(done.stdout)
    assert report["loaded"] == []
    assert report["offered"] == report["all"]


def test_a_submodule_is_reached_as_an_attribute_and_a_typo_is_refused() -> None:
    from wms_tui.domain import masterdata

    assert masterdata.grid is importlib.import_module("wms_tui.domain.masterdata.grid")
    with pytest.raises(AttributeError, match="no attribute 'stock_listings'"):
        getattr(masterdata, "stock_listings")  # noqa: B009
