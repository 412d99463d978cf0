"""outbox (chat_id, message_id) index: a reply to a relayed line finds its conversation

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_chat_message", "outboxmessage", ["chat_id", "message_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat_message", table_name="outboxmessage")
