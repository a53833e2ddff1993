"""Reading a review form into a review to store; a grade can be raised, never lowered.

A case's effective grade is the highest of its statutory grade and every recorded raise; a
later review (agree, no change, or a raise) never goes below it. A raise to high carries the
actions a high grade requires (MARAC and IDVA referrals), sourced to the reviewer's decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from serving.db.reviewer_store import (
    NewReview,
    ReviewRecord,
    ReviewRefusedError,
    check_raise,
    effective_grade,
)

MAX_REASON: Final[int] = 4000


@dataclass(frozen=True, slots=True)
class ReviewAction:
    """An action a reviewer's raise requires, with the review it comes from as its source."""

    action: str
    reviewer_key_id: str
    reason: str
    raised_to: str


HIGH_ACTIONS: Final[tuple[str, ...]] = ("marac_referral", "idva_referral")


def review_actions(reviews: Sequence[ReviewRecord]) -> list[ReviewAction]:
    """Return the actions every raise to high requires (MARAC and IDVA), oldest raise first."""
    return [
        ReviewAction(action, r.reviewer_key_id, r.reason, "high")
        for r in reviews
        if r.decision == "raise" and r.raised_to == "high"
        for action in HIGH_ACTIONS
    ]


def case_grade(statutory_grade: str, reviews: Sequence[ReviewRecord]) -> str:
    """Return the case's effective grade: the statutory grade or the highest raise."""
    return effective_grade(statutory_grade, [r.raised_to for r in reviews])


def raised_by(statutory_grade: str, reviews: Sequence[ReviewRecord]) -> ReviewRecord | None:
    """Return the review whose raise set the effective grade (None: the statutory grade holds)."""
    grade = case_grade(statutory_grade, reviews)
    if grade == statutory_grade:
        return None
    return next(r for r in reviews if r.decision == "raise" and r.raised_to == grade)


def review_from_form(
    audit_id: int,
    current_grade: str,
    decision: str | None,
    raised_to: str | None,
    reason: str | None,
    reviewer_key_id: str,
) -> NewReview:
    """Return the review a form describes, or raise :class:`ReviewRefusedError` saying why not.

    ``current_grade`` is the case's effective grade (see :func:`case_grade`).
    """
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
    check_raise(current_grade, decision, grade)
    return NewReview(
        audit_id=audit_id,
        decision=decision,
        raised_to=grade,
        reason=text,
        reviewer_key_id=reviewer_key_id,
        created_at=datetime.now(UTC),
    )
