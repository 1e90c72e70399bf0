"""SQL implementations of the domain's repository ports; they never commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, and_, bindparam, case, delete, func, insert, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from wms_tui.db import listings
from wms_tui.db.driver_sql import DriverStatement, TransactionCursor
from wms_tui.db.tables import (
    Balance,
    IdempotencyRecord,
    Item,
    ItemAlias,
    ItemUom,
    Location,
    Lot,
    Lpn,
    Movement,
    ReasonCode,
    Reservation,
    User,
    Zone,
    table_of,
    utcnow,
)
from wms_tui.domain.errors import NotFound
from wms_tui.domain.listings import ItemFilter, ItemRow, LocationFilter, LocationRow
from wms_tui.domain.model import (
    BalanceKey,
    BalanceRow,
    ItemRef,
    LocationRef,
    LocationType,
    LpnRef,
    MovementKind,
    MovementRecord,
    StockStatus,
)

B = table_of(Balance)
L = table_of(Location)
Z = table_of(Zone)
R = table_of(Reservation)
IT = table_of(Item)
IA = table_of(ItemAlias)
U = table_of(ItemUom)
M = table_of(Movement)
K = table_of(IdempotencyRecord)

# The statements every post runs, compiled once per dialect and run on the transaction's
# DBAPI cursor (db/driver_sql.py): SQLAlchemy's per-call path cost more client time than the
# database spent running them.
# An item's columns as the driver statements read them (`_item_of` makes the ItemRef).
_ITEM_COLUMNS = (IT.c.id, IT.c.sku, IT.c.description, IT.c.base_uom, IT.c.lot_tracked,
                 IT.c.expiry_tracked, IT.c.serial_tracked, IT.c.requires_qc)
_ITEM_WITH_UNITS = DriverStatement(
    core_select(*_ITEM_COLUMNS, U.c.uom, U.c.factor)
    .select_from(IT.outerjoin(U, U.c.item_id == IT.c.id))
    .where(IT.c.id == bindparam("item_id"))
)
_UNITS = DriverStatement(
    core_select(U.c.uom, U.c.factor).where(U.c.item_id == bindparam("item_id")))
# The conditional update: the row lock and the check are one statement, so racing terminals
# can never both take the last unit.
_TAKE = DriverStatement(
    update(B)
    .where(B.c.key == bindparam("balance_key"),
           B.c.quantity - B.c.reserved >= bindparam("take_qty"))
    .values(quantity=B.c.quantity - bindparam("take_qty"), updated_at=bindparam("at"))
)
_MOVEMENT_COLUMNS = (
    "kind", "item_id", "lot_id", "quantity", "from_location_id", "to_location_id",
    "from_lpn_id", "to_lpn_id", "from_status", "to_status", "user_id", "terminal", "reference",
    "reason_code", "approved_by", "confirmation", "created_at",
)
_APPEND = DriverStatement(insert(M).returning(M.c.id), _MOVEMENT_COLUMNS)
_RESULT_OF_KEY = DriverStatement(
    core_select(K.c.result).where(K.c.key == bindparam("confirmation")))
_STORE_RESULT = DriverStatement(
    insert(K), ("key", "user_id", "operation", "result", "created_at"))
# An item as a scan finds it (by SKU, by a unit's GTIN or barcode, by alias), one statement each.
_ITEM_BY_SKU = DriverStatement(core_select(*_ITEM_COLUMNS).where(IT.c.sku == bindparam("code")))
_ITEM_UNIT = core_select(*_ITEM_COLUMNS, U.c.uom, U.c.factor).select_from(
    IT.join(U, U.c.item_id == IT.c.id))
_ITEM_BY_GTIN = DriverStatement(_ITEM_UNIT.where(U.c.gtin == bindparam("code")))
_ITEM_BY_BARCODE = DriverStatement(_ITEM_UNIT.where(U.c.barcode == bindparam("code")))
_ITEM_BY_ALIAS = DriverStatement(core_select(*_ITEM_COLUMNS).select_from(
    IT.join(IA, IA.c.item_id == IT.c.id)).where(IA.c.alias == bindparam("code")))
# A location with its zone's code in one statement: every location scan of every flow reads it.
_LOCATION_COLUMNS = core_select(
    L.c.id, L.c.code, L.c.barcode, L.c.check_digits, L.c.type, L.c.walk_seq, Z.c.code,
    L.c.capacity).select_from(L.outerjoin(Z, Z.c.id == L.c.zone_id))
_LOCATION_BY_ID = DriverStatement(_LOCATION_COLUMNS.where(L.c.id == bindparam("location_id")))
_LOCATION_BY_CODE = DriverStatement(_LOCATION_COLUMNS.where(
    or_(L.c.barcode == bindparam("code"), L.c.code == bindparam("code"))))


def upserts(table: Any, columns: tuple[str, ...], index: str,
            update: Callable[[Any], dict[str, Any]]) -> dict[str, DriverStatement]:
    """INSERT … ON CONFLICT (index) DO UPDATE SET update(excluded), built once for each
    dialect, for hot statements that run on the driver's cursor (`dialect_of` picks one)."""
    built = {}
    for dialect, make in (("sqlite", sqlite_insert), ("postgresql", pg_insert)):
        stmt = make(table)
        built[dialect] = DriverStatement(
            stmt.on_conflict_do_update(index_elements=[index], set_=update(stmt.excluded)),
            columns)
    return built


