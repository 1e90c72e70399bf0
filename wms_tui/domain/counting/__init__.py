"""Cycle counting: which locations are due, blind counts with a recount, and the variance rules.

The rules (docs/counting.md explains them for supervisors):

- Scheduling by ABC class: an item at a location is due when its last completed count there is
  older than its class's frequency (A 30 days, B 90, C 365 by default, `CountPolicy`), or when it
  was never counted. A location with anything due gets one whole-location task. A location never
  has more than one open task (open, recount or pending approval), whatever triggered it.
- A count is blind: the book quantity is stored beside each count, never shown to the counter.
  Book stock of a location that was not counted counts as 0 once the location is done; stock
  found that the book does not have counts too.
- First count: equal to the book everywhere, the task is done; any variance asks for a recount
  (by another operator when the policy says so) and posts nothing.
- The recount decides, line by line: where it equals the book the first count was wrong and
  nothing is posted; where it still differs, the variance (recount - book) stands. A variance
  is within tolerance when it is at most `tolerance_qty` units AND at most `tolerance_pct` of the
  book: both, so neither many units on a big balance nor a few units on a tiny one pass
  unseen; stock found where the book has none is never within tolerance. When every standing
  variance is within tolerance they are posted at once (reason COUNT) in the count's own
  transaction; when any is beyond it, the whole location waits for a supervisor.
- Stock moving during a count (snapshot plus movements since): each count line stores the book
  quantity and the last ledger id when it was keyed. An approval posts the variance measured
  then (counted - expected) onto today's balance, never "set the balance to the count", and
  the supervisor sees the movements since. An item that moved while its location was being
  recounted never adjusts automatically. An adjustment that would take a balance below zero is
  refused and the location is recounted.

The package: `model` (values), `repository` (the storage Protocol), `rules` (pure functions),
`scheduling`, `submit` and `approval` (the transactions), `reads` and `services` (front doors).
"""

from wms_tui.domain.count_tasks import CountTrigger
from wms_tui.domain.counting.approval import approve_count
from wms_tui.domain.counting.model import (
    COUNT_REASON,
    COUNTABLE_STATUSES,
    DEFAULT_FREQUENCIES,
    LEFT_SINCE,
    MAX_COUNT_QUANTITY,
    OPEN_STATUSES,
    OWN_COUNT,
    REQUEST_COUNT,
    ApprovalResult,
    CountCandidate,
    CountLineRecord,
    CountPolicy,
    CountResult,
    CountStatus,
    CountTaskChanged,
    CountTaskRef,
    Decision,
    LineKey,
    Outcome,
    ScheduleReport,
)
from wms_tui.domain.counting.reads import counters, list_tasks, tasks_for
from wms_tui.domain.counting.repository import (
    CountingRepository,
    CountingUnitOfWork,
    CountingUowFactory,
)
from wms_tui.domain.counting.rules import (
    book_of,
    count_adjustment,
    decide,
    due_day,
    evaluate,
    is_due,
    line_keys,
    may_count,
    needs_other_counter,
    settle,
    split_adjustment,
    task_status,
    within_tolerance,
)
from wms_tui.domain.counting.scheduling import create_count_task, request_count, schedule_counts
from wms_tui.domain.counting.services import CountingServicesMixin, task_json
from wms_tui.domain.counting.submit import KeyedLine, submit_count

__all__ = [
    "COUNTABLE_STATUSES",
    "COUNT_REASON",
    "DEFAULT_FREQUENCIES",
    "LEFT_SINCE",
    "MAX_COUNT_QUANTITY",
    "OPEN_STATUSES",
    "OWN_COUNT",
    "REQUEST_COUNT",
    "ApprovalResult",
    "CountCandidate",
    "CountLineRecord",
    "CountPolicy",
    "CountResult",
    "CountStatus",
    "CountTaskChanged",
    "CountTaskRef",
    "CountTrigger",
    "CountingRepository",
    "CountingServicesMixin",
    "CountingUnitOfWork",
    "CountingUowFactory",
    "Decision",
    "KeyedLine",
    "LineKey",
    "Outcome",
    "ScheduleReport",
    "approve_count",
    "book_of",
    "count_adjustment",
    "counters",
    "create_count_task",
    "decide",
    "due_day",
    "evaluate",
    "is_due",
    "line_keys",
    "list_tasks",
    "may_count",
    "needs_other_counter",
    "request_count",
    "schedule_counts",
    "settle",
    "split_adjustment",
    "submit_count",
    "task_json",
    "task_status",
    "tasks_for",
    "within_tolerance",
]
