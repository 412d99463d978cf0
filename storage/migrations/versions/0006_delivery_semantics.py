"""delivery: residents the bot cannot reach (403), and sends whose outcome is unknown

resident.unreachable_since: set when Telegram answers 403 (they blocked the bot), cleared
when they write again. outboxmessage.unknown_sends: sends that timed out or were cut off by
a crash, so nobody knows whether they arrived (retried at most once).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unreachable_since", UTCDateTime(), nullable=True))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unknown_sends", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("unknown_sends")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("unreachable_since")
