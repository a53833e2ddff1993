"""Reading a review form into a review to store; a grade can be raised, never lowered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from serving.db.reviewer_store import NewReview, ReviewRefusedError, check_raise

MAX_REASON: Final[int] = 4000


def review_from_form(
    audit_id: int,
    statutory_grade: str,
    decision: str | None,
    raised_to: str | None,
    reason: str | None,
    reviewer_key_id: str,
) -> NewReview:
    """Return the review a form describes, or raise :class:`ReviewRefusedError` saying why not."""
    text = (reason or "").strip()
    if not decision:
        raise ReviewRefusedError("choose a decision: agree, raise the grade, or no change")
    if not text:
        raise ReviewRefusedError("a reason is required for every review")
    if len(text) > MAX_REASON:
        raise ReviewRefusedError(f"the reason is too long (at most {MAX_REASON} characters)")
    grade = raised_to or None
    if decision != "raise" and grade is not None:
        grade = None  # the grade list only applies to a raise; without script it is still sent
    check_raise(statutory_grade, decision, grade)
    return NewReview(
        audit_id=audit_id,
        decision=decision,
        raised_to=grade,
        reason=text,
        reviewer_key_id=reviewer_key_id,
        created_at=datetime.now(UTC),
    )
