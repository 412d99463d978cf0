"""buurtwerk: a wijk's team chat, handled reports, the audit log, suspensions, signals that
can be picked up, the asker's consent to be contacted, the group digest's setting

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wijk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "digest_mode",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                server_default="daily",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("digest_hour", sa.Integer(), server_default="10", nullable=False)
        )
        batch_op.add_column(sa.Column("digest_sent_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_wijk_team_chat_id", ["team_chat_id"], unique=True)
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handled_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("handled_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contact_ok", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reach", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("handled_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wijk_id", sa.Integer(), nullable=False),
        sa.Column("actor_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("subject_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["wijk_id"], ["wijk.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_auditentry_wijk_created", "auditentry", ["wijk_id", "created_at"], unique=False
    )
    op.create_table(
        "suspension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wijk_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_post_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["wijk_id"], ["wijk.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suspension_resident_id", "suspension", ["resident_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_suspension_resident_id", table_name="suspension")
    op.drop_table("suspension")
    op.drop_index("ix_auditentry_wijk_created", table_name="auditentry")
    op.drop_table("auditentry")
    drops = {
        "signal": ("handled_at", "claimed_at", "claimed_by", "post_id", "reach"),
        "post": ("contact_ok",),
        "report": ("outcome", "handled_at", "handled_by"),
    }
    for table, columns in drops.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    # Not in batch mode: on SQLite that rebuilds the table, which other tables' foreign keys
    # forbid once rows point at it. A plain DROP COLUMN (SQLite 3.35+) works on both databases.
    op.drop_index("ix_wijk_team_chat_id", table_name="wijk")
    for column in ("digest_sent_at", "digest_hour", "digest_mode", "team_chat_id"):
        op.execute(f"ALTER TABLE wijk DROP COLUMN {column}")
