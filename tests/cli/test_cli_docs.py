"""The examples in docs/import-formats.md import cleanly, so the document stays true."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine

from tests.cli.conftest import Sql, Wms

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-formats.md"


def examples(fmt: str = "csv") -> list[str]:
    return re.findall(rf"```{fmt}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_documented_examples_import_and_reimport_unchanged(ready: Wms, tmp_path: Path) -> None:
    locations, items, users, _opening = examples()
    # The users example disables OP3, who must exist first.
    assert ready("user", "add", "op3", "--pin-stdin", input="1234\n").exit_code == 0
    for name, kind, content in (("l.csv", "location", locations), ("i.csv", "item", items),
                                ("u.csv", "user", users)):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        first = ready(kind, "import", str(path))
        assert first.exit_code == 0, first.output
        assert " 0 unchanged" in first.stdout
        again = ready(kind, "import", str(path))
        assert re.search(r": 0 created, \d+ unchanged, 0 updated", again.stdout), again.stdout


def test_documented_json_example_is_the_csv_example_again(ready: Wms, tmp_path: Path) -> None:
    [locations_json] = examples("json")
    [locations_csv, *_] = examples()
    for name, content in (("l.csv", locations_csv), ("l.json", locations_json)):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        result = ready("location", "import", str(path))
        assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "locations: 0 created, 2 unchanged, 0 updated"


def test_documented_serpentine_example_is_what_generate_does(
    ready: Wms, db: Engine, sql: Sql
) -> None:
    documented = re.search(r"`(A-01-01-1, .*?)`", DOC.read_text(encoding="utf-8"))
    assert documented is not None
    result = ready("location", "generate", "--zone", "RES", "--aisles", "A-B", "--bays", "1-2",
                   "--levels", "1-2")
    assert result.exit_code == 0, result.output
    codes = [c for (c,) in sql(db, "SELECT code FROM location ORDER BY walk_seq")]
    assert ", ".join(codes) == documented.group(1)


def test_documented_opening_stock_example_posts_every_line(ready: Wms, tmp_path: Path) -> None:
    locations, items, _users, opening = examples()
    # The example's serial-tracked PHONE, besides the documented items.
    items += "PHONE,Phone,EA,EA,1,,,no,no,yes,no,C,,,,\n"
    for name, kind, content in (("l.csv", "location", locations), ("i.csv", "item", items)):
        (tmp_path / name).write_text(content, encoding="utf-8")
        assert ready(kind, "import", str(tmp_path / name)).exit_code == 0
    assert ready("user", "add", "adm", "--role", "admin", "--pin-stdin",
                 input="1234\n").exit_code == 0
    (tmp_path / "o.csv").write_text(opening, encoding="utf-8")
    result = ready("stock", "import", str(tmp_path / "o.csv"), "--as", "ADM")
    assert result.exit_code == 0, result.output
    assert "opening stock: 4 line(s) posted" in result.stdout
    again = ready("stock", "import", str(tmp_path / "o.csv"), "--as", "ADM")
    assert "0 line(s) posted, 4 already posted" in again.stdout