def dialect_of(transaction: RepositoryTransaction) -> str:
    return transaction.connection.dialect.name


# Stock arriving at a balance: a new row, or more on the one there (every put-down of a post).
_PUT = upserts(B, ("key", "item_id", "lot_id", "location_id", "lpn_id", "status", "quantity",
                   "reserved", "updated_at"), "key",
               lambda new: {"quantity": B.c.quantity + new.quantity,
                            "updated_at": new.updated_at})


def _insert(session: Session, table: Any) -> Any:
    """The dialect's INSERT, so ON CONFLICT works on SQLite and PostgreSQL alike."""
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def item_ref(item: Item, uom: str | None = None, factor: int = 1) -> ItemRef:
    assert item.id is not None
    return ItemRef(
        id=item.id, sku=item.sku, description=item.description, base_uom=item.base_uom,
        lot_tracked=item.lot_tracked, expiry_tracked=item.expiry_tracked,
        serial_tracked=item.serial_tracked, requires_qc=item.requires_qc, uom=uom, factor=factor,
    )


def location_ref(loc: Location, zone: str | None = None) -> LocationRef:
    assert loc.id is not None
    return LocationRef(
        id=loc.id, code=loc.code, barcode=loc.barcode, check_digits=loc.check_digits,
        type=LocationType(loc.type), walk_seq=loc.walk_seq, zone=zone, capacity=loc.capacity,
    )


def _item_of(r: Any, uom: str | None = None, factor: int = 1) -> ItemRef:
    """An _ITEM_COLUMNS row as the domain sees it, with the unit a scan found it by."""
    # SQLite hands booleans back as 0 and 1.
    return ItemRef(
        id=r[0], sku=r[1], description=r[2], base_uom=r[3], lot_tracked=bool(r[4]),
        expiry_tracked=bool(r[5]), serial_tracked=bool(r[6]), requires_qc=bool(r[7]),
        uom=uom, factor=factor)


def _location_of(row: Any) -> LocationRef:
    """A _LOCATION_COLUMNS row as the domain sees it."""
    return LocationRef(id=row[0], code=row[1], barcode=row[2], check_digits=row[3],
                       type=LocationType(row[4]), walk_seq=row[5], zone=row[6], capacity=row[7])


def lpn_ref(lpn: Lpn) -> LpnRef:
    assert lpn.id is not None
    return LpnRef(id=lpn.id, code=lpn.code, sscc=lpn.sscc, location_id=lpn.location_id)


class RepositoryTransaction(Protocol):
    """The unit of work as its repositories see it."""

    @property
    def session(self) -> Session: ...
    @property
    def driver(self) -> TransactionCursor: ...
    @property
    def connection(self) -> Connection: ...


class OnTransaction:
    """A repository on a unit of work's transaction: the hot statements through its driver
    cursor, the rest through its ORM session, which is made only when they are used."""

    def __init__(self, transaction: RepositoryTransaction) -> None:
        self.transaction = transaction
        self.driver = transaction.driver

    @property
    def session(self) -> Session:
        return self.transaction.session


