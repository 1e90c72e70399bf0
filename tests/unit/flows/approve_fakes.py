"""An in-memory supervisor desk for approval-flow unit tests: counts waiting, decisions kept."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from decimal import Decimal

from tests.flow_fakes import A1, A2, OPERATOR, SUPERVISOR, FakeServices
from wms_tui.domain.counting import (
    OWN_COUNT,
    ApprovalResult,
    CountStatus,
    CountTaskChanged,
    CountTaskRef,
    CountTrigger,
)
from wms_tui.domain.errors import PermissionDenied
from wms_tui.domain.model import Actor, LocationRef, PostResult, Role
from wms_tui.domain.supervisor import PendingApproval, VarianceLine

SUPERVISOR2 = Actor(4, "SUP2", Role.SUPERVISOR, "RF04")
B1 = LocationRef(4, "B-01-01-1", "B-01-01-1", "63", A1.type, 30, "RES", 100)

__all__ = ["A1", "A2", "B1", "OPERATOR", "SUPERVISOR", "SUPERVISOR2", "FakeDesk"]


def waiting(task_id: int, where: LocationRef, *lines: VarianceLine,
            counted_by: Actor = OPERATOR) -> PendingApproval:
    """A count of where keyed by counted_by, waiting for approval with these variances."""
    task = CountTaskRef(task_id, where.id, where.code, where.walk_seq,
                        CountStatus.PENDING_APPROVAL, CountTrigger.ABC, 1)
    return PendingApproval(task, counted_by.login, None, lines, (),
                           frozenset({counted_by.user_id}))


def variance(sku: str, book: int, counted: int, lot: str | None = None,
             moved: int = 0) -> VarianceLine:
    return VarianceLine(sku, lot, book, counted, None, moved)


@dataclass(frozen=True)
class Decision:
    actor: Actor
    task_id: int
    approve: bool
    key: str


@dataclass
class FakeDesk(FakeServices):
    """Counts waiting, in the order to do them; a decision takes one off, once per key."""

    pending: list[PendingApproval] = field(default_factory=list)
    costs: dict[str, Decimal] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    results: dict[str, ApprovalResult] = field(default_factory=dict)
    # SKUs that left their location since the count: approving them needs a recount.
    left_since: set[str] = field(default_factory=set)
    reads: int = 0

    @classmethod
    def with_counts(cls, *pending: PendingApproval) -> FakeDesk:
        base = FakeServices.standard()
        base.catalog.locations[B1.code] = B1
        return cls(base.catalog, base.lines, base.posts, list(pending),
                   {"WIDGET": Decimal("4.5000")})

    def pending_approvals(self) -> list[PendingApproval]:
        self.reads += 1
        return list(self.pending)

    def unit_costs(self, skus: Collection[str]) -> dict[str, Decimal]:
        return {sku: cost for sku, cost in self.costs.items() if sku in skus}

    def approve_count(self, actor: Actor, task_id: int, approve: bool,
                      key: str) -> ApprovalResult:
        if key in self.results:
            return replace(self.results[key], replayed=True)
        found = next((p for p in self.pending if p.task.id == task_id), None)
        if found is None:
            raise CountTaskChanged("Task {id} is not waiting for approval", id=task_id)
        if actor.user_id in found.counter_ids:
            raise PermissionDenied(OWN_COUNT, id=task_id)
        self.decisions.append(Decision(actor, task_id, approve, key))
        self.pending.remove(found)
        gone = next((ln.sku for ln in found.lines if ln.sku in self.left_since), None)
        if not approve:
            result = ApprovalResult(key, task_id, CountStatus.REJECTED, new_task_id=task_id + 100)
        elif gone is not None:
            result = ApprovalResult(key, task_id, CountStatus.RECOUNT, sku=gone)
        else:
            result = ApprovalResult(key, task_id, CountStatus.DONE,
                                    list(range(1, len(found.lines) + 1)))
        self.results[key] = result
        return result

    def posted(self, key: str) -> PostResult | None:
        if key in self.results:
            found = self.results[key]
            return PostResult(key, found.movement_ids, f"count approval {found.task_id}", True)
        return super().posted(key)
