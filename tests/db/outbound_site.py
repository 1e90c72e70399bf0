"""A small outbound warehouse on the real database, shared by the outbound and race tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select, update
from sqlmodel import Session

from tests.factories import Warehouse, build_warehouse, saved_id
from wms_tui.db.tables import Balance, CountTask, Item, Location, Movement, Reservation
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.model import BalanceKey
from wms_tui.domain.outbound import OutboundLineRef, OutboundOrderRef, import_outbound_orders
from wms_tui.domain.stock import Receive, ledger_mismatches, post

Uow = Callable[[], SqlUnitOfWork]
TODAY = date(2026, 1, 5)
COLUMNS = ("reference", "customer", "ship_date", "priority", "line_no", "sku", "quantity", "uom")


def rows(*lines: tuple[str, ...]) -> list[dict[str, str]]:
    return [dict(zip(COLUMNS, line, strict=True)) for line in lines]


@dataclass(frozen=True)
class Site:
    """The factory warehouse plus two totes and a staging lane."""

    engine: Engine
    wh: Warehouse
    tote1: int
    tote2: int
    stage: int

    @property
    def uow(self) -> Uow:
        return lambda: SqlUnitOfWork(self.engine)

    @classmethod
    def build(cls, engine: Engine, wh: Warehouse | None = None) -> Site:
        wh = wh or build_warehouse(engine)
        ids: dict[str, int] = {}
        with Session(engine) as s:
            for code, seq in (("TOTE-1", 900), ("TOTE-2", 901), ("STAGE-1", 902)):
                loc = Location(code=code, barcode=code, check_digits=location_check_digits(code),
                               type="staging", walk_seq=seq)
                s.add(loc)
                s.flush()
                ids[code] = saved_id(loc.id)
            s.commit()
        return cls(engine, wh, ids["TOTE-1"], ids["TOTE-2"], ids["STAGE-1"])

    def add_tote(self, code: str) -> int:
        """Another empty tote: a tote holds one order, so each order of a test gets its own."""
        with Session(self.engine) as s:
            loc = Location(code=code, barcode=code, check_digits=location_check_digits(code),
                           type="staging", walk_seq=903)
            s.add(loc)
            s.commit()
            assert loc.id is not None
            return loc.id

    def receive(self, item_id: int, qty: int, location_id: int, **extra: object) -> None:
        post(self.uow, self.wh.admin, Receive(item_id, qty, location_id, "ASN", **extra))  # type: ignore[arg-type]

    def levels(self, item_id: int, min_qty: int | None, max_qty: int | None) -> None:
        with Session(self.engine) as s:
            s.execute(update(Item).where(Item.id == item_id)  # type: ignore[arg-type]
                      .values(min_qty=min_qty, max_qty=max_qty))
            s.commit()

    def orders(self, *lines: tuple[str, ...]) -> None:
        report = import_outbound_orders(self.uow, rows(*lines))
        assert report.ok, report.errors

    def order(self, ref: str) -> OutboundOrderRef:
        with self.uow() as u:
            found = u.outbound.order_by_reference(ref)
            assert found is not None
            return found

    def lines(self, ref: str) -> list[OutboundLineRef]:
        with self.uow() as u:
            return u.outbound.lines(self.order(ref).id)

    def balance(self, item_id: int, location_id: int, lot_id: int | None = None
                ) -> tuple[int, int]:
        """(on hand, reserved) of the available balance."""
        with self.uow() as u:
            row = u.stock.balance(BalanceKey(item_id, location_id, lot_id))
            return (0, 0) if row is None else (row.quantity, row.reserved)

    def movements(self) -> list[Movement]:
        with Session(self.engine) as s:
            return list(s.execute(select(Movement).order_by(Movement.id)).scalars())  # type: ignore[arg-type]

    def count_tasks(self) -> list[CountTask]:
        with Session(self.engine) as s:
            return list(s.execute(select(CountTask).order_by(CountTask.id)).scalars())  # type: ignore[arg-type]

    def exact(self) -> list[str]:
        """Ledger mismatches plus any balance reserving more than it holds."""
        with self.uow() as u:
            problems = ledger_mismatches(u)
        with Session(self.engine) as s:
            for b in s.execute(select(Balance)).scalars():
                if not 0 <= b.reserved <= b.quantity:
                    problems.append(f"balance {b.key}: {b.quantity} on hand, {b.reserved} reserved")
        return problems

    def reserved_refs(self, item_id: int) -> dict[str, int]:
        with Session(self.engine) as s:
            found = s.execute(
                select(Reservation.reference, Reservation.quantity)  # type: ignore[call-overload]
                .join(Balance, Balance.id == Reservation.balance_id)
                .where(Balance.item_id == item_id)
            ).all()
        return {ref: qty for ref, qty in found}