class SqlCatalog(OnTransaction):
    def __init__(self, transaction: RepositoryTransaction) -> None:
        super().__init__(transaction)
        # Units read with their item, for this transaction only (so never stale across posts).
        self._units: dict[int, dict[str, int]] = {}

    def item(self, item_id: int) -> ItemRef:
        rows = self.driver.execute(_ITEM_WITH_UNITS, {"item_id": item_id}).fetchall()
        if not rows:
            raise NotFound(f"no item with id {item_id}")
        self._units[item_id] = {r[8]: r[9] for r in rows if r[8] is not None}
        return _item_of(rows[0])

    def item_by_sku(self, sku: str) -> ItemRef | None:
        return self._item(_ITEM_BY_SKU, sku)

    def item_by_gtin(self, gtin14: str) -> ItemRef | None:
        return self._item(_ITEM_BY_GTIN, gtin14)

    def item_by_code(self, code: str) -> ItemRef | None:
        return (self._item(_ITEM_BY_SKU, code) or self._item(_ITEM_BY_BARCODE, code)
                or self._item(_ITEM_BY_ALIAS, code))

    def _item(self, statement: DriverStatement, code: str) -> ItemRef | None:
        """The first item the statement finds for the code, with the unit it found it by."""
        r = self.driver.execute(statement, {"code": code}).fetchone()
        if r is None:
            return None
        return _item_of(r, r[8], r[9]) if len(r) > 8 else _item_of(r)

    def units(self, item_id: int) -> dict[str, int]:
        known = self._units.get(item_id)
        if known is not None:
            return dict(known)
        rows = self.driver.execute(_UNITS, {"item_id": item_id}).fetchall()
        return {uom: factor for uom, factor in rows}

    def location(self, location_id: int) -> LocationRef:
        row = self.driver.execute(_LOCATION_BY_ID, {"location_id": location_id}).fetchone()
        if row is None:
            raise NotFound(f"no location with id {location_id}")
        return _location_of(row)

    def location_by_code(self, code: str) -> LocationRef | None:
        row = self.driver.execute(_LOCATION_BY_CODE, {"code": code}).fetchone()
        return None if row is None else _location_of(row)

    def lpn(self, lpn_id: int) -> LpnRef:
        lpn = self.session.get(Lpn, lpn_id)
        if lpn is None:
            raise NotFound(f"no LPN with id {lpn_id}")
        return lpn_ref(lpn)

    def lpn_by_code(self, code: str) -> LpnRef | None:
        lpn = self.session.exec(
            select(Lpn).where(or_(col(Lpn.code) == code, col(Lpn.sscc) == code))
        ).first()
        return None if lpn is None else lpn_ref(lpn)

    def reason_exists(self, code: str) -> bool:
        reason = self.session.get(ReasonCode, code)
        return reason is not None and reason.active

    # Admins' listings (domain.listings.CatalogListings); the queries live in db.listings.

    def location_rows(self, where: LocationFilter) -> list[LocationRow]:
        return listings.location_rows(self.session, where)

    def item_rows(self, where: ItemFilter) -> list[ItemRow]:
        return listings.item_rows(self.session, where)

    def reason_kind(self, code: str) -> str | None:
        """An active reason code's kind (adjust, status, override…); None if there is none."""
        reason = self.session.get(ReasonCode, code)
        return reason.kind if reason is not None and reason.active else None


def _key_of(row: Any) -> BalanceKey:
    return BalanceKey(row.item_id, row.location_id, row.lot_id, row.lpn_id, StockStatus(row.status))


def _balance_row(row: Any) -> BalanceRow:
    return BalanceRow(row.id, _key_of(row), row.quantity, row.reserved)


