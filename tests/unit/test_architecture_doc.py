"""docs/architecture.md is the map of the house: every package and top-level module is on it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_and_top_level_module_is_on_the_map() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    package = ROOT / "wms_tui"
    parts = [p for p in package.iterdir() if p.suffix == ".py" and p.stem != "__init__"]
    parts += [p for p in package.iterdir() if (p / "__init__.py").exists()]
    parts += [p for p in (package / "domain").iterdir() if (p / "__init__.py").exists()]
    missing = [str(p.relative_to(ROOT)) for p in parts
               if f"`{p.relative_to(ROOT)}{'/' if p.is_dir() else ''}`" not in text]
    assert not missing, f"add these to docs/architecture.md: {missing}"
