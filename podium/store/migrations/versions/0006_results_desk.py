"""results desk: reasons on events and statuses, reviews, sources, official results

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=500), nullable=True))
    with op.batch_alter_table("results") as batch:
        batch.add_column(sa.Column("status_reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("review", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=40), nullable=True))
    with op.batch_alter_table("competitions") as batch:
        batch.add_column(
            sa.Column("official", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("competitions") as batch:
        batch.drop_column("official")
    with op.batch_alter_table("results") as batch:
        batch.drop_column("source")
        batch.drop_column("review")
        batch.drop_column("status_reason")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("reason")
