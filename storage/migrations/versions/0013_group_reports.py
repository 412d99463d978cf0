"""report: /meld on a message in a wijk group (its chat, message and a short quote)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("group_chat_id", "group_message_id", "quote")


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("group_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "quote",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds the table, which other tables' foreign keys
    # forbid once rows point at it. A plain DROP COLUMN (SQLite 3.35+) works on both databases.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE report DROP COLUMN {column}")
