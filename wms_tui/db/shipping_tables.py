"""The tables of pack, load and ship (domain/shipping) and customer returns (migration 0020).

tables.py imports this module at its end, so these register on the metadata with the rest.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from wms_tui.db.tables import utcnow


class SsccCounter(SQLModel, table=True):
    """The last SSCC serial issued per extension digit and company prefix: one row, bumped by
    one UPDATE ... RETURNING, so parallel packers never get the same serial."""

    __tablename__ = "sscc_counter"
    extension: str = Field(primary_key=True, max_length=1)
    prefix: str = Field(primary_key=True, max_length=12)
    last_serial: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class Shipment(SQLModel, table=True):
    """Cartons loaded at a dock door; ship confirm issues them out of the building."""

    __table_args__ = (
        CheckConstraint("status IN ('open', 'shipped')", name="ck_shipment_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    dock_id: int = Field(foreign_key="location.id")
    status: str = Field(max_length=12, default="open")
    created_by: int = Field(foreign_key="wms_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    shipped_by: int | None = Field(default=None, foreign_key="wms_user.id")
    shipped_at: datetime | None = None


class Carton(SQLModel, table=True):
    """A packed carton: an LPN named by its SSCC, of one order, packed from one tote."""

    __table_args__ = (
        CheckConstraint("status IN ('packed', 'loaded', 'shipped')", name="ck_carton_status"),
        CheckConstraint("weight_kg IS NULL OR weight_kg > 0", name="ck_carton_weight"),
    )
    id: int | None = Field(default=None, primary_key=True)
    sscc: str = Field(max_length=18, unique=True)
    lpn_id: int = Field(foreign_key="lpn.id", unique=True)
    order_id: int = Field(foreign_key="outbound_order.id", index=True)
    tote_id: int = Field(foreign_key="location.id")
    carton_type: str = Field(max_length=12)
    weight_kg: Decimal | None = Field(default=None, max_digits=9, decimal_places=3)
    # keyed, scan (a GS1 weight AI) or scale.
    weight_source: str | None = Field(default=None, max_length=8)
    status: str = Field(max_length=12, default="packed")
    shipment_id: int | None = Field(default=None, foreign_key="shipment.id", index=True)
    packed_by: int = Field(foreign_key="wms_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class CartonLine(SQLModel, table=True):
    """What a carton holds of one order line, in base units, and the movements that carried it."""

    __tablename__ = "carton_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_carton_line_quantity"),)
    id: int | None = Field(default=None, primary_key=True)
    carton_id: int = Field(foreign_key="carton.id", index=True)
    order_line_id: int = Field(foreign_key="outbound_line.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    quantity: int
    # Space-separated, as count_line.serials.
    serials: str | None = Field(default=None, max_length=2100)
    # No foreign keys to the ledger, as for outbox_event.
    pack_movement_id: int
    ship_movement_id: int | None = Field(default=None, unique=True)


class PackException(SQLModel, table=True):
    """Units a packer did not find in the tote (short), with the reason given."""

    __tablename__ = "pack_exception"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_pack_exception_quantity"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="outbound_order.id", index=True)
    tote_id: int = Field(foreign_key="location.id")
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    quantity: int
    kind: str = Field(max_length=8, default="short")
    reason_code: str = Field(foreign_key="reason_code.code")
    user_id: int = Field(foreign_key="wms_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class CustomerReturn(SQLModel, table=True):
    """Goods a customer sent back, against its order or blind (a supervisor's)."""

    __tablename__ = "customer_return"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    order_id: int | None = Field(default=None, foreign_key="outbound_order.id", index=True)
    dock_id: int = Field(foreign_key="location.id")
    user_id: int = Field(foreign_key="wms_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ReturnLine(SQLModel, table=True):
    """One returned item and lot with its disposition: restock, qc_hold or scrap."""

    __tablename__ = "return_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_return_line_quantity"),
        CheckConstraint("disposition IN ('restock', 'qc_hold', 'scrap')",
                        name="ck_return_line_disposition"),
    )
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="customer_return.id", index=True)
    order_line_id: int | None = Field(default=None, foreign_key="outbound_line.id")
    item_id: int = Field(foreign_key="item.id")
    lot_id: int | None = Field(default=None, foreign_key="lot.id")
    quantity: int
    disposition: str = Field(max_length=12)
    movement_id: int
