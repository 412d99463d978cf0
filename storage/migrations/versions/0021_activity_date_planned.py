"""activity_date.planned_at: the moment a moved date was planned for

A repeating activity's dates are made ahead from its rule; a date the organiser moved keeps the
moment it was made for, so the rule does not make that moment again.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity_date") as batch:
        batch.add_column(sa.Column("planned_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity_date") as batch:
        batch.drop_column("planned_at")
