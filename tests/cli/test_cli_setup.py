"""`wms init`, `wms db …` and `wms user …` through the real command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.cli.conftest import MakeWms, Sql, Wms
from wms_tui.db.engine import make_engine
from wms_tui.db.migrate import head_revision
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import AuthFailed
from wms_tui.domain.users import authenticate


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_private_database_schema_warehouse_and_admin(
    wms: Wms, db_url: str, tmp_path: Path, sql: Sql
) -> None:
    result = wms("init", "--admin", "boss", "--pin-stdin", input="4321\n")
    assert result.exit_code == 0, result.output
    folder, path = tmp_path / "db", tmp_path / "db" / "wms.db"
    assert mode(folder) == 0o700
    assert mode(path) == 0o600
    assert "created (mode 0700)" in result.output
    assert f"schema: empty -> {head_revision()}" in result.output
    assert "warehouse WH1: created" in result.output
    assert "user BOSS: created (admin)" in result.output
    engine = make_engine(db_url)
    try:
        assert sql(engine, "SELECT code FROM warehouse") == [("WH1",)]
        actor = authenticate(SqlUnitOfWork(engine), "boss", "4321")
        assert actor.role.value == "admin"
    finally:
        engine.dispose()


def test_init_twice_changes_nothing_and_says_so(wms: Wms, db_url: str, sql: Sql) -> None:
    assert wms("init", "--admin", "boss", "--pin-stdin", input="4321\n").exit_code == 0
    again = wms("init", "--admin", "boss", "--pin-stdin", input="9999\n")
    assert again.exit_code == 0, again.output
    assert "exists (mode 0600)" in again.output
    assert "(up to date)" in again.output
    assert "warehouse: exists" in again.output
    assert "user BOSS: exists, left as it is" in again.output
    engine = make_engine(db_url)
    try:
        assert sql(engine, "SELECT count(*) FROM warehouse") == [(1,)]
        authenticate(SqlUnitOfWork(engine), "boss", "4321")
    finally:
        engine.dispose()


def test_init_asks_for_the_admin_pin_hidden_when_not_given(wms: Wms, db_url: str) -> None:
    result = wms("init", "--admin", "boss", input="2468\n2468\n")
    assert result.exit_code == 0, result.output
    assert "2468" not in result.output
    engine = make_engine(db_url)
    try:
        authenticate(SqlUnitOfWork(engine), "BOSS", "2468")
    finally:
        engine.dispose()


def test_commands_before_init_say_what_to_do_and_create_nothing(wms: Wms, tmp_path: Path) -> None:
    for args in (["stock"], ["user", "list"], ["db", "current"], ["movements"]):
        result = wms(*args)
        assert result.exit_code == 1, args
        assert "run `wms init`" in result.stderr
        assert "Traceback" not in result.output
    assert not (tmp_path / "db" / "wms.db").exists()


def test_db_upgrade_and_current_report_revisions(wms: Wms) -> None:
    head = head_revision()
    first = wms("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert f"schema: empty -> {head}" in first.stdout
    again = wms("db", "upgrade")
    assert f"schema: at {head} (up to date)" in again.stdout
    current = wms("db", "current")
    assert current.exit_code == 0
    assert current.stdout.strip() == f"schema: {head} (head)"


def test_database_url_option_wins_over_the_environment(wms: Wms, tmp_path: Path) -> None:
    other = tmp_path / "other" / "elsewhere.db"
    result = wms("--database-url", f"sqlite:///{other}", "init")
    assert result.exit_code == 0, result.output
    assert other.exists()
    assert not (tmp_path / "db" / "wms.db").exists()


def test_unreachable_database_is_one_error_line_not_a_traceback(make_wms: MakeWms) -> None:
    wms = make_wms("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    result = wms("db", "upgrade")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: database: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_user_add_list_disable_enable_and_reset_pin(ready: Wms, db_url: str) -> None:
    added = ready("user", "add", "op1", "--name", "Li Wei", "--role", "operator", "--pin-stdin",
                  "--lang", "zh_CN", input="1111\n")
    assert added.exit_code == 0, added.output
    assert "user OP1: created (operator, zh_CN)" in added.stdout
    listed = json.loads(ready("user", "list", "--json").stdout)
    assert listed == [{
        "login": "OP1", "name": "Li Wei", "role": "operator", "language": "zh_CN",
        "active": True, "failed_attempts": 0, "locked": False, "locked_until": None,
    }]
    table = ready("user", "list")
    assert "Li Wei" in table.stdout and "scrypt" not in table.stdout

    assert ready("user", "disable", "op1").exit_code == 0
    assert json.loads(ready("user", "list", "--json").stdout)[0]["active"] is False
    engine = make_engine(db_url)
    try:
        with pytest.raises(AuthFailed):
            authenticate(SqlUnitOfWork(engine), "OP1", "1111")
        assert ready("user", "enable", "OP1").exit_code == 0
        authenticate(SqlUnitOfWork(engine), "OP1", "1111")
        reset = ready("user", "reset-pin", "op1", input="5555\n5555\n")
        assert reset.exit_code == 0, reset.output
        assert "5555" not in reset.output
        authenticate(SqlUnitOfWork(engine), "OP1", "5555")
    finally:
        engine.dispose()


def test_user_add_prompts_for_a_hidden_pin_with_confirmation(ready: Wms) -> None:
    mismatch = ready("user", "add", "op2", input="1234\n4321\n1234\n1234\n")
    assert mismatch.exit_code == 0, mismatch.output
    assert "1234" not in mismatch.output
    assert json.loads(ready("user", "list", "--json").stdout)[0]["login"] == "OP2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "op1", "--role", "king", "--pin-stdin"], "role 'king'"),
        (["user", "add", "op1", "--pin-stdin"], "PIN must be 4 to 8 digits"),
        (["user", "add", "op1", "--lang", "fr", "--pin-stdin"], "language 'fr'"),
        (["user", "add", "bad login!", "--pin-stdin"], "user ID"),
        (["user", "disable", "ghost"], "no user 'ghost'"),
        (["user", "reset-pin", "ghost", "--pin-stdin"], "no user 'ghost'"),
    ],
)
def test_user_bad_input_exits_2_with_one_line(ready: Wms, args: list[str], message: str) -> None:
    # The PIN is fed on standard input; "PIN must be" is the one case refusing the PIN itself.
    result = ready(*args, input=("12" if message.startswith("PIN") else "1234") + "\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert json.loads(ready("user", "list", "--json").stdout) == []


def test_duplicate_user_is_refused(ready: Wms) -> None:
    assert ready("user", "add", "op1", "--pin-stdin", input="1234\n").exit_code == 0
    again = ready("user", "add", "OP1", "--pin-stdin", input="1234\n")
    assert again.exit_code == 2
    assert "already exists" in again.stderr


@pytest.mark.postgres
def test_init_and_users_on_postgres(make_wms: MakeWms, pg_url: str) -> None:
    wms = make_wms(pg_url)
    first = wms("init", "--admin", "boss", "--pin-stdin", input="4321\n")
    assert first.exit_code == 0, first.output
    assert f"schema: empty -> {head_revision()}" in first.output
    again = wms("init")
    assert "warehouse: exists" in again.output
    assert wms("user", "add", "op1", "--pin-stdin", input="1111\n").exit_code == 0
    logins = [u["login"] for u in json.loads(wms("user", "list", "--json").stdout)]
    assert logins == ["BOSS", "OP1"]
    assert wms("db", "current").stdout.strip() == f"schema: {head_revision()} (head)"
