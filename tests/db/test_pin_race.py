"""Twenty terminals guessing one user's PIN at once, each on its own connection: exactly
MAX_FAILED_ATTEMPTS wrong PINs are checked and counted, every other guess is refused as locked
without its PIN being looked at.

Before the count moved into one conditional UPDATE (claimed before the PIN is checked), each
session read the count, checked the PIN and wrote the count back: on PostgreSQL 20 parallel
SSH sessions had 90 wrong PINs checked before the lock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.db.test_pick_race import together
from wms_tui.db.engine import make_engine
from wms_tui.db.tables import User
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.errors import AccountLocked, AuthFailed
from wms_tui.domain.users import MAX_FAILED_ATTEMPTS, add_user, authenticate, unlock

SESSIONS = 20
ROUNDS = 3
pytestmark = pytest.mark.slow


@pytest.fixture
def terminals(engine: Engine) -> Iterator[list[Engine]]:
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(SESSIONS)]
    yield engines
    for eng in engines:
        eng.dispose()


def guess(engine: Engine) -> str:
    """One wrong PIN at one terminal; what the audit trail would record."""
    try:
        authenticate(SqlUnitOfWork(engine), "OP1", "0000", terminal="RF")
    except AccountLocked as refusal:
        return "locked" if str(refusal.params["detail"]).startswith("locked") else "wrong"
    except AuthFailed:
        return "wrong"
    return "accepted"


def test_parallel_wrong_pins_stop_at_the_limit(engine: Engine, terminals: list[Engine]) -> None:
    add_user(SqlUnitOfWork(engine), "op1", "Olga", "operator", "4711")
    for _ in range(ROUNDS):
        outcomes = together(*(lambda e=e: guess(e) for e in terminals))
        assert outcomes.count("wrong") == MAX_FAILED_ATTEMPTS, outcomes
        assert outcomes.count("locked") == SESSIONS - MAX_FAILED_ATTEMPTS, outcomes
        with Session(engine) as s:
            user = s.exec(select(User).where(User.login == "OP1")).one()
            assert user.failed_attempts == MAX_FAILED_ATTEMPTS
            assert user.locked_until is not None
        # Even the right PIN waits for the lock to end or a supervisor.
        with pytest.raises(AccountLocked):
            authenticate(SqlUnitOfWork(engine), "OP1", "4711")
        assert unlock(SqlUnitOfWork(engine), "op1") is True
    assert authenticate(SqlUnitOfWork(engine), "OP1", "4711").login == "OP1"
