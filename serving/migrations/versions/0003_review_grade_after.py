"""Reviews carry the case's effective grade after them; the database refuses a lower one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

The effective grade of a case is the highest of its statutory grade and every recorded raise.
``reviews.grade_after`` records it after each review (a raise: the grade raised to; agree or
no change: the grade the case already had). A trigger refuses, in SQLite and PostgreSQL alike,
a review whose ``grade_after`` is below the statutory grade or below any earlier review's
``grade_after``, or a raise that is not strictly above them: a later review cannot hide a
raise, as no review can lower the statutory grade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_RANK = "CASE {g} WHEN 'standard' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 END"
_MESSAGE = "a review cannot go below the case's effective grade (statutory grade or a raise)"


def _floor(new: str) -> str:
    """Return SQL for the effective grade rank before a new review of ``{new}.audit_id``."""
    statutory_rank = _RANK.format(g="a.statutory_grade")
    raised_rank = _RANK.format(g="r.grade_after")
    statutory = f"(SELECT {statutory_rank} FROM score_audit a WHERE a.id = {new}.audit_id)"
    raised = f"(SELECT MAX({raised_rank}) FROM reviews r WHERE r.audit_id = {new}.audit_id)"
    return f"MAX({statutory}, COALESCE({raised}, 0))"


def _violates(new: str, floor: str) -> str:
    rank = _RANK.format(g=f"{new}.grade_after")
    return f"({rank} < {floor} OR ({new}.decision = 'raise' AND {rank} <= {floor}))"


_SQLITE = f"""
CREATE TRIGGER tr_reviews_never_lower BEFORE INSERT ON reviews
WHEN {_violates("NEW", _floor("NEW"))}
BEGIN SELECT RAISE(ABORT, '{_MESSAGE.replace("'", "''")}'); END
"""
_PG_FLOOR = _floor("NEW").replace("MAX(", "GREATEST(", 1)
_POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION reviews_never_lower() RETURNS trigger AS $$
BEGIN
  IF {_violates("NEW", _PG_FLOOR)} THEN
    RAISE EXCEPTION '{_MESSAGE.replace("'", "''")}';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER tr_reviews_never_lower BEFORE INSERT ON reviews
FOR EACH ROW EXECUTE FUNCTION reviews_never_lower()
""",
]


def _backfill() -> None:
    """Set ``grade_after`` on earlier reviews: the running highest grade of their case."""
    conn = op.get_bind()
    rank = {"standard": 0, "medium": 1, "high": 2}
    rows = conn.execute(
        sa.text(
            "SELECT r.id, r.audit_id, r.raised_to, a.statutory_grade FROM reviews r "
            "JOIN score_audit a ON a.id = r.audit_id ORDER BY r.audit_id, r.id"
        )
    ).all()
    held: dict[int, str] = {}
    for review_id, audit_id, raised_to, statutory in rows:
        grade = held.get(audit_id, statutory)
        if raised_to is not None and rank[raised_to] > rank[grade]:
            grade = raised_to
        held[audit_id] = grade
        conn.execute(
            sa.text("UPDATE reviews SET grade_after = :g WHERE id = :i"),
            {"g": grade, "i": review_id},
        )


def upgrade() -> None:
    """Add ``reviews.grade_after`` (backfilled) and the never-lower trigger."""
    op.add_column("reviews", sa.Column("grade_after", sa.String(16), nullable=True))
    _backfill()
    with op.batch_alter_table("reviews") as batch:
        batch.alter_column("grade_after", existing_type=sa.String(16), nullable=False)
        batch.create_check_constraint(
            "ck_reviews_grade_after",
            "grade_after IN ('standard', 'medium', 'high')"
            " AND (decision <> 'raise' OR grade_after = raised_to)",
        )
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRES:
            op.execute(statement)
    else:
        op.execute(_SQLITE)


def downgrade() -> None:
    """Drop the trigger and ``reviews.grade_after``."""
    op.execute(
        "DROP TRIGGER IF EXISTS tr_reviews_never_lower"
        + (" ON reviews" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS reviews_never_lower()")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_constraint("ck_reviews_grade_after", type_="check")
        batch.drop_column("grade_after")
