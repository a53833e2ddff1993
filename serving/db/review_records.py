"""The reviewer workflow's records and its one rule: a review can raise a grade, never lower it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, get_args

from features.vocab import GRADE_RANK

ReviewState = Literal["any", "unreviewed", "reviewed", "raised"]
Decision = Literal["agree", "raise", "no_change"]
DECISIONS: Final[tuple[Decision, ...]] = get_args(Decision)


class ReviewRefusedError(ValueError):
    """A review that would break a rule (lower or keep a grade it claims to raise, no reason)."""


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue shows: grade, band, review suggested, review state, disagreements only."""

    grade: str | None = None
    band: str | None = None
    suggested: bool | None = None
    state: ReviewState = "any"
    disagreements: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """A keyset position: the last row's id (and its probability in the disagreement view)."""

    id: int
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One scored case in the queue, with its review count and latest decision."""

    id: int
    created_at: datetime
    assessment_id: str
    statutory_grade: str
    model_band: str
    model_probability: float
    review_suggested: bool
    n_reviews: int = 0
    last_decision: str | None = None
    last_raised_to: str | None = None
    effective_grade: str | None = None  # the statutory grade or the highest raise
    raised_by: str | None = None  # the reviewer whose raise set the effective grade


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue and the cursor of the next page (None on the last page)."""

    rows: list[QueueRow]
    next_cursor: Cursor | None


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """Cases matching the grade/band filters, how many are reviewed and how many raised."""

    matching: int
    reviewed: int
    raised: int


@dataclass(frozen=True, slots=True)
class AuditCase:
    """One audit record as the case page needs it (response and validated input as JSON)."""

    id: int
    request_id: str
    created_at: datetime
    caller_key_id: str
    model_version: str
    rules_version: str
    statutory_grade: str
    response_json: str
    case_input_json: str | None


@dataclass(frozen=True, slots=True)
class NewReview:
    """A review to store (validated by :mod:`serving.web.reviews`, re-checked here)."""

    audit_id: int
    decision: str
    raised_to: str | None
    reason: str
    reviewer_key_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """A stored review."""

    id: int
    audit_id: int
    decision: str
    raised_to: str | None
    reason: str
    reviewer_key_id: str
    created_at: datetime
    grade_after: str  # the case's effective grade after this review


def effective_grade(statutory_grade: str, raises: list[str | None]) -> str:
    """Return the highest of the statutory grade and every recorded raise (never lower)."""
    grades = [statutory_grade, *(g for g in raises if g in GRADE_RANK)]
    return max(grades, key=GRADE_RANK.__getitem__)


def check_raise(current_grade: str, decision: str, raised_to: str | None) -> None:
    """Refuse a raise that is not strictly above the case's effective grade.

    ``current_grade`` is the effective grade: the statutory grade or an earlier raise.
    """
    if decision not in DECISIONS:
        raise ReviewRefusedError(f"unknown decision {decision!r}")
    if decision != "raise":
        if raised_to is not None:
            raise ReviewRefusedError("a new grade can only be given with the decision 'raise'")
        return
    if raised_to not in GRADE_RANK:
        raise ReviewRefusedError("choose the grade to raise the case to")
    if GRADE_RANK[raised_to] <= GRADE_RANK[current_grade]:
        raise ReviewRefusedError(
            f"a review can only raise the grade: {raised_to} is not above the case's grade "
            f"{current_grade}; a statutory grade or an earlier raise is never lowered"
        )
