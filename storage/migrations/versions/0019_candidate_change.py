"""candidate_change: the change feed of the in-process candidate pools; candidate_slot goes

The SQL matching index (candidate_slot, 0007) is replaced by a pool in each process's memory
(storage/candidate_pool.py), which learns of changes from candidate_change.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "candidate_change",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sqlite_autoincrement=True,
    )
    op.drop_index("ix_candidate_slot_topic_wijk", table_name="candidate_slot")
    op.drop_index("ix_candidate_slot_topic_cell", table_name="candidate_slot")
    op.drop_index("ix_candidate_slot_resident_id", table_name="candidate_slot")
    op.drop_table("candidate_slot")


def downgrade() -> None:
    # The index comes back empty: the code of that time fills it with `buurtbot reindex`.
    op.create_table(
        "candidate_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("area_cell", sa.String(length=20), nullable=True),
        sa.Column("wijk_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_candidate_slot_resident_id", "candidate_slot", ["resident_id"])
    op.create_index(
        "ix_candidate_slot_topic_cell",
        "candidate_slot",
        ["topic", "area_cell", "invited_at", "resident_id"],
    )
    op.create_index(
        "ix_candidate_slot_topic_wijk",
        "candidate_slot",
        ["topic", "wijk_id", "area_cell", "invited_at", "resident_id"],
    )
    op.drop_table("candidate_change")
