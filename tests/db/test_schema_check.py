"""The schema check every command runs gives Alembic's answers without importing Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.util import CommandError
from sqlalchemy import Engine, text

from tests.conftest import fresh_sqlite_engine
from wms_tui.db import migrate
from wms_tui.db.engine import make_engine


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert migrate.file_heads() == [migrate.alembic_head_revision()]
    assert migrate.head_revision() == migrate.alembic_head_revision()


def _migration(folder: Path, name: str, lines: str) -> None:
    (folder / f"{name}.py").write_text(f'"""{name}."""\n{lines}\n\ndef upgrade() -> None: ...\n')


def test_merges_and_typed_lines_are_read_and_an_odd_file_is_left_to_alembic(
    tmp_path: Path,
) -> None:
    _migration(tmp_path, "a", "revision = 'a'\ndown_revision = None")
    _migration(tmp_path, "b", 'revision: str = "b"\ndown_revision: str | None = "a"')
    _migration(tmp_path, "c", 'revision = "c"\ndown_revision = "a"')
    assert migrate.file_heads(tmp_path) == ["b", "c"]
    _migration(tmp_path, "d", 'revision = "d"\ndown_revision = ("b", "c")')
    assert migrate.file_heads(tmp_path) == ["d"]
    _migration(tmp_path, "e", 'revision = make_id()\ndown_revision = "d"')
    assert migrate.file_heads(tmp_path) is None


def test_the_stored_revision_is_alembics_at_head_behind_and_empty(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.alembic_current_revision(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0016'"))
    assert migrate.current_revision(engine) == "0016"
    assert migrate.alembic_current_revision(engine) == "0016"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    assert migrate.current_revision(engine) is None
    assert migrate.alembic_current_revision(engine) is None


def test_a_database_without_a_schema_has_no_revision(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert migrate.current_revision(engine) is None
        assert migrate.alembic_current_revision(engine) is None
    finally:
        engine.dispose()


def test_two_stored_revisions_are_refused_as_alembic_refuses_them(tmp_path: Path) -> None:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0016')"))
        with pytest.raises(CommandError, match="more than one head"):
            migrate.current_revision(engine)
    finally:
        engine.dispose()
