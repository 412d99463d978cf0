"""outbox: who a message is for, what it is about, and the other person it concerns

The sender re-checks these at send time (reachable, still open, not blocked).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resident_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("about", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("counterpart_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("media", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("media")
        batch_op.drop_column("counterpart_id")
        batch_op.drop_column("about")
        batch_op.drop_column("resident_id")
