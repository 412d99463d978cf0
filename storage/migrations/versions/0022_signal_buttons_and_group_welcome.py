"""Buttons for every signal, and one shared welcome in a wijk's group (helper h13d)

report.claimed_by / claimed_at: "ik pak het op" on a report in /signalen. signal_spike: a
category with unusually many unanswered requests in a month, so it can be picked up and marked
handled. wijk.welcome_due_at: members who join the linked group within a short time get one
welcome together.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("claimed_by", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("wijk") as batch:
        batch.add_column(sa.Column("welcome_due_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "signal_spike",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wijk_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["wijk_id"], ["wijk.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wijk_id", "category", "month"),
    )
    op.create_index("ix_signal_spike_wijk_id", "signal_spike", ["wijk_id"])


def downgrade() -> None:
    op.drop_index("ix_signal_spike_wijk_id", table_name="signal_spike")
    op.drop_table("signal_spike")
    with op.batch_alter_table("wijk") as batch:
        batch.drop_column("welcome_due_at")
    with op.batch_alter_table("report") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
