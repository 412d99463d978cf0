"""outbox media_message_id: a reply to a relayed location finds its conversation too

A relayed location is two Telegram messages (the text, then the map); message_id keeps the
text's, media_message_id the map's, with an index like (chat_id, message_id) has (0018).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("media_message_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_outbox_chat_media_message", "outboxmessage", ["chat_id", "media_message_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_chat_media_message", table_name="outboxmessage")
    # Plain DROP COLUMN (SQLite 3.35+), as in 0016.
    op.execute("ALTER TABLE outboxmessage DROP COLUMN media_message_id")
