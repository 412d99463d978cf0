"""candidate_slot: who could be asked about what, where (the matching index)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "candidate_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("area_cell", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
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
    # It was filled from the residents here; migration 0019 replaced it with the in-memory
    # candidate pool (storage/candidate_pool.py) and dropped it, so it starts empty now.


def downgrade() -> None:
    op.drop_index("ix_candidate_slot_topic_wijk", table_name="candidate_slot")
    op.drop_index("ix_candidate_slot_topic_cell", table_name="candidate_slot")
    op.drop_index("ix_candidate_slot_resident_id", table_name="candidate_slot")
    op.drop_table("candidate_slot")
