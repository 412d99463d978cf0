"""outbox answers_caller: a message to the person whose own action caused it, moments ago

Such a message (say "nobody can be asked right now" just after someone posted a request at
night) is not held back by that person's quiet hours when it goes out right away: they are
awake and waiting for the answer. Sent later (the bot was down), quiet hours apply again.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.add_column(
            sa.Column("answers_caller", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.drop_column("answers_caller")
