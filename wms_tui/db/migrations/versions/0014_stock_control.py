"""Stock control (issue 14): the reason codes status changes and QC decisions post with.

QC-PASS (release) and QC-FAIL (hold) are seeded by 0001; these add the rejections, blocking
and the way back from damaged, all of kind "status" (domain/stock_control.py names them).

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

REASON_CODES = [
    ("QC-REJ", "Rejected by quality control", "status"),
    ("QC-DMG", "Damaged, found by quality control", "status"),
    ("QC-LABEL", "Labels wrong or missing, QC", "status"),
    ("DMG-STORE", "Damaged in storage", "status"),
    ("REPAIRED", "Repaired, back to stock", "status"),
    ("BLOCK", "Blocked by a supervisor", "status"),
    ("UNBLOCK", "Unblocked by a supervisor", "status"),
]


def upgrade() -> None:
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
    # Codes the ledger or a task already names stay: their rows point at them.
    codes = ", ".join(f"'{code}'" for code, _, _ in REASON_CODES)
    op.execute(
        f"DELETE FROM reason_code WHERE code IN ({codes}) "
        "AND NOT EXISTS (SELECT 1 FROM movement m WHERE m.reason_code = reason_code.code) "
        "AND NOT EXISTS (SELECT 1 FROM task t WHERE t.reason_code = reason_code.code)"
    )
