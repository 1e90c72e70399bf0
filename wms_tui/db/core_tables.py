"""Plain SQLAlchemy Core copies of the tables a stock listing reads, on their own MetaData.

`db/tables.py` builds every SQLModel class (Pydantic models and ORM mappers, about a fifth of a
second), so a read-only command that needs only these tables reads them here instead; their
columns are the SQLModel tables' own, which tests/db/test_core_tables.py holds them to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect


class UtcDateTime(TypeDecorator[datetime]):
    """Reads a time as SQLModel's UTCDateTime does (aware, in UTC), without importing SQLModel."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite keeps UTC without an offset.
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


metadata = MetaData()


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True)


def _required(name: str, kind: Any) -> Column[Any]:
    return Column(name, kind, nullable=False)


item = Table(
    "item", metadata,
    _id(),
    _required("sku", String(40)),
    _required("description", String(120)),
    _required("base_uom", String(8)),
    _required("lot_tracked", Boolean),
    _required("expiry_tracked", Boolean),
    _required("serial_tracked", Boolean),
    _required("requires_qc", Boolean),
    _required("abc_class", String(1)),
    Column("min_qty", Integer),
    Column("max_qty", Integer),
    Column("zone_id", Integer),
    _required("active", Boolean),
    Column("unit_cost", Numeric(14, 4)),
)

location = Table(
    "location", metadata,
    _id(),
    _required("code", String(30)),
    _required("barcode", String(40)),
    _required("check_digits", String(4)),
    _required("type", String(12)),
    _required("walk_seq", Integer),
    _required("aisle", String(10)),
    _required("bay", String(10)),
    _required("level", String(10)),
    Column("capacity", Integer),
    Column("zone_id", Integer),
    _required("active", Boolean),
)

lot = Table(
    "lot", metadata,
    _id(),
    _required("item_id", Integer),
    _required("code", String(20)),
    Column("expiry", Date),
    _required("created_at", UtcDateTime()),
)

lpn = Table(
    "lpn", metadata,
    _id(),
    _required("code", String(30)),
    Column("sscc", String(18)),
    Column("location_id", Integer),
    _required("created_at", UtcDateTime()),
)

balance = Table(
    "balance", metadata,
    _id(),
    _required("key", String(80)),
    _required("item_id", Integer),
    Column("lot_id", Integer),
    _required("location_id", Integer),
    Column("lpn_id", Integer),
    _required("status", String(12)),
    _required("quantity", Integer),
    _required("reserved", Integer),
    _required("updated_at", UtcDateTime()),
)
