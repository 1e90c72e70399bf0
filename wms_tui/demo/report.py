"""What each trainee did in the practice warehouse since it was seeded (`wms demo report`).

Everything comes from the ledger and the count lines written after the seed's last ones, so
the back-dated history and the seed's own set-up never count as a trainee's work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from wms_tui.db import tables
from wms_tui.demo.seed import require_demo, seed_boundary

INBOUND_TYPES = ("dock", "qc")
# Each exercise is done once the trainee has posted this (tour has no single task to finish).
EXERCISES = {
    "receive": "a receipt line posted against an ASN",
    "putaway": "stock moved off a dock or QC location",
    "pick": "a pick task confirmed",
    "count": "a count submitted",
}


@dataclass(frozen=True)
class Posted:
    """One movement a trainee posted, as the report sorts it."""

    login: str
    kind: str
    from_type: str | None
    on_asn: bool
    terminal: str
    at: datetime


@dataclass(frozen=True)
class Counted:
    """One count attempt (all its lines) a trainee submitted."""

    login: str
    task_id: int
    attempt: int
    at: datetime


@dataclass
class TraineeActivity:
    login: str
    name: str
    role: str
    receipts: int = 0
    asn_receipts: int = 0
    putaways: int = 0
    picks: int = 0
    moves: int = 0
    counts: int = 0
    terminals: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    def saw(self, at: datetime) -> None:
        self.first = at if self.first is None else min(self.first, at)
        self.last = at if self.last is None else max(self.last, at)

    @property
    def exercises(self) -> dict[str, bool]:
        return {"receive": self.asn_receipts > 0, "putaway": self.putaways > 0,
                "pick": self.picks > 0, "count": self.counts > 0}


def trainee_activity(users: Sequence[tuple[str, str, str]], posted: Iterable[Posted],
                     counted: Iterable[Counted]) -> list[TraineeActivity]:
    """One row per user (login, name, role), busy or not, with what they completed."""
    rows = {login.upper(): TraineeActivity(login, name, role) for login, name, role in users}
    for p in posted:
        row = rows.get(p.login.upper())
        if row is None:
            continue
        row.saw(p.at)
        row.terminals.add(p.terminal)
        if p.kind == "receive":
            row.receipts += 1
            row.asn_receipts += p.on_asn
        elif p.kind == "move" and p.from_type in INBOUND_TYPES:
            row.putaways += 1
        elif p.kind == "move":
            row.moves += 1
        elif p.kind == "pick":
            row.picks += 1
    for c in {(c.login.upper(), c.task_id, c.attempt): c for c in counted}.values():
        row = rows.get(c.login.upper())
        if row is not None:
            row.saw(c.at)
            row.counts += 1
    return list(rows.values())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


M = tables.table_of(tables.Movement)
CL = tables.table_of(tables.CountLine)
USER = tables.table_of(tables.User)
LOC = tables.table_of(tables.Location)
ASN = tables.table_of(tables.InboundOrder)


def read_activity(engine: Engine, *, since: datetime | None = None,
                  login: str | None = None) -> list[TraineeActivity]:
    """Trainees' work after the seed (from `since` on, of one login if given).

    Refuses a database without the demo marker.
    """
    require_demo(engine)
    last_movement, last_line = seed_boundary(engine)
    source = LOC.alias("source")
    people = select(USER.c.login, USER.c.name, USER.c.role).order_by(USER.c.login)
    moves = (select(USER.c.login, M.c.kind, source.c.type,
                    M.c.reference.in_(select(ASN.c.reference)).label("on_asn"), M.c.terminal,
                    M.c.created_at)
             .join(USER, USER.c.id == M.c.user_id)
             .outerjoin(source, source.c.id == M.c.from_location_id)
             .where(M.c.id > last_movement))
    lines = (select(USER.c.login, CL.c.count_task_id, CL.c.attempt, CL.c.counted_at)
             .join(USER, USER.c.id == CL.c.counted_by)
             .where(CL.c.id > last_line))
    if since is not None:
        moves = moves.where(M.c.created_at >= since)
        lines = lines.where(CL.c.counted_at >= since)
    if login is not None:
        people = people.where(func.upper(USER.c.login) == login.upper())
    with Session(engine.execution_options(wms_readonly=True)) as session:
        found = [(r.login, r.name, r.role) for r in session.execute(people)]
        posted = [Posted(r.login, r.kind, r.type, bool(r.on_asn), r.terminal,
                         _aware(r.created_at)) for r in session.execute(moves)]
        counted = [Counted(r.login, r.count_task_id, r.attempt, _aware(r.counted_at))
                   for r in session.execute(lines)]
    return trainee_activity(found, posted, counted)
