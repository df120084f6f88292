"""judge jobs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import podium.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "judge_jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "result_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", podium.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", podium.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", podium.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["results.id"],
            name=op.f("fk_judge_jobs_result_id_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judge_jobs")),
        sa.UniqueConstraint("result_id", name=op.f("uq_judge_jobs_result_id")),
    )
    op.create_index("ix_judge_jobs_state_run_after", "judge_jobs", ["state", "run_after"])


def downgrade() -> None:
    op.drop_index("ix_judge_jobs_state_run_after", table_name="judge_jobs")
    op.drop_table("judge_jobs")