class SqlStock(OnTransaction):

    def lot_id(self, item_id: int, code: str, expiry: date | None, *, create: bool) -> int | None:
        query = select(col(Lot.id)).where(Lot.item_id == item_id, Lot.code == code)
        found = self.session.exec(query).first()
        if found is not None or not create:
            return found
        self.session.execute(
            _insert(self.session, table_of(Lot))
            .values(item_id=item_id, code=code, expiry=expiry, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["item_id", "code"])
        )
        return self.session.exec(query).first()

    def lot_expiry(self, lot_id: int) -> date | None:
        lot = self.session.get(Lot, lot_id)
        return None if lot is None else lot.expiry

    def ensure_lpn(self, code: str, sscc: str | None, location_id: int) -> int:
        query = select(col(Lpn.id)).where(Lpn.code == code)
        found = self.session.exec(query).first()
        if found is None:
            lpn = Lpn(code=code, sscc=sscc, location_id=location_id)
            self.session.add(lpn)
            self.session.flush()
            assert lpn.id is not None
            return lpn.id
        return found

    def set_lpn_location(self, lpn_id: int, location_id: int | None) -> None:
        self.session.execute(
            update(Lpn).where(col(Lpn.id) == lpn_id).values(location_id=location_id)
        )

    def balance(self, key: BalanceKey) -> BalanceRow | None:
        row = self.session.execute(core_select(B).where(B.c.key == key.text())).first()
        return None if row is None else _balance_row(row)

    def balances_on_lpn(self, lpn_id: int) -> list[BalanceRow]:
        rows = self.session.execute(core_select(B).where(B.c.lpn_id == lpn_id).order_by(B.c.id))
        return [_balance_row(r) for r in rows]

    def balances(
        self, *, item_id: int | None = None, location_id: int | None = None
    ) -> list[BalanceRow]:
        query = core_select(B).order_by(B.c.id)
        if item_id is not None:
            query = query.where(B.c.item_id == item_id)
        if location_id is not None:
            query = query.where(B.c.location_id == location_id)
        return [_balance_row(r) for r in self.session.execute(query)]

    def take(self, key: BalanceKey, quantity: int) -> bool:
        cursor = self.driver.execute(
            _TAKE, {"balance_key": key.text(), "take_qty": quantity, "at": utcnow()})
        return bool(cursor.rowcount == 1)

    def put(self, key: BalanceKey, quantity: int) -> None:
        self.driver.execute(_PUT[dialect_of(self.transaction)], {
            "key": key.text(), "item_id": key.item_id, "lot_id": key.lot_id,
            "location_id": key.location_id, "lpn_id": key.lpn_id, "status": key.status.value,
            "quantity": quantity, "reserved": 0, "updated_at": utcnow()})

    def reserve(self, key: BalanceKey, quantity: int, reference: str) -> bool:
        result = self.session.execute(
            update(B)
            .where(B.c.key == key.text(), B.c.quantity - B.c.reserved >= quantity)
            .values(reserved=B.c.reserved + quantity)
            .returning(B.c.id)
        ).first()
        if result is None:
            return False
        stmt = _insert(self.session, R).values(
            balance_id=result.id, reference=reference, quantity=quantity, created_at=utcnow()
        )
        self.session.execute(stmt.on_conflict_do_update(
            index_elements=["reference", "balance_id"],
            set_={"quantity": R.c.quantity + stmt.excluded.quantity},
        ))
        return True

    def reserved_for(self, key: BalanceKey, reference: str) -> int:
        found = self.session.execute(
            core_select(R.c.quantity).join(B, B.c.id == R.c.balance_id)
            .where(B.c.key == key.text(), R.c.reference == reference)
        ).scalar()
        return int(found or 0)

    def release(self, key: BalanceKey, quantity: int, reference: str) -> None:
        bal = self.session.execute(
            update(B).where(B.c.key == key.text(), B.c.reserved >= quantity)
            .values(reserved=B.c.reserved - quantity).returning(B.c.id)
        ).first()
        if bal is None:
            raise NotFound(f"no reservation {reference} to release")
        cond = and_(R.c.balance_id == bal.id, R.c.reference == reference)
        held = self.session.execute(core_select(R.c.quantity).where(cond)).scalar() or 0
        if held < quantity:
            raise NotFound(f"only {held} reserved for {reference}, not {quantity}")
        if held == quantity:
            self.session.execute(delete(R).where(cond))
        else:
            self.session.execute(update(R).where(cond).values(quantity=R.c.quantity - quantity))

    def append(self, movement: MovementRecord) -> int:
        cursor = self.driver.execute(_APPEND, {
            "kind": movement.kind.value, "item_id": movement.item_id, "lot_id": movement.lot_id,
            "quantity": movement.quantity, "from_location_id": movement.from_location_id,
            "to_location_id": movement.to_location_id, "from_lpn_id": movement.from_lpn_id,
            "to_lpn_id": movement.to_lpn_id,
            "from_status": movement.from_status.value if movement.from_status else None,
            "to_status": movement.to_status.value if movement.to_status else None,
            "user_id": movement.user_id, "terminal": movement.terminal[:40],
            "reference": movement.reference, "reason_code": movement.reason_code,
            "approved_by": movement.approved_by, "confirmation": movement.confirmation,
            "created_at": movement.created_at or utcnow(),
        })
        (movement_id,) = cursor.fetchone()
        return int(movement_id)

    def movements(
        self,
        *,
        item_id: int | None = None,
        location_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[MovementRecord]:
        query = core_select(M).order_by(M.c.id)
        if item_id is not None:
            query = query.where(M.c.item_id == item_id)
        if location_id is not None:
            query = query.where(
                or_(M.c.from_location_id == location_id, M.c.to_location_id == location_id)
            )
        if since is not None:
            query = query.where(M.c.created_at >= since)
        if until is not None:
            query = query.where(M.c.created_at < until)
        if limit is not None:
            query = query.limit(limit)
        for r in self.session.execute(query):
            yield MovementRecord(
                kind=MovementKind(r.kind), item_id=r.item_id, quantity=r.quantity,
                user_id=r.user_id, terminal=r.terminal, reference=r.reference, lot_id=r.lot_id,
                from_location_id=r.from_location_id, to_location_id=r.to_location_id,
                from_lpn_id=r.from_lpn_id, to_lpn_id=r.to_lpn_id,
                from_status=StockStatus(r.from_status) if r.from_status else None,
                to_status=StockStatus(r.to_status) if r.to_status else None,
                reason_code=r.reason_code, approved_by=r.approved_by,
                confirmation=r.confirmation, created_at=r.created_at, id=r.id,
            )

    def moved_besides(self, reason_code: str) -> bool:
        """True when the ledger holds a movement whose reason is not reason_code (opening
        stock asks this before loading a site: one row is enough to know)."""
        query = core_select(M.c.id).where(
            or_(M.c.reason_code.is_(None), M.c.reason_code != reason_code)).limit(1)
        return self.session.execute(query).first() is not None

    def ledger_sums(self) -> dict[BalanceKey, int]:
        sums: dict[BalanceKey, int] = {}
        for side, sign in (("to", 1), ("from", -1)):
            loc, lpn = M.c[f"{side}_location_id"], M.c[f"{side}_lpn_id"]
            status = M.c[f"{side}_status"]
            query = (
                core_select(M.c.item_id, M.c.lot_id, loc, lpn, status, func.sum(M.c.quantity))
                .where(loc.is_not(None), status.is_not(None))
                .group_by(M.c.item_id, M.c.lot_id, loc, lpn, status)
            )
            for item_id, lot_id, loc_id, lpn_id, st, total in self.session.execute(query):
                key = BalanceKey(item_id, loc_id, lot_id, lpn_id, StockStatus(st))
                sums[key] = sums.get(key, 0) + sign * int(total)
        return sums


class SqlIdempotency(OnTransaction):

    def get(self, key: str) -> str | None:
        row = self.driver.execute(_RESULT_OF_KEY, {"confirmation": key}).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, user_id: int, operation: str, result: str) -> None:
        self.driver.execute(_STORE_RESULT, {"key": key, "user_id": user_id,
                                            "operation": operation, "result": result,
                                            "created_at": utcnow()})


