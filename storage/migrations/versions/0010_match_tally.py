"""matchtally: match counts kept per wijk and month after retention removes old posts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "matchtally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wijk_id", sa.Integer(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=False),
        sa.Column("worked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["wijk_id"], ["wijk.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wijk_id", "month"),
    )
    op.create_index(op.f("ix_matchtally_wijk_id"), "matchtally", ["wijk_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_matchtally_wijk_id"), table_name="matchtally")
    op.drop_table("matchtally")
