"""nudge: digests and reciprocity messages planned for a resident

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "resident_id", "ref"),
    )
    op.create_index(
        "ix_nudge_resident_kind_at", "nudge", ["resident_id", "kind", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_nudge_resident_kind_at", table_name="nudge")
    op.drop_table("nudge")
