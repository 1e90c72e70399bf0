"""One transaction per RF step: inside `one_transaction` (the RF screen wraps each step in it) a
posting and the resume point saved after it commit together, once, at the step's end; what
a call committed stays committed if the step fails later; a refusal after a posting undoes
only itself; and a step that posts nothing still saves its resume point on its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from tests.factories import Warehouse
from wms_tui.bootstrap import Site, wire
from wms_tui.db.engine import READONLY
from wms_tui.db.uow import one_transaction
from wms_tui.domain.errors import DatabaseUnreachable, InsufficientStock
from wms_tui.domain.stock import Pick, Receive, post


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Iterator[Site]:
    wired = wire(engine)
    post(wired.uow_factory, wh.operator, Receive(wh.widget, 10, wh.a1, "ASN-1"))
    yield wired
    wired.close()


class Begins:
    """The write transactions begun on the site's engines (the resume point's one included)."""

    def __init__(self, site: Site) -> None:
        self.count = 0
        # PostgreSQL's relaxed engine is the same engine with options: its events are the same.
        state = site.state_engine
        self.engines = [site.engine] + ([state] if state is not None
                                        and state.pool is not site.engine.pool else [])
        for engine in self.engines:
            event.listen(engine, "begin", self.begun)

    def begun(self, conn: Any) -> None:
        if not conn.get_execution_options().get("wms_readonly", False):
            self.count += 1

    def close(self) -> None:
        for engine in self.engines:
            event.remove(engine, "begin", self.begun)


@pytest.fixture
def begins(site: Site) -> Iterator[Begins]:
    counter = Begins(site)
    yield counter
    counter.close()


def _reader(engine: Engine) -> Engine:
    """Another connection that only reads (it takes no write lock on SQLite)."""
    return engine.execution_options(**READONLY)


def _on_hand(engine: Engine, location: int, item: int) -> int:
    with _reader(engine).connect() as conn:
        return int(conn.execute(text(
            "SELECT COALESCE(SUM(quantity), 0) FROM balance "
            "WHERE location_id = :l AND item_id = :i"), {"l": location, "i": item}).scalar_one())


def _saved(engine: Engine, user_id: int) -> str | None:
    with _reader(engine).connect() as conn:
        return conn.execute(text("SELECT state FROM flow_state WHERE user_id = :u"),
                            {"u": user_id}).scalar()


def test_a_posting_and_its_resume_point_are_one_transaction(
    site: Site, engine: Engine, wh: Warehouse, begins: Begins
) -> None:
    services = site.services
    with services.step_transaction():
        services.post(wh.operator, Pick(wh.widget, 3, wh.a1, "SO-1"), "K-STEP-1")
        services.save_flow(wh.operator.user_id, "pick", {"step": "start"}, "RF01")
        # Nothing is visible to anyone else until the step's end commits both.
        assert _on_hand(engine, wh.a1, wh.widget) == 10
        assert _saved(engine, wh.operator.user_id) is None
    assert begins.count == 1
    assert _on_hand(engine, wh.a1, wh.widget) == 7
    assert _saved(engine, wh.operator.user_id) == '{"step": "start"}'


def test_without_a_step_the_same_calls_take_two_transactions(
    site: Site, engine: Engine, wh: Warehouse, begins: Begins
) -> None:
    """The control: the counter does see the resume point's own transaction."""
    services = site.services
    services.post(wh.operator, Pick(wh.widget, 3, wh.a1, "SO-1"), "K-STEP-1")
    services.save_flow(wh.operator.user_id, "pick", {"step": "start"}, "RF01")
    assert begins.count == 2
    assert _on_hand(engine, wh.a1, wh.widget) == 7


def test_a_step_that_posts_nothing_saves_its_resume_point_alone(
    site: Site, engine: Engine, wh: Warehouse, begins: Begins
) -> None:
    services = site.services
    with services.step_transaction():
        services.stock_at(wh.a1)
        services.save_flow(wh.operator.user_id, "move", {"step": "item"}, "RF01")
        # Not held open: a resume point alone never carries a step (it commits without sync).
        assert _saved(engine, wh.operator.user_id) == '{"step": "item"}'
    assert begins.count == 1


def test_reads_after_a_posting_in_the_step_see_it(
    site: Site, wh: Warehouse
) -> None:
    services = site.services
    with services.step_transaction():
        services.post(wh.operator, Pick(wh.widget, 4, wh.a1, "SO-1"), "K-STEP-1")
        assert [line.quantity for line in services.stock_at(wh.a1, wh.widget)] == [6]
        replay = services.post(wh.operator, Pick(wh.widget, 4, wh.a1, "SO-1"), "K-STEP-1")
        assert replay.replayed


def test_a_refusal_after_a_posting_undoes_only_itself(
    site: Site, engine: Engine, wh: Warehouse
) -> None:
    services = site.services
    with services.step_transaction():
        services.post(wh.operator, Pick(wh.widget, 3, wh.a1, "SO-1"), "K-STEP-1")
        with pytest.raises(InsufficientStock):
            services.post(wh.operator, Pick(wh.widget, 50, wh.a1, "SO-2"), "K-STEP-2")
        services.save_flow(wh.operator.user_id, "pick", {"step": "qty"}, "RF01")
    assert _on_hand(engine, wh.a1, wh.widget) == 7
    assert services.posted("K-STEP-1") is not None
    assert services.posted("K-STEP-2") is None
    assert _saved(engine, wh.operator.user_id) == '{"step": "qty"}'


def test_what_a_failing_step_posted_stays_posted(
    site: Site, engine: Engine, wh: Warehouse
) -> None:
    """As without the step transaction: the posting committed; the step failed after it."""
    services = site.services
    with pytest.raises(RuntimeError), services.step_transaction():
        services.post(wh.operator, Pick(wh.widget, 3, wh.a1, "SO-1"), "K-STEP-1")
        raise RuntimeError("the flow failed after posting")
    assert _on_hand(engine, wh.a1, wh.widget) == 7
    assert services.posted("K-STEP-1") is not None


def test_nested_steps_commit_once_at_the_outer_end(
    site: Site, engine: Engine, wh: Warehouse, begins: Begins
) -> None:
    services = site.services
    with one_transaction():
        with one_transaction():
            services.post(wh.operator, Pick(wh.widget, 1, wh.a1, "SO-1"), "K-STEP-1")
        assert _on_hand(engine, wh.a1, wh.widget) == 10
        services.post(wh.operator, Pick(wh.widget, 1, wh.a1, "SO-2"), "K-STEP-2")
    assert _on_hand(engine, wh.a1, wh.widget) == 8
    assert begins.count == 1


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_lost_connection_at_the_steps_commit_posts_nothing(
    site: Site, engine: Engine, wh: Warehouse
) -> None:
    """The step's one commit fails: the step fails by name and neither the posting nor the
    resume point is there, so the operator's next scan posts it (with the same key) once."""
    services = site.services
    with pytest.raises(DatabaseUnreachable), services.step_transaction():
        services.post(wh.operator, Pick(wh.widget, 3, wh.a1, "SO-1"), "K-STEP-1")
        services.save_flow(wh.operator.user_id, "pick", {"step": "start"}, "RF01")
        with engine.connect() as admin:
            admin.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state LIKE 'idle in transaction%'"))
            admin.commit()
    assert _on_hand(engine, wh.a1, wh.widget) == 10
    assert _saved(engine, wh.operator.user_id) is None
    again = services.post(wh.operator, Pick(wh.widget, 3, wh.a1, "SO-1"), "K-STEP-1")
    assert not again.replayed
    assert _on_hand(engine, wh.a1, wh.widget) == 7
