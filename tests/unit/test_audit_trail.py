"""The audit trail merges the ledger and the log-in audit log into one timeline."""

from __future__ import annotations

from datetime import UTC, datetime

from wms_tui.domain.audit_trail import audit_trail
from wms_tui.domain.model import MovementKind
from wms_tui.domain.reports import (
    AgedStock,
    AuditEntry,
    CountEntry,
    LedgerEntry,
    LedgerFilter,
    PickFaceStock,
)


def at(hour: int) -> datetime:
    return datetime(2026, 11, 3, hour, tzinfo=UTC)


class Reads:
    """The two reads the trail needs, answering from lists."""

    def __init__(self) -> None:
        self.movements = [
            LedgerEntry(id=1, at=at(8), kind=MovementKind.RECEIVE, sku="WIDGET", quantity=5,
                        user="OP1", to_location="DOCK-01", reference="ASN-1"),
            LedgerEntry(id=2, at=at(10), kind=MovementKind.MOVE, sku="WIDGET", quantity=5,
                        user="OP1", from_location="DOCK-01", to_location="A-01"),
        ]
        self.log_ins = [AuditEntry(at(8), "login", "OP1", "10.0.0.7", "RF01", "")]

    def ledger(self, where: LedgerFilter | None = None) -> list[LedgerEntry]:
        return list(self.movements)

    def audit_events(self, since: datetime | None, until: datetime | None,
                     login: str | None) -> list[AuditEntry]:
        return list(self.log_ins)

    def count_lines(self, since: datetime | None, until: datetime | None) -> list[CountEntry]:
        return []

    def on_hand(self) -> dict[str, int]:
        return {}

    def stock_ages(self) -> list[AgedStock]:
        return []

    def pick_faces(self) -> list[PickFaceStock]:
        return []


def test_log_ins_and_movements_in_time_order_a_log_in_first_at_one_moment() -> None:
    trail = audit_trail(Reads(), LedgerFilter())
    assert [(t.source, t.event) for t in trail] == [
        ("audit", "login"), ("ledger", "receive"), ("ledger", "move")]
    assert trail[0].terminal == "RF01" and trail[0].detail == "10.0.0.7"
    assert trail[2].from_location == "DOCK-01" and trail[2].to_location == "A-01"


def test_an_item_or_location_filter_leaves_the_log_ins_out() -> None:
    assert {t.source for t in audit_trail(Reads(), LedgerFilter(sku="WIDGET"))} == {"ledger"}
    assert {t.source for t in audit_trail(Reads(), LedgerFilter(location="A-01"))} == {"ledger"}


def test_a_limit_keeps_the_newest() -> None:
    assert [t.event for t in audit_trail(Reads(), LedgerFilter(), limit=2)] == ["receive", "move"]
