"""Reviewer page: the case input on each audit record, the reviews table, queue indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

The queue lists audit records newest first (by id) filtered by statutory grade and model band;
the disagreement view lists records with a review suggested by model probability. Each index
ends in ``id`` so a page is one index range scan in both SQLite and PostgreSQL (keyset
pagination: the next page starts after the last row's sort key).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
QUEUE_INDEXES = {
    "ix_score_audit_grade_id": ["statutory_grade", "id"],
    "ix_score_audit_grade_band_id": ["statutory_grade", "model_band", "id"],
    "ix_score_audit_band_id": ["model_band", "id"],
    "ix_score_audit_review_probability": ["review_suggested", "model_probability", "id"],
}


def upgrade() -> None:
    """Add ``score_audit.case_input_json``, the ``reviews`` table and the queue indexes."""
    op.add_column("score_audit", sa.Column("case_input_json", sa.Text, nullable=True))
    op.create_table(
        "reviews",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("audit_id", _BIG_ID, sa.ForeignKey("score_audit.id"), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("raised_to", sa.String(16), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reviewer_key_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('agree', 'raise', 'no_change')", name="ck_reviews_decision"
        ),
        sa.CheckConstraint(
            "(decision = 'raise' AND raised_to IN ('medium', 'high'))"
            " OR (decision <> 'raise' AND raised_to IS NULL)",
            name="ck_reviews_raised_to",
        ),
    )
    op.create_index("ix_reviews_audit_id", "reviews", ["audit_id"])
    for name, columns in QUEUE_INDEXES.items():
        op.create_index(name, "score_audit", columns)


def downgrade() -> None:
    """Drop the queue indexes, the reviews table and the case input column."""
    for name in QUEUE_INDEXES:
        op.drop_index(name, table_name="score_audit")
    op.drop_table("reviews")
    with op.batch_alter_table("score_audit") as batch:
        batch.drop_column("case_input_json")
