"""Spent single-use tokens: signed-out reviewer sessions and submitted forms' CSRF tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Sign-out must end a session on the server (a copied cookie stops working at once), and each
form's CSRF token may be used once; both are recorded here by hash until they expire.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``spent_tokens`` table."""
    op.create_table(
        "spent_tokens",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_spent_tokens_expires_at", "spent_tokens", ["expires_at"])


def downgrade() -> None:
    """Drop the ``spent_tokens`` table."""
    op.drop_index("ix_spent_tokens_expires_at", table_name="spent_tokens")
    op.drop_table("spent_tokens")
