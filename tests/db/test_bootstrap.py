"""The composition root: one `wire` gives every front door the same working site."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from wms_tui.bootstrap import open_engine, sqlite_path, wire
from wms_tui.domain import users
from wms_tui.domain.errors import AuthFailed, BadInput
from wms_tui.domain.model import Role


def test_a_wired_site_signs_users_in_and_serves_the_rf_flows(sqlite_engine: Engine) -> None:
    site = wire(sqlite_engine)
    current, head = site.schema()
    assert current == head is not None
    users.add_user(site.uow_factory(), "op1", "Op One", Role.OPERATOR.value, "1234")
    actor = site.auth("op1", "1234", "RF01")
    assert (actor.login, actor.role, actor.terminal) == ("OP1", Role.OPERATOR, "RF01")
    with pytest.raises(AuthFailed):
        site.auth("op1", "9999", "RF01")
    assert site.services.saved_flow(actor.user_id) is None
    site.audit.record("login", login="OP1", terminal="RF01")
    assert [e.event for e in site.audit.events()] == ["login"]


def test_reads_go_through_a_read_only_unit_of_work(sqlite_engine: Engine) -> None:
    site = wire(sqlite_engine)
    assert site.read_factory().readonly and not site.uow_factory().readonly


def test_a_url_opens_its_own_engine_and_close_disposes_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wms.db'}"
    assert sqlite_path(url) == tmp_path / "wms.db"
    assert sqlite_path("postgresql+psycopg://wms@db/wms") is None
    site = wire(url)
    assert site.schema()[0] is None  # a new file has no schema yet
    site.close()
    # An RF session's engine on SQLite is the same with or without a pool.
    unpooled = open_engine(url, pooled=False)
    assert unpooled.pool.__class__.__name__ == site.engine.pool.__class__.__name__
    unpooled.dispose()


@pytest.mark.parametrize(("minutes", "expected"), [
    (None, users.LOCKOUT), ("30", timedelta(minutes=30)), (" 0 ", None),
])
def test_the_lockout_time_comes_from_the_environment(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, minutes: str | None,
    expected: timedelta | None,
) -> None:
    if minutes is not None:
        monkeypatch.setenv("WMS_LOCKOUT_MINUTES", minutes)
    assert wire(sqlite_engine).lockout == expected


@pytest.mark.parametrize("minutes", ["-5", "ten", "99999", "١٥"])
def test_a_bad_lockout_time_is_named(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, minutes: str
) -> None:
    monkeypatch.setenv("WMS_LOCKOUT_MINUTES", minutes)
    with pytest.raises(BadInput, match="WMS_LOCKOUT_MINUTES must be 0 to 10080"):
        wire(sqlite_engine)
