"""The examples in docs/import-formats.md import cleanly, so the document stays true."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-formats.md"


def examples() -> list[str]:
    return re.findall(r"```csv\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_documented_examples_import_and_reimport_unchanged(ready, tmp_path):
    locations, items = examples()
    for name, kind, content in (("l.csv", "location", locations), ("i.csv", "item", items)):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        first = ready(kind, "import", str(path))
        assert first.exit_code == 0, first.output
        assert " 0 unchanged" in first.stdout
        again = ready(kind, "import", str(path))
        assert re.search(r": 0 created, \d+ unchanged, 0 updated", again.stdout), again.stdout


def test_documented_serpentine_example_is_what_generate_does(ready, db, sql):
    documented = re.search(r"`(A-01-01-1, .*?)`", DOC.read_text(encoding="utf-8"))
    assert documented is not None
    result = ready("location", "generate", "--zone", "RES", "--aisles", "A-B", "--bays", "1-2",
                   "--levels", "1-2")
    assert result.exit_code == 0, result.output
    codes = [c for (c,) in sql(db, "SELECT code FROM location ORDER BY walk_seq")]
    assert ", ".join(codes) == documented.group(1)
