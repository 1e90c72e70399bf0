"""All SQLModel tables in one module, so relationships never import in circles."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

# A unit of work opened with a clock stamps its rows by it (the demo's back-dated history).
CLOCK: ContextVar[Callable[[], datetime] | None] = ContextVar("wms_clock", default=None)


def utcnow() -> datetime:
    clock = CLOCK.get()
    return datetime.now(UTC) if clock is None else clock()


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model, for queries written against its columns (.c).

    SQLModel leaves ``__table__`` undeclared, so it is read untyped and checked here once.
    """
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


# The open count-task statuses (domain.count_tasks.OPEN_STATUS_VALUES), as an index predicate.
OPEN_COUNT_WHERE = "status IN ('open', 'recount', 'pending_approval')"
# A cancelled order's pallet may come again on a new order (the supplier resends it).
LIVE_INBOUND_SSCC_WHERE = "sscc IS NOT NULL AND status <> 'cancelled'"
# Open replenishment tasks (domain.outbound TaskKind.REPLENISH, OPEN_TASK_STATUSES).
OPEN_REPLENISH_WHERE = "kind = 'replenish' AND status IN ('open', 'in_progress')"


class Warehouse(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=80)


class Zone(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    warehouse_id: int = Field(foreign_key="warehouse.id")
    code: str = Field(max_length=20)
    name: str = Field(max_length=80, default="")


class Location(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="ck_location_capacity"),
        Index("ix_location_zone_walk", "zone_id", "walk_seq"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    barcode: str = Field(max_length=40, unique=True)
    check_digits: str = Field(max_length=4)
    type: str = Field(max_length=12, default="reserve")
    walk_seq: int = Field(default=0, index=True)
    aisle: str = Field(max_length=10, default="")
    bay: str = Field(max_length=10, default="")
    level: str = Field(max_length=10, default="")
    capacity: int | None = None
    zone_id: int | None = Field(default=None, foreign_key="zone.id")
    active: bool = True


class Item(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("min_qty IS NULL OR min_qty >= 0", name="ck_item_min"),
        CheckConstraint("max_qty IS NULL OR min_qty IS NULL OR max_qty >= min_qty",
                        name="ck_item_max"),
        CheckConstraint("unit_cost IS NULL OR unit_cost >= 0", name="ck_item_cost"),
    )
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=40, unique=True)
    description: str = Field(max_length=120, default="")
    base_uom: str = Field(max_length=8, default="EA")
    lot_tracked: bool = False
    expiry_tracked: bool = False
    serial_tracked: bool = False
    requires_qc: bool = False
    abc_class: str = Field(max_length=1, default="C")
    min_qty: int | None = None
    max_qty: int | None = None
    zone_id: int | None = Field(default=None, foreign_key="zone.id")
    active: bool = True
    # Cost of one base unit (the ERP's standard cost), for accuracy by value; None = unknown.
    unit_cost: Decimal | None = Field(default=None, max_digits=14, decimal_places=4)


class ItemUom(SQLModel, table=True):
    __tablename__ = "item_uom"
    __table_args__ = (
        UniqueConstraint("item_id", "uom"),
        CheckConstraint("factor > 0", name="ck_item_uom_factor"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    uom: str = Field(max_length=8)
    factor: int = 1
    gtin: str | None = Field(default=None, max_length=14, unique=True)
    barcode: str | None = Field(default=None, max_length=48, unique=True)


class ItemAlias(SQLModel, table=True):
    __tablename__ = "item_alias"
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    alias: str = Field(max_length=48, unique=True)
    kind: str = Field(max_length=12, default="supplier")


class Lot(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("item_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id")
    code: str = Field(max_length=20)
    expiry: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Lpn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    sscc: str | None = Field(default=None, max_length=18, unique=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    created_at: datetime = Field(default_factory=utcnow)


class Balance(SQLModel, table=True):
    """On-hand stock per (item, lot, location, LPN, status); the ledger is its proof."""

    __table_args__ = (
        CheckConstraint("quantity >= 0", name="ck_balance_nonnegative"),
        CheckConstraint("reserved >= 0", name="ck_balance_reserved_nonnegative"),
        CheckConstraint("reserved <= quantity", name="ck_balance_reserved_within"),
        Index("ix_balance_location", "location_id"),
        Index("ix_balance_item", "item_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    location_id: int = Field(foreign_key="location.id")
    lpn_id: int | None = Field(default=None, foreign_key="lpn.id")
    status: str = Field(max_length=12, default="available")
    quantity: int = 0
    reserved: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class Reservation(SQLModel, table=True):
    """Stock promised to a task or order line; Balance.reserved is their sum."""

    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_reservation_positive"),
        UniqueConstraint("reference", "balance_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    balance_id: int = Field(foreign_key="balance.id", index=True)
    reference: str = Field(max_length=60, index=True)
    quantity: int
    created_at: datetime = Field(default_factory=utcnow)


class Movement(SQLModel, table=True):
    """The append-only ledger: triggers refuse UPDATE and DELETE."""

    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_movement_positive"),
        CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL",
            name="ck_movement_has_side",
        ),
        Index("ix_movement_item_time", "item_id", "created_at"),
        # (x, id) indexes keep "this item's/location's ledger, in order" flat as history grows.
        Index("ix_movement_item_id", "item_id", "id"),
        Index("ix_movement_from_loc", "from_location_id", "id"),
        Index("ix_movement_to_loc", "to_location_id", "id"),
        Index("ix_movement_time", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    quantity: int
    from_location_id: int | None = Field(default=None, foreign_key="location.id")
    to_location_id: int | None = Field(default=None, foreign_key="location.id")
    from_lpn_id: int | None = Field(default=None, foreign_key="lpn.id")
    to_lpn_id: int | None = Field(default=None, foreign_key="lpn.id")
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str | None = Field(default=None, max_length=12)
    user_id: int = Field(foreign_key="wms_user.id")
    terminal: str = Field(max_length=40)
    reference: str = Field(max_length=60)
    reason_code: str | None = Field(default=None, foreign_key="reason_code.code")
    approved_by: int | None = Field(default=None, foreign_key="wms_user.id")
    confirmation: str | None = Field(default=None, max_length=80, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ReasonCode(SQLModel, table=True):
    __tablename__ = "reason_code"
    code: str = Field(primary_key=True, max_length=12)
    description: str = Field(max_length=80)
    kind: str = Field(max_length=12, default="adjust")
    active: bool = True


class User(SQLModel, table=True):
    __tablename__ = "wms_user"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=80)
    role: str = Field(max_length=12, default="operator")
    pin_hash: str = Field(max_length=200)
    failed_attempts: int = 0
    # None with a full count: locked until a supervisor unlocks.
    locked_until: datetime | None = None
    active: bool = True
    language: str = Field(max_length=8, default="en")
    created_at: datetime = Field(default_factory=utcnow)


class IdempotencyRecord(SQLModel, table=True):
    """The first result of a confirmation key; a resubmit returns it and posts nothing."""

    __tablename__ = "idempotency_record"
    key: str = Field(primary_key=True, max_length=80)
    user_id: int = Field(foreign_key="wms_user.id")
    operation: str = Field(max_length=20)
    result: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)


class FlowState(SQLModel, table=True):
    """The operator's flow, saved after every step so a dropped terminal resumes exactly."""

    __tablename__ = "flow_state"
    user_id: int = Field(primary_key=True, foreign_key="wms_user.id")
    flow: str = Field(max_length=20)
    state: str = Field(max_length=8000)
    terminal: str = Field(max_length=40, default="")
    updated_at: datetime = Field(default_factory=utcnow)


class InboundOrder(SQLModel, table=True):
    """An ASN or purchase order: what a supplier will deliver, which receipts count against."""

    __tablename__ = "inbound_order"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'receiving', 'closed', 'cancelled')",
            name="ck_inbound_order_status",
        ),
        # One live order per pallet SSCC, whichever import (file, API, EDI) writes it.
        Index("ux_inbound_order_sscc_live", "sscc", unique=True,
              sqlite_where=text(LIVE_INBOUND_SSCC_WHERE),
              postgresql_where=text(LIVE_INBOUND_SSCC_WHERE)),
    )
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    supplier: str = Field(max_length=80, default="")
    # The pallet SSCC the ASN announces for the whole delivery; lines may carry their own.
    sscc: str | None = Field(default=None, max_length=18, index=True)
    status: str = Field(max_length=12, default="open")
    expected_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class InboundLine(SQLModel, table=True):
    """One expected item of an inbound order, in base units, with what has been received so far."""

    __tablename__ = "inbound_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("quantity > 0", name="ck_inbound_line_quantity"),
        CheckConstraint("received >= 0", name="ck_inbound_line_received"),
        CheckConstraint("tolerance_pct >= 0", name="ck_inbound_line_tolerance"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="inbound_order.id")
    line_no: int
    item_id: int = Field(foreign_key="item.id")
    quantity: int
    received: int = 0
    tolerance_pct: int = 0
    lot: str | None = Field(default=None, max_length=20)
    # The lot's expiry as the ASN announced it; a receipt of that lot takes it without asking.
    expiry: date | None = None
    sscc: str | None = Field(default=None, max_length=18, index=True)


class OutboundOrder(SQLModel, table=True):
    """A customer order to pick and ship; released into a wave for picking."""

    __tablename__ = "outbound_order"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'released', 'picking', 'picked', 'short', 'shipped', 'cancelled')",
            name="ck_outbound_order_status",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    customer: str = Field(max_length=80, default="")
    ship_date: date | None = None
    priority: int = 5
    status: str = Field(max_length=12, default="open")
    wave_id: int | None = Field(default=None, foreign_key="wave.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class OutboundLine(SQLModel, table=True):
    """One ordered item, in base units: allocated, picked and short so far."""

    __tablename__ = "outbound_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("quantity > 0", name="ck_outbound_line_quantity"),
        CheckConstraint("allocated >= 0 AND picked >= 0 AND short >= 0",
                        name="ck_outbound_line_nonnegative"),
        CheckConstraint("picked + short <= quantity", name="ck_outbound_line_within"),
        # Only picked units ship (migration 0020).
        CheckConstraint("shipped >= 0 AND shipped <= picked", name="ck_outbound_line_shipped"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="outbound_order.id", index=True)
    line_no: int
    item_id: int = Field(foreign_key="item.id")
    quantity: int
    uom: str = Field(max_length=8, default="EA")
    allocated: int = 0
    picked: int = 0
    short: int = 0
    shipped: int = 0


class Wave(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "status IN ('released', 'picking', 'done', 'cancelled')", name="ck_wave_status"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    status: str = Field(max_length=12, default="released")
    released_by: int | None = Field(default=None, foreign_key="wms_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Task(SQLModel, table=True):
    """Directed work: a pick line or a replenishment, in walk order; it holds a reservation."""

    __table_args__ = (
        CheckConstraint("kind IN ('pick', 'replenish')", name="ck_task_kind"),
        CheckConstraint(
            "status IN ('open', 'in_progress', 'done', 'short', 'cancelled')",
            name="ck_task_status",
        ),
        CheckConstraint("quantity > 0 AND done_quantity >= 0 AND done_quantity <= quantity",
                        name="ck_task_quantity"),
        Index("ix_task_open", "kind", "status", "seq"),
        # At most one open replenishment per pick face and item (see domain.outbound).
        Index("ux_task_open_replenishment", "to_location_id", "item_id", unique=True,
              sqlite_where=text(OPEN_REPLENISH_WHERE),
              postgresql_where=text(OPEN_REPLENISH_WHERE)),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    status: str = Field(max_length=12, default="open")
    wave_id: int | None = Field(default=None, foreign_key="wave.id", index=True)
    order_line_id: int | None = Field(default=None, foreign_key="outbound_line.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    from_location_id: int = Field(foreign_key="location.id")
    to_location_id: int | None = Field(default=None, foreign_key="location.id")
    lpn_id: int | None = Field(default=None, foreign_key="lpn.id")
    quantity: int
    done_quantity: int = 0
    seq: int = 0
    reservation: str = Field(max_length=60, default="")
    assigned_to: int | None = Field(default=None, foreign_key="wms_user.id")
    reason_code: str | None = Field(default=None, foreign_key="reason_code.code")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ToteOrder(SQLModel, table=True):
    """The outbound order a tote (a staging location) collects: one order per tote."""

    __tablename__ = "tote_order"
    __table_args__ = (Index("ux_tote_order_tote", "tote_id", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    tote_id: int = Field(foreign_key="location.id")
    order_id: int = Field(foreign_key="outbound_order.id", index=True)
    bound_at: datetime = Field(default_factory=utcnow)


class CountTask(SQLModel, table=True):
    """A blind count of one location (optionally one item); recounted, approved or posted."""

    __tablename__ = "count_task"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'recount', 'pending_approval', 'done', 'rejected', 'cancelled')",
            name="ck_count_task_status",
        ),
        Index("ix_count_task_open", "status", "location_id"),
        # At most one open task per location, whichever trigger creates it (see count_tasks).
        Index("ux_count_task_open_location", "location_id", unique=True,
              sqlite_where=text(OPEN_COUNT_WHERE), postgresql_where=text(OPEN_COUNT_WHERE)),
    )
    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id")
    item_id: int | None = Field(default=None, foreign_key="item.id")
    status: str = Field(max_length=20, default="open")
    # Why it exists: abc, short_pick, zero_check, supervisor.
    trigger: str = Field(max_length=20, default="supervisor")
    attempt: int = 0
    requested_by: int | None = Field(default=None, foreign_key="wms_user.id")
    approved_by: int | None = Field(default=None, foreign_key="wms_user.id")
    due: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CountLine(SQLModel, table=True):
    """What one count attempt found for an item/lot, beside the book quantity at that moment."""

    __tablename__ = "count_line"
    __table_args__ = (CheckConstraint("counted >= 0", name="ck_count_line_counted"),)
    id: int | None = Field(default=None, primary_key=True)
    count_task_id: int = Field(foreign_key="count_task.id", index=True)
    attempt: int
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    counted: int
    # The book quantity and the last ledger row when the count was keyed (snapshot rule).
    expected: int
    ledger_position: int = 0
    counted_by: int = Field(foreign_key="wms_user.id")
    counted_at: datetime = Field(default_factory=utcnow)
    # The counted units' serials, space-separated (a serial has no blanks); None when the count
    # recorded none. Up to 100 serials of 20 characters.
    serials: str | None = Field(default=None, max_length=2100)


# Serials that are in the warehouse (domain.serials.SerialStatus.IN_STOCK), as an index predicate.
SERIAL_IN_STOCK_WHERE = "status = 'in_stock'"


class Serial(SQLModel, table=True):
    """One serial-numbered unit of an item: where it is while in stock, and its status."""

    __table_args__ = (
        CheckConstraint("status IN ('in_stock', 'issued', 'missing')", name="ck_serial_status"),
        # A serial is in stock once per item: two receipts of it cannot both commit.
        Index("ux_serial_in_stock", "item_id", "serial", unique=True,
              sqlite_where=text(SERIAL_IN_STOCK_WHERE),
              postgresql_where=text(SERIAL_IN_STOCK_WHERE)),
        Index("ix_serial_serial", "serial"),
        Index("ix_serial_location", "location_id", "item_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id")
    serial: str = Field(max_length=20)
    status: str = Field(max_length=12, default="in_stock")
    location_id: int | None = Field(default=None, foreign_key="location.id")
    lpn_id: int | None = Field(default=None, foreign_key="lpn.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SerialMovement(SQLModel, table=True):
    """Which ledger movement carried a serial: the serial's history."""

    __tablename__ = "serial_movement"
    __table_args__ = (UniqueConstraint("serial_id", "movement_id"),)
    id: int | None = Field(default=None, primary_key=True)
    serial_id: int = Field(foreign_key="serial.id")
    # No foreign key, as for outbox_event: a key would change how TRUNCATE of the ledger fails.
    movement_id: int = Field(index=True)


class AuditEvent(SQLModel, table=True):
    """Connects, disconnects, log-ins and failed log-ins, with the peer address."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    event: str = Field(max_length=20)
    login: str | None = Field(default=None, max_length=20, index=True)
    peer: str | None = Field(default=None, max_length=60)
    terminal: str | None = Field(default=None, max_length=40)
    detail: str = Field(max_length=200, default="")


class DemoMarker(SQLModel, table=True):
    """Present only in a practice database: every `wms demo` command checks it first."""

    __tablename__ = "demo_marker"
    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200, default="")


class OutboxEvent(SQLModel, table=True):
    """One ledger row to send to the ERP, written by a trigger in the movement's own transaction.

    Exports read in (txid, id) order: on PostgreSQL txid is the writing transaction's id, so a
    reader can stop below the oldest transaction still running and never skip a late commit.
    """

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_order", "txid", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    # No foreign key: the ledger is never deleted, and a key would change how TRUNCATE is refused.
    movement_id: int = Field(unique=True)
    kind: str = Field(max_length=12)
    txid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class DatabaseEpoch(SQLModel, table=True):
    """The one row naming this database's history, so an export cursor from another database
    (or from before `wms db restore`) is refused instead of silently skipping events."""

    __tablename__ = "database_epoch"
    __table_args__ = (CheckConstraint("id = 1", name="ck_database_epoch_one_row"),)
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    epoch: str = Field(max_length=16)
    # Set by a restore: the backup's epoch and its last export position (a cursor's position).
    previous: str | None = Field(default=None, max_length=16)
    resumes_after: str | None = Field(default=None, max_length=60)
    created_at: datetime = Field(default_factory=utcnow)


# The pack, ship and return tables live beside this module (the file stays readable); importing
# the module here registers them on the metadata whenever these tables are registered.
from wms_tui.db import shipping_tables as shipping_tables  # noqa: E402
from wms_tui.db import webhook_tables as webhook_tables  # noqa: E402
