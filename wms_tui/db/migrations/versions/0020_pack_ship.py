"""Pack, load and ship confirm, and customer returns (issue 16).

An SSCC serial counter per extension and company prefix, shipments, cartons and what each
holds, pack exceptions, returns; outbound_line.shipped; reason codes RETURN and SCRAP.

Revision ID: 0020
Revises: 0019
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SHIPPED_CHECK = "shipped >= 0 AND shipped <= picked"
REASON_CODES = [
    ("RETURN", "Returned by the customer", "return"),
    ("SCRAP", "Scrapped on return", "adjust"),
]


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _at() -> sqlmodel.sql.sqltypes.UTCDateTime:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # A plain ADD COLUMN: a batch copy of outbound_line would trip its tasks' foreign keys.
        op.execute("ALTER TABLE outbound_line ADD COLUMN shipped INTEGER NOT NULL DEFAULT 0 "
                   f"CONSTRAINT ck_outbound_line_shipped CHECK ({SHIPPED_CHECK})")
    else:
        op.add_column("outbound_line", sa.Column("shipped", sa.Integer(), nullable=False,
                                                 server_default="0"))
        op.alter_column("outbound_line", "shipped", server_default=None)
        op.create_check_constraint("ck_outbound_line_shipped", "outbound_line", SHIPPED_CHECK)
    op.create_table(
        "sscc_counter",
        sa.Column("extension", _text(1), nullable=False),
        sa.Column("prefix", _text(12), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("extension", "prefix"),
    )
    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _text(20), nullable=False),
        sa.Column("dock_id", sa.Integer(), nullable=False),
        sa.Column("status", _text(12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("shipped_by", sa.Integer(), nullable=True),
        sa.Column("shipped_at", _at(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'shipped')", name="ck_shipment_status"),
        sa.ForeignKeyConstraint(["dock_id"], ["location.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["wms_user.id"]),
        sa.ForeignKeyConstraint(["shipped_by"], ["wms_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "carton",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sscc", _text(18), nullable=False),
        sa.Column("lpn_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tote_id", sa.Integer(), nullable=False),
        sa.Column("carton_type", _text(12), nullable=False),
        sa.Column("weight_kg", sa.Numeric(precision=9, scale=3), nullable=True),
        sa.Column("weight_source", _text(8), nullable=True),
        sa.Column("status", _text(12), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("packed_by", sa.Integer(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.CheckConstraint("status IN ('packed', 'loaded', 'shipped')", name="ck_carton_status"),
        sa.CheckConstraint("weight_kg IS NULL OR weight_kg > 0", name="ck_carton_weight"),
        sa.ForeignKeyConstraint(["lpn_id"], ["lpn.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["outbound_order.id"]),
        sa.ForeignKeyConstraint(["tote_id"], ["location.id"]),
        sa.ForeignKeyConstraint(["shipment_id"], ["shipment.id"]),
        sa.ForeignKeyConstraint(["packed_by"], ["wms_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sscc"),
        sa.UniqueConstraint("lpn_id"),
    )
    op.create_index("ix_carton_order_id", "carton", ["order_id"], unique=False)
    op.create_index("ix_carton_shipment_id", "carton", ["shipment_id"], unique=False)
    op.create_table(
        "carton_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carton_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("serials", _text(2100), nullable=True),
        sa.Column("pack_movement_id", sa.Integer(), nullable=False),
        sa.Column("ship_movement_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity > 0", name="ck_carton_line_quantity"),
        sa.ForeignKeyConstraint(["carton_id"], ["carton.id"]),
        sa.ForeignKeyConstraint(["order_line_id"], ["outbound_line.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ship_movement_id"),
    )
    op.create_index("ix_carton_line_carton_id", "carton_line", ["carton_id"], unique=False)
    op.create_index("ix_carton_line_order_line_id", "carton_line", ["order_line_id"],
                    unique=False)
    op.create_table(
        "pack_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tote_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("kind", _text(8), nullable=False),
        sa.Column("reason_code", _text(12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_pack_exception_quantity"),
        sa.ForeignKeyConstraint(["order_id"], ["outbound_order.id"]),
        sa.ForeignKeyConstraint(["tote_id"], ["location.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.ForeignKeyConstraint(["reason_code"], ["reason_code.code"]),
        sa.ForeignKeyConstraint(["user_id"], ["wms_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pack_exception_order_id", "pack_exception", ["order_id"], unique=False)
    op.create_table(
        "customer_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", _text(20), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("dock_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["outbound_order.id"]),
        sa.ForeignKeyConstraint(["dock_id"], ["location.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["wms_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_customer_return_order_id", "customer_return", ["order_id"],
                    unique=False)
    op.create_table(
        "return_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("disposition", _text(12), nullable=False),
        sa.Column("movement_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_return_line_quantity"),
        sa.CheckConstraint("disposition IN ('restock', 'qc_hold', 'scrap')",
                           name="ck_return_line_disposition"),
        sa.ForeignKeyConstraint(["return_id"], ["customer_return.id"]),
        sa.ForeignKeyConstraint(["order_line_id"], ["outbound_line.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_return_line_return_id", "return_line", ["return_id"], unique=False)
    # A code a downgrade kept (the ledger names it) is there already: insert only the others.
    insert = sa.text(
        "INSERT INTO reason_code (code, description, kind, active) "
        "SELECT :code, :description, :kind, :active "
        "WHERE NOT EXISTS (SELECT 1 FROM reason_code WHERE code = :code)"
    )
    for code, description, kind in REASON_CODES:
        op.execute(insert.bindparams(code=code, description=description, kind=kind,
                                     active=True))


def downgrade() -> None:
    codes = ", ".join(f"'{code}'" for code, _, _ in REASON_CODES)
    op.execute(
        f"DELETE FROM reason_code WHERE code IN ({codes}) "
        "AND NOT EXISTS (SELECT 1 FROM movement m WHERE m.reason_code = reason_code.code)"
    )
    op.drop_index("ix_return_line_return_id", table_name="return_line")
    op.drop_table("return_line")
    op.drop_index("ix_customer_return_order_id", table_name="customer_return")
    op.drop_table("customer_return")
    op.drop_index("ix_pack_exception_order_id", table_name="pack_exception")
    op.drop_table("pack_exception")
    op.drop_index("ix_carton_line_order_line_id", table_name="carton_line")
    op.drop_index("ix_carton_line_carton_id", table_name="carton_line")
    op.drop_table("carton_line")
    op.drop_index("ix_carton_shipment_id", table_name="carton")
    op.drop_index("ix_carton_order_id", table_name="carton")
    op.drop_table("carton")
    op.drop_table("shipment")
    op.drop_table("sscc_counter")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE outbound_line DROP COLUMN shipped")
    else:
        op.drop_constraint("ck_outbound_line_shipped", "outbound_line", type_="check")
        op.drop_column("outbound_line", "shipped")
