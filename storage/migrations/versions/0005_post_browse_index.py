"""post: an index for /buurt (a wijk's open posts, newest first)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_post_wijk_status_created",
        "post",
        ["wijk_id", "status", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_post_wijk_status_created", table_name="post")
