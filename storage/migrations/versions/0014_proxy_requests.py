"""/namens: a request placed for someone who is not on Telegram (post.proxy_for), the
step-back question after it worked (proxystepback), and the reporter's consent to be named
on a report card (report.reporter_named)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proxy_for", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reporter_named", sa.Boolean(), server_default="0", nullable=False)
        )
    op.create_table(
        "proxystepback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("helper_yes", sa.Boolean(), nullable=True),
        sa.Column("neighbour_yes", sa.Boolean(), nullable=True),
        sa.Column("agreed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["match_id"], ["match.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("match_id"),
    )


def downgrade() -> None:
    op.drop_table("proxystepback")
    # Not in batch mode: on SQLite that rebuilds the table, which other tables' foreign keys
    # forbid once rows point at it. A plain DROP COLUMN (SQLite 3.35+) works on both databases.
    op.execute("ALTER TABLE report DROP COLUMN reporter_named")
    op.execute("ALTER TABLE post DROP COLUMN proxy_for")
