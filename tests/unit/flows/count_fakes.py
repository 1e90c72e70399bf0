"""An in-memory counting office for count-flow unit tests: tasks, a book, the real rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from tests.flow_fakes import A1, A2, MILK, OPERATOR, SUPERVISOR, WIDGET, FakeServices
from wms_tui.domain.counting import (
    CountPolicy,
    CountResult,
    CountStatus,
    CountTaskChanged,
    CountTaskRef,
    CountTrigger,
    evaluate,
    may_count,
    task_status,
)
from wms_tui.domain.errors import PermissionDenied
from wms_tui.domain.model import Actor, PostResult, Role

OPERATOR2 = Actor(3, "OP2", Role.OPERATOR, "RF03")
# Book quantities no screen text could hold by chance, so a leak is easy to see.
WIDGET_BOOK = 8641
MILK_BOOK = 7319
LOTS = {"L1": 71, "L2": 72}
MILK_GTIN = "05901234123457"
CASE_GTIN = "19501101530000"

__all__ = ["A1", "A2", "MILK", "OPERATOR", "SUPERVISOR", "WIDGET", "FakeCounting"]


@dataclass
class Submission:
    actor: Actor
    task_id: int
    lines: list[tuple[int, int | None, int]]
    key: str
    attempt: int | None
    started_at: int | None
    serials: Mapping[tuple[int, int | None], Sequence[str]] | None = None


@dataclass
class FakeCounting(FakeServices):
    tasks: dict[int, CountTaskRef] = field(default_factory=dict)
    # (location_id, item_id, lot_id) -> book quantity; only the fake's rules read it.
    book: dict[tuple[int, int, int | None], int] = field(default_factory=dict)
    counted: dict[tuple[int, int], list[tuple[int, int | None, int]]] = field(default_factory=dict)
    counters: dict[int, set[int]] = field(default_factory=dict)
    submissions: list[Submission] = field(default_factory=list)
    results: dict[str, CountResult] = field(default_factory=dict)
    policy: CountPolicy = field(default_factory=CountPolicy)
    position: int = 100

    @classmethod
    def counting(cls, policy: CountPolicy | None = None) -> FakeCounting:
        base = FakeServices.standard()
        base.catalog.gtins[MILK_GTIN] = MILK
        tasks = {
            1: CountTaskRef(1, A1.id, A1.code, A1.walk_seq, CountStatus.OPEN, CountTrigger.ABC, 0),
            2: CountTaskRef(2, A2.id, A2.code, A2.walk_seq, CountStatus.OPEN,
                            CountTrigger.SUPERVISOR, 0, item_id=WIDGET.id, sku=WIDGET.sku),
        }
        book = {(A1.id, WIDGET.id, None): WIDGET_BOOK, (A1.id, MILK.id, 71): MILK_BOOK,
                (A2.id, WIDGET.id, None): WIDGET_BOOK}
        return cls(base.catalog, base.lines, base.posts, tasks, book,
                   policy=policy or CountPolicy())

    def count_tasks(self, actor: Actor, location_id: int | None = None) -> list[CountTaskRef]:
        return [t for t in sorted(self.tasks.values(), key=lambda t: t.walk_seq)
                if (location_id is None or t.location_id == location_id)
                and may_count(t, actor, self.counters.get(t.id, set()), self.policy)]

    def ledger_position(self) -> int:
        return self.position

    def lot_id(self, item_id: int, code: str) -> int | None:
        return LOTS.get(code) if item_id == MILK.id else None

    def posted(self, key: str) -> PostResult | None:
        if key in self.results:
            return PostResult(key, [], "count", True)
        return super().posted(key)

    def submit_count(
        self, actor: Actor, task_id: int, lines: Sequence[tuple[int, int | None, int]],
        key: str, *, attempt: int | None = None, started_at: int | None = None,
        serials: Mapping[tuple[int, int | None], Sequence[str]] | None = None,
    ) -> CountResult:
        if key in self.results:
            return replace(self.results[key], replayed=True)
        self.submissions.append(Submission(actor, task_id, list(lines), key, attempt,
                                           started_at, serials))
        task = self.tasks[task_id]
        if attempt is not None and attempt != task.attempt:
            raise CountTaskChanged("Task {id} was counted already", id=task_id)
        if not may_count(task, actor, self.counters.get(task_id, set()), self.policy):
            raise PermissionDenied("Recount needs another operator")
        counted: dict[tuple[int, int | None], int] = {}
        for item_id, lot_id, qty in lines:
            counted[(item_id, lot_id)] = counted.get((item_id, lot_id), 0) + qty
        book = {(i, lot): q for (loc, i, lot), q in self.book.items()
                if loc == task.location_id and (task.item_id is None or i == task.item_id)}
        previous = {(i, lot): q for i, lot, q in self.counted.get((task_id, task.attempt), [])}
        outcomes = []
        for k in set(counted) | set(book) | set(previous):
            if task.attempt == 0:
                outcomes.append(evaluate(counted.get(k, 0), None, book.get(k, 0),
                                         self.policy).outcome)
            else:
                outcomes.append(evaluate(previous.get(k, 0), counted.get(k, 0), book.get(k, 0),
                                         self.policy).outcome)
        status = task_status(outcomes)
        new_attempt = task.attempt + 1
        self.tasks[task_id] = replace(task, status=status, attempt=new_attempt)
        self.counted[(task_id, new_attempt)] = [(i, lot, q) for (i, lot), q in counted.items()]
        self.counters[task_id] = {actor.user_id}
        result = CountResult(key, task_id, status, new_attempt,
                             may_recount=status == CountStatus.RECOUNT
                             and not self.policy.recount_by_other_operator)
        self.results[key] = result
        return result
