"""Operators, PINs and lock-out, against the in-memory unit of work."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

import wms_tui.domain.users as users_module
from tests.fakes import FakeUnitOfWork
from wms_tui.domain.errors import AccountLocked, AuthFailed, BadInput
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.users import (
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    add_user,
    authenticate,
    hash_pin,
    is_locked,
    parse_role,
    reset_pin,
    set_active,
    unlock,
    validate_login,
    validate_pin,
    verify_pin,
)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    add_user(fake, "op1", "Olga Picker", "operator", "4711")
    return fake


def failed_attempts(uow: FakeUnitOfWork, login: str) -> int:
    return uow.committed.users[login].failed_attempts


def test_pin_hash_verifies_only_its_own_pin() -> None:
    stored = hash_pin("4711")
    assert verify_pin("4711", stored)
    assert not verify_pin("4712", stored)
    assert not verify_pin("", stored)
    assert "4711" not in stored


def test_same_pin_hashes_differently_for_each_user() -> None:
    assert hash_pin("1234") != hash_pin("1234")


@pytest.mark.parametrize(
    "stored", ["", "4711", "scrypt$1$2", "bcrypt$16384$8$1$c2FsdA==$ZGlnZXN0", "$$$$$"]
)
def test_malformed_stored_hashes_never_verify(stored: str) -> None:
    assert not verify_pin("4711", stored)


@pytest.mark.parametrize(
    ("login", "stored"),
    [("op1", "OP1"), ("a", "A"), ("j.smith-2_b", "J.SMITH-2_B"), ("X" * 20, "X" * 20)],
)
def test_valid_logins_are_stored_in_capitals(login: str, stored: str) -> None:
    assert validate_login(login) == stored


@pytest.mark.parametrize(
    "login", ["", " ", "X" * 21, "op 1", "op1;", "jörg", "op1\n", "\nop1", "op\x1b1"]
)
def test_bad_logins_are_refused(login: str) -> None:
    with pytest.raises(BadInput, match="user ID"):
        validate_login(login)


@pytest.mark.parametrize("pin", ["1234", "12345678", "0000"])
def test_valid_pins(pin: str) -> None:
    assert validate_pin(pin) == pin


@pytest.mark.parametrize(
    "pin", ["", "123", "123456789", "12a4", " 1234", "1234 ", "１２３４", "1234\n", "-123"]
)
def test_bad_pins_are_refused(pin: str) -> None:
    with pytest.raises(BadInput, match="PIN must be 4 to 8 digits"):
        validate_pin(pin)


@pytest.mark.parametrize(
    ("text", "role"),
    [("operator", Role.OPERATOR), ("SUPERVISOR", Role.SUPERVISOR), ("Admin", Role.ADMIN)],
)
def test_roles_parse_in_any_case(text: str, role: Role) -> None:
    assert parse_role(text) == role


@pytest.mark.parametrize("text", ["", "boss", "operators", " admin"])
def test_unknown_roles_are_refused(text: str) -> None:
    with pytest.raises(BadInput, match="must be operator, supervisor or admin"):
        parse_role(text)


def test_add_user_stores_a_hash_never_the_pin(uow: FakeUnitOfWork) -> None:
    user = uow.committed.users["OP1"]
    assert (user.name, user.role, user.language, user.active) == (
        "Olga Picker", "operator", "en", True
    )
    assert user.pin_hash != "4711" and verify_pin("4711", user.pin_hash)


@pytest.mark.parametrize(
    ("login", "name", "role", "pin", "language", "message"),
    [
        ("OP1", "Again", "operator", "1234", "en", "already exists"),
        ("op2", "Name", "boss", "1234", "en", "role"),
        ("op2", "Name", "operator", "12", "en", "PIN"),
        ("op2", "Name", "operator", "1234", "fr", "language"),
        ("op2", "  ", "operator", "1234", "en", "name"),
        ("op2", "N" * 81, "operator", "1234", "en", "name"),
    ],
)
def test_add_user_refuses_bad_input_and_stores_nothing(
    uow: FakeUnitOfWork, login: str, name: str, role: str, pin: str, language: str, message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        add_user(uow, login, name, role, pin, language)
    assert list(uow.committed.users) == ["OP1"]


def test_authenticate_returns_the_actor_for_the_terminal(uow: FakeUnitOfWork) -> None:
    actor = authenticate(uow, " op1 ", "4711", terminal="RF-07")
    user = uow.committed.users["OP1"]
    assert actor == Actor(user.id, "OP1", Role.OPERATOR, "RF-07")  # type: ignore[arg-type]


def detail(err: pytest.ExceptionInfo[AuthFailed]) -> str:
    return str(err.value.params["detail"])


def test_unknown_inactive_wrong_and_locked_all_get_the_same_answer(uow: FakeUnitOfWork) -> None:
    answers: set[str] = set()
    with pytest.raises(AuthFailed) as err:
        authenticate(uow, "NOBODY", "4711")
    answers.add(str(err.value))
    assert detail(err) == "unknown user"
    set_active(uow, "op1", False)
    with pytest.raises(AuthFailed) as err:
        authenticate(uow, "OP1", "4711")
    answers.add(str(err.value))
    assert detail(err) == "inactive user"
    set_active(uow, "op1", True)
    for _ in range(MAX_FAILED_ATTEMPTS + 1):
        with pytest.raises(AuthFailed) as err:
            authenticate(uow, "OP1", "0000")
        answers.add(str(err.value))
    assert answers == {"Wrong user ID or PIN, or locked"}
    # A user ID nobody has locks nothing and is not written down.
    assert list(uow.committed.users) == ["OP1"]


def test_wrong_pins_count_up_and_lock_at_the_limit(uow: FakeUnitOfWork) -> None:
    now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    for attempt in range(1, MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthFailed) as err:
            authenticate(uow, "OP1", "0000", now=now)
        assert not isinstance(err.value, AccountLocked)
        assert detail(err) == f"wrong PIN {attempt} of {MAX_FAILED_ATTEMPTS}"
        assert failed_attempts(uow, "OP1") == attempt
    with pytest.raises(AccountLocked) as err:
        authenticate(uow, "OP1", "0000", now=now)
    assert detail(err) == "wrong PIN 5 of 5, locked until 2026-12-06 08:15 UTC"
    # Once locked, even the right PIN is refused and does not reset the count.
    with pytest.raises(AccountLocked) as err:
        authenticate(uow, "OP1", "4711", now=now + timedelta(minutes=14))
    assert detail(err) == "locked until 2026-12-06 08:15 UTC"
    assert failed_attempts(uow, "OP1") == MAX_FAILED_ATTEMPTS
    assert is_locked(uow.committed.users["OP1"], now)


def test_the_lock_ends_by_itself_and_a_new_count_starts(uow: FakeUnitOfWork) -> None:
    now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthFailed):
            authenticate(uow, "OP1", "0000", now=now)
    later = now + LOCKOUT
    assert not is_locked(uow.committed.users["OP1"], later)
    with pytest.raises(AuthFailed) as err:
        authenticate(uow, "OP1", "0000", now=later)
    assert detail(err) == "wrong PIN 1 of 5"
    assert authenticate(uow, "OP1", "4711", now=later).login == "OP1"


def test_without_a_lockout_time_only_a_supervisor_unlocks(uow: FakeUnitOfWork) -> None:
    now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthFailed):
            authenticate(uow, "OP1", "0000", lockout=None, now=now)
    with pytest.raises(AccountLocked) as err:
        authenticate(uow, "OP1", "4711", lockout=None, now=now + timedelta(days=30))
    assert detail(err) == "locked until a supervisor unlocks"
    assert unlock(uow, "op1") is True
    assert unlock(uow, "op1") is False
    assert authenticate(uow, "OP1", "4711", lockout=None).login == "OP1"
    with pytest.raises(BadInput, match="no user"):
        unlock(uow, "NOBODY")


def test_a_good_pin_resets_the_count(uow: FakeUnitOfWork) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(AuthFailed):
            authenticate(uow, "OP1", "0000")
    authenticate(uow, "OP1", "4711")
    assert failed_attempts(uow, "OP1") == 0
    with pytest.raises(AuthFailed) as err:
        authenticate(uow, "OP1", "0000")
    assert detail(err) == "wrong PIN 1 of 5"


def test_reset_pin_unlocks_and_replaces_the_old_pin(uow: FakeUnitOfWork) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthFailed):
            authenticate(uow, "OP1", "0000")
    reset_pin(uow, "op1", "8642")
    assert authenticate(uow, "OP1", "8642").login == "OP1"
    with pytest.raises(AuthFailed) as err:
        authenticate(uow, "OP1", "4711")
    assert detail(err) == "wrong PIN 1 of 5"


def test_reset_and_deactivate_refuse_unknown_users(uow: FakeUnitOfWork) -> None:
    with pytest.raises(BadInput, match="no user"):
        reset_pin(uow, "NOBODY", "1234")
    with pytest.raises(BadInput, match="no user"):
        set_active(uow, "NOBODY", False)
    with pytest.raises(BadInput, match="PIN"):
        reset_pin(uow, "OP1", "12")


def test_every_refusal_costs_one_pin_check(
    uow: FakeUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing does not tell an unknown user from a wrong PIN or a locked account."""
    checks: list[str] = []
    real = users_module.verify_pin

    def counted(pin: str, stored: str) -> bool:
        checks.append(pin)
        return real(pin, stored)

    monkeypatch.setattr(users_module, "verify_pin", counted)
    set_active(uow, "op1", True)
    for login in ("NOBODY", "OP1", "OP1", "OP1", "OP1", "OP1", "OP1"):
        checks.clear()
        with pytest.raises(AuthFailed):
            authenticate(uow, login, "0000")
        assert checks == ["0000"]


def test_locking_warns_in_the_log(uow: FakeUnitOfWork, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="wms_tui.domain.users"):
        for _ in range(MAX_FAILED_ATTEMPTS):
            with pytest.raises(AuthFailed):
                authenticate(uow, "OP1", "0000", terminal="RF\x1b]0;x\x07")
    (record,) = caplog.records
    assert "user OP1 locked at terminal RF\\x1b]0;x\\x07 after 5 wrong PINs" in record.message
