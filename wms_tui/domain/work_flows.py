"""Which flow posted a movement, for reports that count work per flow.

The movement kind alone says "move" for a putaway, a replenishment and a move. Each flow
writes its own reference, and those references are the discriminator: the RF putaway flow
writes PUTAWAY-<LPN or SKU> (domain/flows/putaway.py), a replenishment the task's reference
TASK-<id> (outbound.task_reference), a count's adjustment the COUNT reason code
(counting.COUNT_REASON). tests/unit/test_work_flows.py posts through those flows and checks
the label, so a flow that changes its reference fails there rather than in a report.
"""

from __future__ import annotations

import enum

from wms_tui.domain.counting.model import COUNT_REASON
from wms_tui.domain.model import MovementKind
from wms_tui.domain.outbound.model import TASK_PREFIX

PUTAWAY_PREFIX = "PUTAWAY-"


class Flow(enum.StrEnum):
    """The work a movement was part of."""

    RECEIVE = "receive"
    PUTAWAY = "putaway"
    PICK = "pick"
    COUNT = "count"
    REPLENISH = "replenish"
    MOVE = "move"
    ADJUST = "adjust"
    STATUS = "status"
    SHIP = "ship"


def flow_of(kind: MovementKind, reference: str, reason: str | None) -> Flow:
    """The flow behind a movement of this kind, reference and reason code."""
    if kind == MovementKind.MOVE:
        if reference.startswith(PUTAWAY_PREFIX):
            return Flow.PUTAWAY
        if reference.startswith(TASK_PREFIX):
            return Flow.REPLENISH
        return Flow.MOVE
    if kind == MovementKind.ADJUST and reason == COUNT_REASON:
        return Flow.COUNT
    return Flow(kind.value)
