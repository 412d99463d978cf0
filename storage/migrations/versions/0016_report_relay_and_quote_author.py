"""report: a relayed message (its match and message) and who wrote a quoted message

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("relay_match_id", "relay_message_id", "quote_author_telegram_id")


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("relay_match_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("relay_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("quote_author_telegram_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), as in 0013: a batch rebuild of the report table is
    # refused once other tables' foreign keys point at it.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE report DROP COLUMN {column}")
