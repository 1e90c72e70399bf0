"""Export cursors that cannot lie: they name the database's epoch and an event it has."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import MakeWms, Wms
from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.exports import Cursor
from wms_tui.domain.stock import Pick, Receive, post

# The `wms` command, its engine and the warehouse the postings went into.
Posted = tuple[Wms, Engine, Warehouse]


def stock(url: str) -> tuple[Engine, Warehouse]:
    engine = make_engine(url)
    wh = build_warehouse(engine)
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    post(uow, wh.operator, Pick(wh.widget, 4, wh.a1, "SO-1"))
    return engine, wh


@pytest.fixture
def posted(wms: Wms, db_url: str) -> Iterator[Posted]:
    assert wms("db", "upgrade").exit_code == 0
    engine, wh = stock(db_url)
    yield wms, engine, wh
    engine.dispose()


def events(wms: Wms, *args: str) -> dict[str, Any]:
    result = wms("export", "events", "--json", *args)
    assert result.exit_code == 0, result.output
    batch: dict[str, Any] = json.loads(result.stdout)
    return batch


def epoch_of(wms: Wms) -> str:
    return wms("db", "epoch").stdout.split(": ")[1].strip()


def test_cursors_name_the_database_epoch(posted: Posted) -> None:
    wms, _, _ = posted
    epoch = epoch_of(wms)
    batch = events(wms)
    assert batch["cursor"].startswith(f"{epoch}.")
    assert all(e["cursor"].startswith(f"{epoch}.") for e in batch["events"])
    assert events(wms, "--since", batch["cursor"])["events"] == []
    assert events(wms, "--since", f"{epoch}.0.0")["cursor"] == batch["cursor"]


@pytest.mark.parametrize("since", ["0.99", "{epoch}.0.99", "5.1"])
def test_a_cursor_past_the_last_event_is_refused(posted: Posted, since: str) -> None:
    wms, _, _ = posted
    epoch = epoch_of(wms)
    result = wms("export", "events", "--since", since.format(epoch=epoch))
    assert result.exit_code == 2
    assert "is past the end of this database's events (its last is " in result.stderr
    assert f"start again with --since {epoch}.0.0" in result.stderr
    assert "no new events" not in result.stdout


def test_an_old_cursor_without_epoch_is_accepted_once_with_a_warning(posted: Posted) -> None:
    wms, _, _ = posted
    first = events(wms, "--limit", "1")
    old = Cursor.parse(first["cursor"]).position.text()
    result = wms("export", "events", "--json", "--since", old)
    assert result.exit_code == 0, result.output
    assert f"warning: cursor {old} has no database epoch" in result.stderr
    batch = json.loads(result.stdout)
    assert [e["reference"] for e in batch["events"]] == ["SO-1"]
    assert batch["cursor"].startswith(epoch_of(wms) + ".")


def test_a_cursor_of_another_database_is_refused(
    posted: Posted, make_wms: MakeWms, tmp_path: Path
) -> None:
    wms, _, _ = posted
    other_url = f"sqlite:///{tmp_path / 'other' / 'wms.db'}"
    other = make_wms(other_url)
    assert other("db", "upgrade").exit_code == 0
    stock(other_url)[0].dispose()
    theirs = events(other)["cursor"]
    result = wms("export", "events", "--since", theirs)
    assert result.exit_code == 2
    assert f"belongs to database epoch {theirs.split('.')[0]}" in result.stderr
    assert f"--since {epoch_of(wms)}.0.0" in result.stderr


def test_after_a_restore_an_erp_is_told_what_it_has_that_the_database_lost(
    posted: Posted, tmp_path: Path
) -> None:
    wms, engine, wh = posted
    backup = tmp_path / "backup.db"
    assert wms("db", "backup", "--to", str(backup)).exit_code == 0
    at_backup = events(wms)["cursor"]
    post(uow_factory(engine), wh.operator, Receive(wh.heavy, 3, wh.a2, "ASN-LOST"))
    past_backup = events(wms)["cursor"]
    engine.dispose()
    restored = wms("db", "restore", "--force", str(backup))
    assert restored.exit_code == 0, restored.output
    epoch = epoch_of(wms)
    resume = f"{epoch}.{Cursor.parse(at_backup).position.text()}"
    # The ERP has ASN-LOST, which the restored database never saw: it must reverse it.
    lost = wms("export", "events", "--since", past_backup)
    assert lost.exit_code == 2
    assert "restored from a backup whose last event was" in lost.stderr
    assert f"reverse them, then go on with --since {resume}" in lost.stderr
    # An ERP that stopped at the backup has lost nothing and is told the same place anew.
    level = wms("export", "events", "--since", at_backup)
    assert level.exit_code == 2
    assert f"the ERP has nothing after that, so go on with --since {resume}" in level.stderr
    assert events(wms, "--since", resume)["events"] == []
