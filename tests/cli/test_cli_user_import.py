"""`wms user import`: upsert by user ID, PINs only where given, never echoed, never re-hashed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import MakeWms, Sql, Wms
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import AuthFailed
from wms_tui.domain.users import authenticate

USERS = "SELECT login, name, role, language, active, failed_attempts FROM wms_user ORDER BY login"


@pytest.fixture
def staff(ready: Wms) -> Wms:
    result = ready("user", "add", "op1", "--name", "Olga", "--pin-stdin", "--role", "operator",
                   input="1234\n")
    assert result.exit_code == 0, result.output
    return ready


def write(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def pin_hash(db: Engine, sql: Sql, login: str) -> str:
    [(stored,)] = sql(db, "SELECT pin_hash FROM wms_user WHERE login = :login", login=login)
    return str(stored)


def signs_in(db: Engine, login: str, pin: str) -> bool:
    try:
        authenticate(SqlUnitOfWork(db), login, pin)
    except AuthFailed:
        return False
    return True


def test_new_users_from_json_sign_in_and_a_second_run_changes_nothing(
    staff: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    path = write(tmp_path, "users.json", json.dumps([
        {"login": "op2", "name": "Otto", "pin": 4321},
        {"login": "sup2", "name": "Sue", "role": "Supervisor", "language": "zh_cn",
         "active": False, "pin": "87654321"},
    ]))
    first = staff("user", "import", path)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip().splitlines() == [
        "2 PIN(s) set from the file: it holds PINs in clear text, so delete it or keep it as "
        "safe as the PINs themselves",
        "users: 2 created, 0 unchanged, 0 updated",
    ]
    assert sql(db, USERS) == [
        ("OP1", "Olga", "operator", "en", True, 0),
        ("OP2", "Otto", "operator", "en", True, 0),
        ("SUP2", "Sue", "supervisor", "zh_CN", False, 0),
    ]
    assert signs_in(db, "OP2", "4321")
    stored = pin_hash(db, sql, "OP2")
    again = staff("user", "import", path)
    assert again.stdout.strip() == "users: 0 created, 2 unchanged, 0 updated"
    # The same PIN is not hashed again: a fresh salt would make every run an update.
    assert pin_hash(db, sql, "OP2") == stored


def test_empty_cells_and_left_out_columns_keep_what_is_stored(
    staff: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    stored = pin_hash(db, sql, "OP1")
    change = write(tmp_path, "u.csv", "login,name,role,language,active,pin\nop1,,admin,,,\n")
    result = staff("user", "import", change)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "users: 0 created, 0 unchanged, 1 updated"
    assert sql(db, USERS) == [("OP1", "Olga", "admin", "en", True, 0)]
    assert pin_hash(db, sql, "OP1") == stored
    rename = staff("user", "import", write(tmp_path, "n.csv", "login,name\nOP1,Olga Picker\n"))
    assert rename.exit_code == 0, rename.output
    assert sql(db, USERS)[0][:3] == ("OP1", "Olga Picker", "admin")
    assert signs_in(db, "OP1", "1234")


def test_a_new_pin_replaces_the_old_one_and_unlocks(
    staff: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    with db.begin() as conn:
        conn.exec_driver_sql("UPDATE wms_user SET failed_attempts = 5 WHERE login = 'OP1'")
    result = staff("user", "import", write(tmp_path, "u.csv", "login,pin,active\nop1,9999,no\n"))
    assert result.exit_code == 0, result.output
    assert "1 PIN(s) set from the file" in result.stdout
    assert sql(db, USERS) == [("OP1", "Olga", "operator", "en", False, 0)]
    enable = staff("user", "import", write(tmp_path, "e.csv", "login,active\nop1,yes\n"))
    assert enable.exit_code == 0
    assert signs_in(db, "OP1", "9999") and not signs_in(db, "OP1", "1234")


def test_dry_run_changes_nothing(staff: Wms, db: Engine, sql: Sql, tmp_path: Path) -> None:
    before = sql(db, "SELECT * FROM wms_user")
    path = write(tmp_path, "u.csv", "login,name,pin\nop1,Renamed,5555\nop7,New,7777\n")
    result = staff("user", "import", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [
        "2 PIN(s) to set from the file: it holds PINs in clear text, so delete it or keep it "
        "as safe as the PINs themselves",
        "dry run, nothing was changed: 2 row(s) valid; users: 1 to create, 0 unchanged, "
        "1 to update",
    ]
    assert sql(db, "SELECT * FROM wms_user") == before


def test_a_bad_pin_is_never_echoed(staff: Wms, tmp_path: Path) -> None:
    result = staff("user", "import", write(tmp_path, "u.csv", "login,pin\nop1,98x7\nop2,123\n"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "row 2: pin: must be 4 to 8 digits",
        "row 3: pin: must be 4 to 8 digits",
    ]
    assert "98x7" not in result.output and "123" not in result.output


def test_partial_imports_the_good_users(staff: Wms, db: Engine, sql: Sql, tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "login,role,pin\nop2,operator,2222\nop3,chief,3333\n")
    result = staff("user", "import", path, "--partial")
    assert result.exit_code == 2
    assert result.stderr.strip() == "row 3: role: 'chief' must be operator, supervisor or admin"
    assert "rejected user OP3 (row 3)" in result.stdout
    assert "1 document(s) imported, 1 rejected; users: 1 created" in result.stdout
    assert [row[0] for row in sql(db, USERS)] == ["OP1", "OP2"]


def test_user_import_and_partial_on_postgres(
    make_wms: MakeWms, pg_url: str, sql: Sql, tmp_path: Path
) -> None:
    from wms_tui.db.engine import make_engine

    wms = make_wms(pg_url)
    assert wms("init").exit_code == 0
    path = write(tmp_path, "u.json", json.dumps([
        {"login": "op2", "pin": "2222", "active": True},
        {"login": "op3", "pin": "33"},
    ]))
    result = wms("user", "import", path, "--partial")
    assert result.exit_code == 2, result.output
    assert "1 document(s) imported, 1 rejected; users: 1 created" in result.stdout
    again = wms("user", "import", path, "--partial")
    assert "users: 0 created, 1 unchanged, 0 updated" in again.stdout
    engine = make_engine(pg_url)
    try:
        assert sql(engine, "SELECT login, active FROM wms_user ORDER BY login") == [
            ("OP2", True)]
        assert signs_in(engine, "OP2", "2222")
    finally:
        engine.dispose()
