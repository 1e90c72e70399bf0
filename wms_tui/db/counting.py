"""Count tasks and lines in SQL (domain.counting.CountingRepository) and the supervisor's reads
(domain.supervisor.SupervisorReads); it never commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from wms_tui.db.repositories import _insert
from wms_tui.db.tables import (
    OPEN_COUNT_WHERE,
    Balance,
    CountLine,
    CountTask,
    InboundLine,
    InboundOrder,
    Item,
    Location,
    Lot,
    Lpn,
    Movement,
    OutboundLine,
    OutboundOrder,
    ReasonCode,
    Task,
    User,
    Wave,
    Zone,
    table_of,
    utcnow,
)
from wms_tui.domain.count_tasks import OPEN_STATUS_VALUES, CountTrigger
from wms_tui.domain.counting import (
    CountCandidate,
    CountLineRecord,
    CountStatus,
    CountTaskRef,
)
from wms_tui.domain.errors import N_, NotFound
from wms_tui.domain.model import LocationType, MovementKind, MovementRecord, StockStatus
from wms_tui.domain.over_receipt import OVER_RECEIPT_KIND
from wms_tui.domain.ports import LedgerLine
from wms_tui.domain.supervisor import ExceptionKind, OpenException, ShownCountLine, WaveSummary

CT = table_of(CountTask)
CL = table_of(CountLine)
B = table_of(Balance)
M = table_of(Movement)
LOC = table_of(Location)
ITEM = table_of(Item)
LOT = table_of(Lot)
USER = table_of(User)
ZONE = table_of(Zone)
REASON = table_of(ReasonCode)
OL = table_of(OutboundLine)
OO = table_of(OutboundOrder)
TASK = table_of(Task)
WAVE = table_of(Wave)
IO = table_of(InboundOrder)
IL = table_of(InboundLine)

# Cycle counts cover where stock is stored; docks, QC bays and staging only pass it through.
COUNTED_TYPES = (LocationType.RESERVE.value, LocationType.PICK.value)
CLOSED_ORDER_STATUSES = ("shipped", "cancelled")


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _task_ref(row: Any) -> CountTaskRef:
    return CountTaskRef(
        id=row.id, location_id=row.location_id, location=row.loc_code, walk_seq=row.walk_seq,
        status=CountStatus(row.status), trigger=CountTrigger(row.trigger), attempt=row.attempt,
        item_id=row.item_id, sku=row.sku, requested_by=row.requested_by,
        approved_by=row.approved_by, due=row.due, created_at=_aware(row.created_at),
    )


def _movement(r: Any) -> MovementRecord:
    return MovementRecord(
        kind=MovementKind(r.kind), item_id=r.item_id, quantity=r.quantity, user_id=r.user_id,
        terminal=r.terminal, reference=r.reference, lot_id=r.lot_id,
        from_location_id=r.from_location_id, to_location_id=r.to_location_id,
        from_lpn_id=r.from_lpn_id, to_lpn_id=r.to_lpn_id,
        from_status=StockStatus(r.from_status) if r.from_status else None,
        to_status=StockStatus(r.to_status) if r.to_status else None,
        reason_code=r.reason_code, approved_by=r.approved_by, confirmation=r.confirmation,
        created_at=_aware(r.created_at), id=r.id,
    )


def _touches(location_id: int) -> Any:
    return or_(M.c.from_location_id == location_id, M.c.to_location_id == location_id)


class SqlCounting:
    def __init__(self, session: Session) -> None:
        self.session = session

    # CountingRepository.

    def _tasks_query(self) -> Any:
        return (
            select(CT, LOC.c.code.label("loc_code"), LOC.c.walk_seq, ITEM.c.sku)
            .join(LOC, LOC.c.id == CT.c.location_id)
            .outerjoin(ITEM, ITEM.c.id == CT.c.item_id)
        )

    def task(self, task_id: int) -> CountTaskRef:
        row = self.session.execute(self._tasks_query().where(CT.c.id == task_id)).first()
        if row is None:
            raise NotFound(N_("no count task {id}"), id=task_id)
        return _task_ref(row)

    def tasks(
        self, *, statuses: Collection[CountStatus] | None = None, location_id: int | None = None
    ) -> list[CountTaskRef]:
        query = self._tasks_query()
        if statuses is not None:
            query = query.where(CT.c.status.in_([s.value for s in statuses]))
        if location_id is not None:
            query = query.where(CT.c.location_id == location_id)
        query = query.order_by(CT.c.due.is_(None), CT.c.due, LOC.c.walk_seq, LOC.c.code, CT.c.id)
        return [_task_ref(r) for r in self.session.execute(query)]

    def open_task_id(self, location_id: int) -> int | None:
        found = self.session.execute(
            select(CT.c.id)
            .where(CT.c.location_id == location_id, CT.c.status.in_(OPEN_STATUS_VALUES))
            .order_by(CT.c.id).limit(1)
        ).scalar()
        return None if found is None else int(found)

    def add_open_task(
        self, location_id: int, *, item_id: int | None, trigger: CountTrigger,
        requested_by: int | None, due: date | None,
    ) -> int | None:
        # ON CONFLICT against the partial unique index: a racing terminal's task wins quietly.
        now = utcnow()
        found = self.session.execute(
            _insert(self.session, CT)
            .values(location_id=location_id, item_id=item_id, trigger=trigger.value,
                    status=CountStatus.OPEN.value, requested_by=requested_by, due=due,
                    attempt=0, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["location_id"],
                                    index_where=text(OPEN_COUNT_WHERE))
            .returning(CT.c.id)
        ).scalar()
        return None if found is None else int(found)

    def advance(
        self, task_id: int, *, from_attempt: int, from_statuses: Collection[CountStatus],
        status: CountStatus, attempt: int, approved_by: int | None = None,
    ) -> bool:
        values: dict[str, Any] = {"status": status.value, "attempt": attempt,
                                  "updated_at": utcnow()}
        if approved_by is not None:
            values["approved_by"] = approved_by
        # The check and the change are one statement, so two counters cannot both advance it.
        result = self.session.exec(
            update(CT)
            .where(CT.c.id == task_id, CT.c.attempt == from_attempt,
                   CT.c.status.in_([s.value for s in from_statuses]))
            .values(**values)
        )
        return bool(result.rowcount == 1)

    def add_line(self, line: CountLineRecord) -> None:
        self.session.add(CountLine(
            count_task_id=line.task_id, attempt=line.attempt, item_id=line.item_id,
            lot_id=line.lot_id, counted=line.counted, expected=line.expected,
            ledger_position=line.ledger_position, counted_by=line.counted_by,
            counted_at=line.counted_at or utcnow(),
            serials=None if line.serials is None else " ".join(line.serials),
        ))
        self.session.flush()

    def lines(self, task_id: int, attempt: int | None = None) -> list[CountLineRecord]:
        query = select(CL).where(CL.c.count_task_id == task_id).order_by(CL.c.id)
        if attempt is not None:
            query = query.where(CL.c.attempt == attempt)
        return [
            CountLineRecord(
                task_id=r.count_task_id, attempt=r.attempt, item_id=r.item_id, lot_id=r.lot_id,
                counted=r.counted, expected=r.expected, ledger_position=r.ledger_position,
                counted_by=r.counted_by, counted_at=_aware(r.counted_at), id=r.id,
                serials=None if r.serials is None else tuple(r.serials.split()),
            )
            for r in self.session.execute(query)
        ]

    def ledger_position(self) -> int:
        return int(self.session.execute(select(func.max(M.c.id))).scalar() or 0)

    def movements_after(self, location_id: int, after_id: int) -> list[MovementRecord]:
        query = select(M).where(M.c.id > after_id, _touches(location_id)).order_by(M.c.id)
        return [_movement(r) for r in self.session.execute(query)]

    def candidates(self) -> list[CountCandidate]:
        last = (
            select(CT.c.location_id, CL.c.item_id, func.max(CL.c.counted_at).label("last"))
            .join(CT, CT.c.id == CL.c.count_task_id)
            .where(CT.c.status == CountStatus.DONE.value)
            .group_by(CT.c.location_id, CL.c.item_id)
            .subquery()
        )
        place = (LOC.c.id, LOC.c.code, LOC.c.walk_seq, B.c.item_id, ITEM.c.abc_class,
                 last.c.last)
        query = (
            select(*place)
            .select_from(B)
            .join(LOC, LOC.c.id == B.c.location_id)
            .join(ITEM, ITEM.c.id == B.c.item_id)
            .outerjoin(last, and_(last.c.location_id == B.c.location_id,
                                  last.c.item_id == B.c.item_id))
            .where(LOC.c.active.is_(True), LOC.c.type.in_(COUNTED_TYPES))
            .group_by(*place)
            .having(func.sum(B.c.quantity) > 0)
            .order_by(LOC.c.walk_seq, LOC.c.code, B.c.item_id)
        )
        return [
            CountCandidate(
                location_id=r.id, location=r.code, walk_seq=r.walk_seq, item_id=r.item_id,
                abc_class=r.abc_class, last_counted=_day(r.last),
            )
            for r in self.session.execute(query)
        ]

    def location_ids(self, *, zone: str | None = None, item_id: int | None = None) -> list[int]:
        query = select(LOC.c.id).where(LOC.c.active.is_(True))
        if zone is not None:
            query = (query.join(ZONE, ZONE.c.id == LOC.c.zone_id)
                     .where(ZONE.c.code == zone, LOC.c.type.in_(COUNTED_TYPES)))
        if item_id is not None:
            holding = select(B.c.location_id).where(B.c.item_id == item_id, B.c.quantity > 0)
            query = query.where(LOC.c.id.in_(holding))
        query = query.order_by(LOC.c.walk_seq, LOC.c.code)
        return [int(i) for i in self.session.execute(query).scalars()]

    # SupervisorReads.

    def shown_lines(self, task_id: int, attempt: int) -> list[ShownCountLine]:
        query = (
            select(CL, ITEM.c.sku, LOT.c.code.label("lot_code"), USER.c.login)
            .join(ITEM, ITEM.c.id == CL.c.item_id)
            .join(USER, USER.c.id == CL.c.counted_by)
            .outerjoin(LOT, LOT.c.id == CL.c.lot_id)
            .where(CL.c.count_task_id == task_id, CL.c.attempt == attempt)
            .order_by(ITEM.c.sku, LOT.c.code, CL.c.id)
        )
        return [
            ShownCountLine(
                item_id=r.item_id, sku=r.sku, lot_id=r.lot_id, lot=r.lot_code,
                counted=r.counted, expected=r.expected, ledger_position=r.ledger_position,
                counted_by=r.login, counted_at=_aware(r.counted_at),
            )
            for r in self.session.execute(query)
        ]

    def ledger_after(self, location_id: int, after_id: int) -> list[LedgerLine]:
        src, dst = aliased(LOC), aliased(LOC)
        src_lpn, dst_lpn = aliased(table_of(Lpn)), aliased(table_of(Lpn))
        approver = aliased(USER)
        query = (
            select(M, ITEM.c.sku, ITEM.c.base_uom, src.c.code.label("src"),
                   dst.c.code.label("dst"), LOT.c.code.label("lot_code"),
                   src_lpn.c.code.label("src_lpn"), dst_lpn.c.code.label("dst_lpn"),
                   USER.c.login, approver.c.login.label("approver"))
            .join(ITEM, ITEM.c.id == M.c.item_id)
            .join(USER, USER.c.id == M.c.user_id)
            .outerjoin(approver, approver.c.id == M.c.approved_by)
            .outerjoin(src, src.c.id == M.c.from_location_id)
            .outerjoin(dst, dst.c.id == M.c.to_location_id)
            .outerjoin(LOT, LOT.c.id == M.c.lot_id)
            .outerjoin(src_lpn, src_lpn.c.id == M.c.from_lpn_id)
            .outerjoin(dst_lpn, dst_lpn.c.id == M.c.to_lpn_id)
            .where(M.c.id > after_id, _touches(location_id))
            .order_by(M.c.id)
        )
        return [
            LedgerLine(
                id=r.id, created_at=_aware(r.created_at) or utcnow(), kind=MovementKind(r.kind),
                sku=r.sku, quantity=r.quantity, uom=r.base_uom, from_location=r.src,
                to_location=r.dst, lot=r.lot_code, from_lpn=r.src_lpn, to_lpn=r.dst_lpn,
                from_status=StockStatus(r.from_status) if r.from_status else None,
                to_status=StockStatus(r.to_status) if r.to_status else None,
                user=r.login, terminal=r.terminal, reference=r.reference, reason=r.reason_code,
                approved_by=r.approver,
            )
            for r in self.session.execute(query)
        ]

    def short_lines(self) -> list[OpenException]:
        query = (
            select(OL.c.line_no, OL.c.short, OO.c.reference, OO.c.created_at, ITEM.c.sku)
            .join(OO, OO.c.id == OL.c.order_id)
            .join(ITEM, ITEM.c.id == OL.c.item_id)
            .where(OL.c.short > 0, OO.c.status.not_in(CLOSED_ORDER_STATUSES))
            .order_by(OO.c.reference, OL.c.line_no)
        )
        return [
            OpenException(ExceptionKind.SHORT_LINE, f"{r.reference}/{r.line_no}", r.sku,
                          quantity=r.short, at=_aware(r.created_at))
            for r in self.session.execute(query)
        ]

    def short_tasks(self, since: datetime) -> list[OpenException]:
        query = (
            select(TASK.c.id, TASK.c.quantity, TASK.c.done_quantity, TASK.c.reason_code,
                   TASK.c.updated_at, ITEM.c.sku, LOC.c.code, USER.c.login)
            .join(ITEM, ITEM.c.id == TASK.c.item_id)
            .join(LOC, LOC.c.id == TASK.c.from_location_id)
            .outerjoin(USER, USER.c.id == TASK.c.assigned_to)
            .where(TASK.c.status == "short", TASK.c.updated_at >= since)
            .order_by(TASK.c.updated_at, TASK.c.id)
        )
        return [
            OpenException(ExceptionKind.SHORT_TASK, f"TASK-{r.id}", r.sku, r.code,
                          r.quantity - r.done_quantity, r.reason_code, r.login,
                          _aware(r.updated_at))
            for r in self.session.execute(query)
        ]

    def overrides(self, since: datetime) -> list[OpenException]:
        query = (
            select(M.c.reference, M.c.quantity, M.c.reason_code, M.c.created_at, ITEM.c.sku,
                   LOC.c.code, USER.c.login)
            .join(REASON, REASON.c.code == M.c.reason_code)
            .join(ITEM, ITEM.c.id == M.c.item_id)
            .join(USER, USER.c.id == M.c.user_id)
            .outerjoin(LOC, LOC.c.id == M.c.to_location_id)
            .where(REASON.c.kind == "override", M.c.created_at >= since)
            .order_by(M.c.id)
        )
        return [
            OpenException(ExceptionKind.OVERRIDE, r.reference, r.sku, r.code or "", r.quantity,
                          r.reason_code, r.login, _aware(r.created_at))
            for r in self.session.execute(query)
        ]

    def over_receipts(self, since: datetime) -> list[OpenException]:
        # Per order and item, as a receipt may spread over several lines of the same item.
        totals = (
            select(IL.c.order_id, IL.c.item_id, func.sum(IL.c.quantity).label("expected"),
                   func.sum(IL.c.received).label("received"))
            .group_by(IL.c.order_id, IL.c.item_id).subquery()
        )
        query = (
            select(M.c.reference, M.c.quantity, M.c.reason_code, M.c.created_at, ITEM.c.sku,
                   LOC.c.code, USER.c.login, totals.c.expected, totals.c.received)
            .join(REASON, REASON.c.code == M.c.reason_code)
            .join(ITEM, ITEM.c.id == M.c.item_id)
            .join(USER, USER.c.id == M.c.user_id)
            .outerjoin(LOC, LOC.c.id == M.c.to_location_id)
            .outerjoin(IO, IO.c.reference == M.c.reference)
            .outerjoin(totals, and_(totals.c.order_id == IO.c.id,
                                    totals.c.item_id == M.c.item_id))
            .where(REASON.c.kind == OVER_RECEIPT_KIND, M.c.kind == MovementKind.RECEIVE.value,
                   M.c.created_at >= since)
            .order_by(M.c.id)
        )
        return [
            OpenException(ExceptionKind.OVER_RECEIPT, r.reference, r.sku, r.code or "",
                          r.quantity, r.reason_code, r.login, _aware(r.created_at),
                          None if r.expected is None else int(r.expected),
                          None if r.received is None else int(r.received))
            for r in self.session.execute(query)
        ]

    def waves(self) -> list[WaveSummary]:
        orders = (select(func.count()).where(OO.c.wave_id == WAVE.c.id)
                  .correlate(WAVE).scalar_subquery())
        open_tasks = (select(func.count())
                      .where(TASK.c.wave_id == WAVE.c.id,
                             TASK.c.status.in_(("open", "in_progress")))
                      .correlate(WAVE).scalar_subquery())
        query = (select(WAVE, orders.label("orders"), open_tasks.label("open_tasks"))
                 .order_by(WAVE.c.id.desc()))
        return [
            WaveSummary(r.id, r.code, r.status, int(r.orders), int(r.open_tasks),
                        _aware(r.created_at))
            for r in self.session.execute(query)
        ]


def _day(moment: datetime | str | None) -> date | None:
    """The UTC day of a count; SQLite may hand an aggregate back as text."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    aware = _aware(moment)
    assert aware is not None
    return aware.astimezone(UTC).date()
