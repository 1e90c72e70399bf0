"""Opening stock (issue 14): the OPENING reason code every `wms stock import` movement carries.

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only when missing: a downgrade keeps the row while movements still name it.
    op.execute(
        "INSERT INTO reason_code (code, description, kind, active) "
        "SELECT 'OPENING', 'Opening stock loaded at go-live', 'opening', TRUE "
        "WHERE NOT EXISTS (SELECT 1 FROM reason_code WHERE code = 'OPENING')"
    )


def downgrade() -> None:
    # The ledger is append-only, so a reason its movements name must stay.
    op.execute(
        "DELETE FROM reason_code WHERE code = 'OPENING' "
        "AND NOT EXISTS (SELECT 1 FROM movement WHERE reason_code = 'OPENING')"
    )
