"""PINs stay off command lines; a supervisor sees and lifts a lock-out."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import Wms
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import AuthFailed
from wms_tui.domain.users import MAX_FAILED_ATTEMPTS, authenticate


def lock_out(db: Engine, login: str) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthFailed):
            authenticate(SqlUnitOfWork(db), login, "0000")


def test_a_pin_on_the_command_line_is_refused_and_nothing_is_created(ready: Wms) -> None:
    for args in (["user", "add", "op1", "--pin", "1234"], ["user", "reset-pin", "op1", "--pin",
                                                          "1234"]):
        result = ready(*args)
        assert result.exit_code == 2, result.output
        assert "--pin-stdin" in result.output and "ps" in result.output
        assert "1234" not in result.output
    listed = json.loads(ready("user", "list", "--json").output)
    assert [u["login"] for u in listed] == []


def test_pin_stdin_reads_the_first_line(ready: Wms, db: Engine) -> None:
    added = ready("user", "add", "op1", "--pin-stdin", input="4711\n")
    assert added.exit_code == 0, added.output
    assert authenticate(SqlUnitOfWork(db), "OP1", "4711").login == "OP1"
    reset = ready("user", "reset-pin", "op1", "--pin-stdin", input="8642\r\n")
    assert reset.exit_code == 0, reset.output
    assert authenticate(SqlUnitOfWork(db), "OP1", "8642").login == "OP1"
    empty = ready("user", "add", "op2", "--pin-stdin", input="")
    assert empty.exit_code == 2
    assert "standard input has no PIN" in empty.output


def test_a_prompted_pin_is_asked_twice_and_hidden(ready: Wms, db: Engine) -> None:
    added = ready("user", "add", "op1", input="4711\n4711\n")
    assert added.exit_code == 0, added.output
    assert "4711" not in added.output
    assert authenticate(SqlUnitOfWork(db), "OP1", "4711").login == "OP1"


def test_list_shows_the_lock_and_unlock_lifts_it(ready: Wms, db: Engine) -> None:
    assert ready("user", "add", "op1", "--pin-stdin", input="4711\n").exit_code == 0
    lock_out(db, "OP1")
    (row,) = json.loads(ready("user", "list", "--json").output)
    assert row["locked"] is True and row["locked_until"]
    assert "True" in ready("user", "list").output
    alerts = json.loads(ready("report", "exceptions", "--json").output)["rows"]
    assert [(a["kind"], a["reference"]) for a in alerts] == [("locked_user", "OP1")]
    unlocked = ready("user", "unlock", "op1")
    assert unlocked.exit_code == 0 and "OP1: unlocked" in unlocked.output
    (row,) = json.loads(ready("user", "list", "--json").output)
    assert row["locked"] is False and row["failed_attempts"] == 0
    assert "was not locked" in ready("user", "unlock", "op1").output
    assert json.loads(ready("report", "exceptions", "--json").output)["rows"] == []
    assert authenticate(SqlUnitOfWork(db), "OP1", "4711").login == "OP1"
    missing = ready("user", "unlock", "ghost")
    assert missing.exit_code == 2 and "no user 'ghost'" in missing.output


def test_init_takes_the_admin_pin_from_stdin(wms: Wms, db: Engine) -> None:
    result = wms("init", "--admin", "boss", "--pin-stdin", input="4321\n")
    assert result.exit_code == 0, result.output
    assert authenticate(SqlUnitOfWork(db), "BOSS", "4321").login == "BOSS"
    refused = wms("init", "--admin", "boss2", "--pin", "4321")
    assert refused.exit_code == 2 and "--pin-stdin" in refused.output
