"""activity.also_wijk_ids: neighbouring wijken an activity is also announced in

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity") as batch:
        batch.add_column(
            sa.Column("also_wijk_ids", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("activity") as batch:
        batch.drop_column("also_wijk_ids")