class SqlUsers:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_login(self, login: str) -> User | None:
        return self.session.exec(select(User).where(User.login == login)).first()

    def add(self, login: str, name: str, role: str, pin_hash: str, language: str) -> User:
        user = User(login=login, name=name, role=role, pin_hash=pin_hash, language=language)
        self.session.add(user)
        self.session.flush()
        return user

    def all(self) -> list[User]:
        return list(self.session.exec(select(User).order_by(col(User.login))))

    def claim_attempt(self, user_id: int, limit: int, now: datetime,
                      locked_until: datetime | None) -> int | None:
        # One conditional UPDATE: PostgreSQL re-checks the WHERE on the row it waited for, and
        # SQLite's writers queue, so no two sessions both claim the last attempt.
        users = table_of(User)
        count, until = users.c.failed_attempts, users.c.locked_until
        lock_ended = and_(until.is_not(None), until <= now)
        new_count = case((count >= limit, 1), else_=count + 1)
        claimed = self.session.execute(
            update(users)
            .where(users.c.id == user_id, or_(count < limit, lock_ended))
            .values(failed_attempts=new_count,
                    locked_until=case((new_count >= limit, locked_until),
                                         else_=None))
            .returning(users.c.failed_attempts)
        ).scalar_one_or_none()
        return claimed

    def clear_attempts(self, user_id: int) -> None:
        users = table_of(User)
        self.session.execute(update(users).where(users.c.id == user_id)
                             .values(failed_attempts=0, locked_until=None))
