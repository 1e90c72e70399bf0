"""Cycle counts against the real database: ABC schedule, blind count, recount, approval, ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from tests.factories import FAST_PIN_HASH, Warehouse
from wms_tui.db.tables import CountLine, Item, Lot, User
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.counting import (
    CountingServicesMixin,
    CountPolicy,
    CountResult,
    CountStatus,
    CountTaskChanged,
    CountTrigger,
    approve_count,
    create_count_task,
    request_count,
    schedule_counts,
    submit_count,
)
from wms_tui.domain.errors import (
    InsufficientStock,
    NotFound,
    PermissionDenied,
)
from wms_tui.domain.flows.count import CountFlow
from wms_tui.domain.model import Actor, MovementKind, Role
from wms_tui.domain.rf_services import WarehouseServices
from wms_tui.domain.stock import (
    Move,
    Pick,
    Receive,
    Reserve,
    ledger_mismatches,
    new_confirmation_key,
    post,
    reserve,
)
from wms_tui.domain.supervisor import (
    ExceptionKind,
    PendingApproval,
    SupervisorServicesMixin,
    open_exceptions,
    pending_approvals,
)

Uow = Callable[[], SqlUnitOfWork]
STRICT = CountPolicy()
SAME_OPERATOR = CountPolicy(recount_by_other_operator=False)
EXPIRY = date(2099, 12, 31)


class Services(CountingServicesMixin, SupervisorServicesMixin):
    uow_factory: Uow
    read_factory: Uow

    def __init__(self, uow: Uow) -> None:
        self.uow_factory = uow
        self.read_factory = uow


@pytest.fixture
def op2(engine: Engine) -> Actor:
    """A second operator, for recounts the policy gives to someone else."""
    with Session(engine) as s:
        user = User(login="OP2", name="Op2", role="operator", pin_hash=FAST_PIN_HASH)
        s.add(user)
        s.commit()
        assert user.id is not None
        return Actor(user.id, "OP2", Role.OPERATOR, "T-TWO")


def receive(uow: Uow, wh: Warehouse, item: int, qty: int, location: int, **kw: object) -> None:
    post(uow, wh.admin, Receive(item, qty, location, "ASN-1", **kw))  # type: ignore[arg-type]


def on_hand(uow: Uow, item: int, location: int, lot_id: int | None = None) -> int:
    with uow() as u:
        return sum(r.quantity for r in u.stock.balances(item_id=item, location_id=location)
                   if r.key.lot_id == lot_id)


def task_at(uow: Uow, wh: Warehouse, location: int, **kw: object) -> int:
    with uow() as u:
        task_id = create_count_task(u, location, CountTrigger.SUPERVISOR,
                                    requested_by=wh.supervisor.user_id, **kw)  # type: ignore[arg-type]
        assert task_id is not None
        u.commit()
        return task_id


def count(uow: Uow, actor: Actor, task_id: int, *lines: tuple[int, int | None, int],
          policy: CountPolicy = STRICT, attempt: int | None = None,
          started_at: int | None = None) -> CountResult:
    return submit_count(uow, actor, task_id, list(lines), new_confirmation_key(),
                        policy=policy, attempt=attempt, started_at=started_at)


def status(uow: Uow, task_id: int) -> CountStatus:
    with uow() as u:
        return u.counting.task(task_id).status


def adjustments(uow: Uow, item: int) -> list:  # type: ignore[type-arg]
    with uow() as u:
        return [m for m in u.stock.movements(item_id=item) if m.kind == MovementKind.ADJUST]


def exact(uow: Uow) -> bool:
    with uow() as u:
        return ledger_mismatches(u) == []


# Scheduling.


def set_class(engine: Engine, item: int, abc: str) -> None:
    with Session(engine) as s:
        s.execute(update(Item).where(Item.id == item).values(abc_class=abc))  # type: ignore[arg-type]
        s.commit()


def test_schedule_creates_one_task_per_due_location_and_never_duplicates(
        engine: Engine, uow: Uow, wh: Warehouse) -> None:
    set_class(engine, wh.widget, "A")
    receive(uow, wh, wh.widget, 10, wh.a1)
    receive(uow, wh, wh.heavy, 5, wh.a1)
    receive(uow, wh, wh.heavy, 5, wh.a2)
    receive(uow, wh, wh.widget, 3, wh.dock)
    today = date(2026, 3, 1)
    report = schedule_counts(uow, wh.supervisor, today)
    # Never counted: everything is due; the dock is not cycle counted.
    assert [t.location for t in report.created] == ["A-01-01-1", "A-01-02-1"]
    assert report.due_items == 3
    assert all(t.trigger == CountTrigger.ABC and t.due == today and t.item_id is None
               for t in report.created)
    again = schedule_counts(uow, wh.supervisor, today)
    assert again.created == [] and again.already_open == ["A-01-01-1", "A-01-02-1"]


def test_schedule_follows_the_abc_frequency_from_the_last_completed_count(
        engine: Engine, uow: Uow, wh: Warehouse) -> None:
    set_class(engine, wh.widget, "A")
    set_class(engine, wh.heavy, "B")
    receive(uow, wh, wh.widget, 10, wh.a1)
    receive(uow, wh, wh.heavy, 5, wh.a2)
    first = schedule_counts(uow, None, date(2026, 3, 1))
    for task in first.created:
        item = wh.widget if task.location_id == wh.a1 else wh.heavy
        qty = 10 if item == wh.widget else 5
        assert count(uow, wh.operator, task.id, (item, None, qty)).status == CountStatus.DONE
    with Session(engine) as s:
        counted_at = s.execute(select(col(CountLine.counted_at))).scalars().first()
    assert counted_at is not None
    counted_day = (counted_at if counted_at.tzinfo else counted_at.replace(tzinfo=UTC)).date()
    policy = CountPolicy(frequencies={"A": 30, "B": 90, "C": 365})
    assert schedule_counts(uow, None, counted_day + timedelta(days=29), policy).created == []
    a_due = schedule_counts(uow, None, counted_day + timedelta(days=30), policy)
    assert [t.location_id for t in a_due.created] == [wh.a1]
    b_due = schedule_counts(uow, None, counted_day + timedelta(days=90), policy)
    assert [t.location_id for t in b_due.created] == [wh.a2]


def test_supervisor_requests_by_location_item_and_zone(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    receive(uow, wh, wh.widget, 4, wh.pick)
    with pytest.raises(PermissionDenied):
        request_count(uow, wh.operator, location="A-01-01-1")
    by_item = request_count(uow, wh.supervisor, item="WIDGET")
    assert [(t.location, t.sku, t.trigger) for t in by_item.created] == [
        ("A-01-01-1", "WIDGET", CountTrigger.SUPERVISOR),
        ("P-01-01-1", "WIDGET", CountTrigger.SUPERVISOR)]
    by_zone = request_count(uow, wh.supervisor, zone="res")
    # Empty bins are counted too (a zero check); the ones already open are reported.
    assert [t.location for t in by_zone.created] == ["A-01-02-1"]
    assert by_zone.already_open == ["A-01-01-1", "P-01-01-1"]
    assert request_count(uow, wh.supervisor, location="DOCK-1").created[0].item_id is None
    with pytest.raises(NotFound):
        request_count(uow, wh.supervisor, zone="NOPE")
    with pytest.raises(NotFound):
        request_count(uow, wh.supervisor, location="NOPE")


# Counting.


def test_matching_count_closes_the_task_and_posts_nothing(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    result = count(uow, wh.operator, task, (wh.widget, None, 4), (wh.widget, None, 6))
    assert result.status == CountStatus.DONE and result.movement_ids == []
    with uow() as u:
        [line] = u.counting.lines(task)
        newest = max(m.id or 0 for m in u.stock.movements())
    assert (line.counted, line.expected, line.attempt, line.ledger_position) == (10, 10, 1, newest)


def test_blind_count_variance_recount_and_approval(
        uow: Uow, wh: Warehouse, op2: Actor) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    first = count(uow, wh.operator, task, (wh.widget, None, 4))
    assert (first.status, first.may_recount, first.movement_ids) == (
        CountStatus.RECOUNT, False, [])
    services = Services(uow)
    # The policy gives the recount to someone else: OP1 neither sees nor may key it.
    assert services.count_tasks(wh.operator) == []
    assert [t.id for t in services.count_tasks(op2)] == [task]
    with pytest.raises(PermissionDenied):
        count(uow, wh.operator, task, (wh.widget, None, 4))
    second = count(uow, op2, task, (wh.widget, None, 4))
    assert second.status == CountStatus.PENDING_APPROVAL and second.movement_ids == []
    assert on_hand(uow, wh.widget, wh.a1) == 10

    [pending] = services.pending_approvals()
    assert pending.counted_by == "OP2" and pending.movements == ()
    [line] = pending.lines
    assert (line.sku, line.expected, line.counted, line.first_count, line.moved_since,
            line.variance) == ("WIDGET", 10, 4, 4, 0, -6)
    with pytest.raises(PermissionDenied):
        approve_count(uow, op2, task, True, new_confirmation_key())

    key = new_confirmation_key()
    approved = approve_count(uow, wh.supervisor, task, True, key)
    assert approved.status == CountStatus.DONE and len(approved.movement_ids) == 1
    assert approve_count(uow, wh.supervisor, task, True, key).replayed
    [adjust] = adjustments(uow, wh.widget)
    assert (adjust.quantity, adjust.from_location_id, adjust.reason_code, adjust.approved_by,
            adjust.user_id, adjust.reference) == (
        6, wh.a1, "COUNT", wh.supervisor.user_id, wh.supervisor.user_id, f"COUNT-{task}")
    assert on_hand(uow, wh.widget, wh.a1) == 4
    with uow() as u:
        done = u.counting.task(task)
    assert (done.status, done.approved_by, done.attempt) == (
        CountStatus.DONE, wh.supervisor.user_id, 2)
    assert exact(uow) and services.pending_approvals() == []


def test_recount_that_agrees_with_the_book_posts_nothing(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    assert count(uow, wh.operator, task, (wh.widget, None, 9),
                 policy=SAME_OPERATOR).may_recount
    result = count(uow, wh.operator, task, (wh.widget, None, 10), policy=SAME_OPERATOR)
    assert result.status == CountStatus.DONE and adjustments(uow, wh.widget) == []


def test_confirmed_variance_within_tolerance_posts_at_once(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 40, wh.a1)
    task = task_at(uow, wh, wh.a1)
    count(uow, wh.operator, task, (wh.widget, None, 38), policy=SAME_OPERATOR)
    result = count(uow, wh.operator, task, (wh.widget, None, 38), policy=SAME_OPERATOR)
    assert result.status == CountStatus.DONE and len(result.movement_ids) == 1
    [adjust] = adjustments(uow, wh.widget)
    assert (adjust.quantity, adjust.reason_code, adjust.approved_by, adjust.user_id) == (
        2, "COUNT", None, wh.operator.user_id)
    assert on_hand(uow, wh.widget, wh.a1) == 38 and exact(uow)


def test_beyond_tolerance_by_percentage_waits_for_approval(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    # 1 unit is within 2 units, but 10% of the book is beyond 5%: "and" holds it.
    count(uow, wh.operator, task, (wh.widget, None, 9), policy=SAME_OPERATOR)
    result = count(uow, wh.operator, task, (wh.widget, None, 9), policy=SAME_OPERATOR)
    assert result.status == CountStatus.PENDING_APPROVAL and adjustments(uow, wh.widget) == []


def test_found_stock_and_book_stock_not_counted(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 5, wh.a1)
    task = task_at(uow, wh, wh.a1)
    # Widgets are gone, bolts are there that the book does not know.
    for _ in range(2):
        count(uow, wh.operator, task, (wh.heavy, None, 3), policy=SAME_OPERATOR)
    assert status(uow, task) == CountStatus.PENDING_APPROVAL
    with uow() as u:
        lines = {(ln.item_id, ln.counted, ln.expected) for ln in u.counting.lines(task, 2)}
    assert lines == {(wh.widget, 0, 5), (wh.heavy, 3, 0)}
    approve_count(uow, wh.supervisor, task, True, new_confirmation_key())
    assert on_hand(uow, wh.widget, wh.a1) == 0 and on_hand(uow, wh.heavy, wh.a1) == 3
    assert exact(uow)


def test_lots_are_counted_apart(engine: Engine, uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.lotted, 6, wh.a1, lot="L1", expiry=EXPIRY)
    receive(uow, wh, wh.lotted, 4, wh.a1, lot="L2", expiry=EXPIRY)
    with Session(engine) as s:
        lots = {lot.code: lot.id for lot in s.execute(select(Lot)).scalars()}
    task = task_at(uow, wh, wh.a1)
    # The lots were mixed up on the shelf: 5 + 5 is still 10 in all.
    for _ in range(2):
        count(uow, wh.operator, task, (wh.lotted, lots["L1"], 5), (wh.lotted, lots["L2"], 5),
              policy=SAME_OPERATOR)
    assert status(uow, task) == CountStatus.PENDING_APPROVAL
    approve_count(uow, wh.supervisor, task, True, new_confirmation_key())
    assert on_hand(uow, wh.lotted, wh.a1, lots["L1"]) == 5
    assert on_hand(uow, wh.lotted, wh.a1, lots["L2"]) == 5


def test_same_key_posts_a_count_once(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 40, wh.a1)
    task = task_at(uow, wh, wh.a1)
    count(uow, wh.operator, task, (wh.widget, None, 39), policy=SAME_OPERATOR)
    key = new_confirmation_key()
    first = submit_count(uow, wh.operator, task, [(wh.widget, None, 39)], key,
                         policy=SAME_OPERATOR)
    again = submit_count(uow, wh.operator, task, [(wh.widget, None, 39)], key,
                         policy=SAME_OPERATOR)
    assert again.replayed and again.movement_ids == first.movement_ids
    assert len(adjustments(uow, wh.widget)) == 1
    with uow() as u:
        assert len(u.counting.lines(task)) == 2


def test_a_count_started_on_an_old_attempt_is_refused(uow: Uow, wh: Warehouse,
                                                       op2: Actor) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    count(uow, wh.operator, task, (wh.widget, None, 8), attempt=0)
    # OP2 had started on the first count too: its entry must not become the recount.
    with pytest.raises(CountTaskChanged):
        count(uow, op2, task, (wh.widget, None, 8), attempt=0)


# Stock moving during and after a count.


def test_stock_added_after_the_count_keeps_the_counted_variance(
        uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    for _ in range(2):
        count(uow, wh.operator, task, (wh.widget, None, 4), policy=SAME_OPERATOR)
    receive(uow, wh, wh.widget, 20, wh.a1)
    [pending] = pending_approvals_of(uow)
    assert pending.lines[0].moved_since == 20
    assert [(m.kind, m.quantity, m.to_location) for m in pending.movements] == [
        (MovementKind.RECEIVE, 20, "A-01-01-1")]
    approve_count(uow, wh.supervisor, task, True, new_confirmation_key())
    # Not "set to 4": the 6 missing at count time come off today's 30.
    assert on_hand(uow, wh.widget, wh.a1) == 24 and exact(uow)


def pending_approvals_of(uow: Uow) -> list[PendingApproval]:
    with uow() as u:
        return pending_approvals(u)


def test_stock_gone_since_the_count_is_refused_and_recounted(
        uow: Uow, wh: Warehouse, op2: Actor) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    count(uow, wh.operator, task, (wh.widget, None, 4))
    count(uow, op2, task, (wh.widget, None, 4))
    post(uow, wh.operator, Pick(wh.widget, 5, wh.a1, "SO-1"))
    result = approve_count(uow, wh.supervisor, task, True, new_confirmation_key())
    assert result.status == CountStatus.RECOUNT and result.sku == "WIDGET"
    assert result.movement_ids == [] and adjustments(uow, wh.widget) == []
    assert on_hand(uow, wh.widget, wh.a1) == 5
    # The recount goes to whoever did not key the last attempt.
    assert [t.id for t in Services(uow).count_tasks(wh.operator)] == [task]
    assert count(uow, wh.operator, task, (wh.widget, None, 5)).status == CountStatus.DONE


def test_movement_during_a_recount_never_adjusts_on_its_own(
        uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 40, wh.a1)
    receive(uow, wh, wh.widget, 5, wh.a2)
    task = task_at(uow, wh, wh.a1)
    # One widget is missing from the shelf: both counts find 39.
    count(uow, wh.operator, task, (wh.widget, None, 39), policy=SAME_OPERATOR)
    services = Services(uow)
    started = services.ledger_position()
    # One is moved in after the counter counted the shelf, before the count is keyed.
    post(uow, wh.admin, Move(wh.widget, 1, wh.a2, wh.a1, "MOVE-A2"))
    result = count(uow, wh.operator, task, (wh.widget, None, 39), policy=SAME_OPERATOR,
                   started_at=started)
    # -2 against the book then is within tolerance, but posting it would lose the moved one.
    assert result.status == CountStatus.PENDING_APPROVAL and result.movement_ids == []
    with uow() as u:
        [line] = u.counting.lines(task, 2)
    assert (line.expected, line.counted) == (41, 39)
    [pending] = pending_approvals_of(uow)
    # The supervisor sees everything that moved since the first count.
    assert [m.reference for m in pending.movements] == ["MOVE-A2"]


def test_reserved_stock_is_not_adjusted_away(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 40, wh.a1)
    reserve(uow, wh.admin, Reserve(wh.widget, 39, wh.a1, "TASK-1"))
    task = task_at(uow, wh, wh.a1)
    for _ in range(2):
        count(uow, wh.operator, task, (wh.widget, None, 38), policy=SAME_OPERATOR)
    # Within tolerance, but only 1 is free: a supervisor has to settle the picks.
    assert status(uow, task) == CountStatus.PENDING_APPROVAL
    with pytest.raises(InsufficientStock):
        approve_count(uow, wh.supervisor, task, True, new_confirmation_key())
    assert status(uow, task) == CountStatus.PENDING_APPROVAL


def test_reject_closes_the_task_and_opens_a_new_count(uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    for _ in range(2):
        count(uow, wh.operator, task, (wh.widget, None, 1), policy=SAME_OPERATOR)
    result = approve_count(uow, wh.supervisor, task, False, new_confirmation_key())
    assert result.status == CountStatus.REJECTED and result.new_task_id is not None
    with uow() as u:
        old, new = u.counting.task(task), u.counting.task(result.new_task_id)
    assert (old.status, old.approved_by) == (CountStatus.REJECTED, wh.supervisor.user_id)
    assert (new.status, new.trigger, new.location_id, new.requested_by) == (
        CountStatus.OPEN, CountTrigger.SUPERVISOR, wh.a1, wh.supervisor.user_id)
    assert adjustments(uow, wh.widget) == []


def test_who_counted_a_task_may_neither_approve_nor_reject_it(
        uow: Uow, wh: Warehouse, engine: Engine) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    # SUP1 keyed only the first attempt; OP1's recount is what waits for approval.
    count(uow, wh.supervisor, task, (wh.widget, None, 1))
    count(uow, wh.operator, task, (wh.widget, None, 1))
    assert status(uow, task) == CountStatus.PENDING_APPROVAL
    [waiting] = Services(uow).pending_approvals()
    assert waiting.counter_ids == {wh.supervisor.user_id, wh.operator.user_id}
    for approve in (True, False):
        with pytest.raises(PermissionDenied, match=(
                f"You counted task {task}: another supervisor must approve or reject it")):
            approve_count(uow, wh.supervisor, task, approve, new_confirmation_key())
    assert status(uow, task) == CountStatus.PENDING_APPROVAL
    assert adjustments(uow, wh.widget) == []
    # Someone who did not count it may: the admin approves.
    result = approve_count(uow, wh.admin, task, True, new_confirmation_key())
    assert (result.status, len(result.movement_ids)) == (CountStatus.DONE, 1)
    assert on_hand(uow, wh.widget, wh.a1) == 1 and exact(uow)


def test_open_exceptions_list_overrides_and_approvals(
        engine: Engine, uow: Uow, wh: Warehouse) -> None:
    receive(uow, wh, wh.widget, 10, wh.dock)
    post(uow, wh.supervisor, Move(wh.widget, 10, wh.dock, wh.a2, "PUTAWAY-WIDGET",
                                  reason_code="FULL"))
    task = task_at(uow, wh, wh.a2)
    for _ in range(2):
        count(uow, wh.operator, task, (wh.widget, None, 2), policy=SAME_OPERATOR)
    with uow() as u:
        found = open_exceptions(u, datetime.now(UTC))
        later = open_exceptions(u, datetime.now(UTC) + timedelta(days=8))
    assert [(e.kind, e.reference, e.location) for e in found] == [
        (ExceptionKind.OVERRIDE, "PUTAWAY-WIDGET", "A-01-02-1"),
        (ExceptionKind.APPROVAL, f"COUNT-{task}", "A-01-02-1")]
    assert [e.kind for e in later] == [ExceptionKind.APPROVAL]


class Backend(CountingServicesMixin, WarehouseServices):
    """The RF services a count flow runs on, as RfBackend will combine them."""


def test_count_flow_on_the_real_services(uow: Uow, wh: Warehouse, op2: Actor) -> None:
    receive(uow, wh, wh.widget, 10, wh.a1)
    task = task_at(uow, wh, wh.a1)
    backend = Backend(uow)
    first = CountFlow(wh.operator, backend)
    # Enter on "Enter=done" sends the count.
    for text in ("", "A-01-01-1", "09501101530003", "7", ""):
        step = first.submit(text)
    assert (step.name, step.message) == ("task", "Recount needed")
    assert first.submit("").message == "No count tasks now: Esc for menu"
    second = CountFlow(op2, backend)
    for text in ("A-01-01-1", "19501101530000", "0", "WIDGET", "7", ""):
        step = second.submit(text)
    assert (step.name, step.message) == ("task", "Sent for approval")
    with uow() as u:
        lines = [(ln.attempt, ln.counted, ln.expected, ln.counted_by)
                 for ln in u.counting.lines(task)]
    assert lines == [(1, 7, 10, wh.operator.user_id), (2, 7, 10, op2.user_id)]
    assert approve_count(uow, wh.supervisor, task, True, new_confirmation_key()).movement_ids
    assert on_hand(uow, wh.widget, wh.a1) == 7 and exact(uow)
