"""The daily signal message of a wijk (helper h13e)

wijk.signal_news_sent_at: up to when the wijk's team chat or buurtwerkers were told what is
new among the signals, so the next message names only what came after, and a restart or a
second bot process never sends the same day twice.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wijk") as batch:
        batch.add_column(
            sa.Column("signal_news_sent_at", UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("wijk") as batch:
        batch.drop_column("signal_news_sent_at")
