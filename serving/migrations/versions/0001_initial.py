"""Initial schema: API keys (hashed) and the score audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``api_keys`` and ``score_audit``."""
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "score_audit",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("item_index", sa.Integer, nullable=False),
        sa.Column("caller_key_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("rules_version", sa.String(32), nullable=False),
        sa.Column("assessment_id", sa.String(64), nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("statutory_grade", sa.String(16), nullable=False),
        sa.Column("model_band", sa.String(16), nullable=False),
        sa.Column("model_probability", sa.Float, nullable=False),
        sa.Column("review_suggested", sa.Boolean, nullable=False),
        sa.Column("response_json", sa.Text, nullable=False),
        sa.UniqueConstraint("request_id", "item_index", name="uq_score_audit_item"),
    )
    op.create_index("ix_score_audit_request_id", "score_audit", ["request_id"])
    op.create_index("ix_score_audit_created_at", "score_audit", ["created_at"])
    op.create_index("ix_score_audit_assessment_id", "score_audit", ["assessment_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("score_audit")
    op.drop_table("api_keys")
