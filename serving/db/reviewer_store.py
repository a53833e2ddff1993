"""Reads and writes for the reviewer pages: queue pages, one audited case, and reviews.

Pages are keyset-paginated over the indexes of migration 0002: the queue runs newest first by
``id``; the disagreement view (review suggested) runs by model probability, then ``id``. The
next page starts strictly after the last row's sort key, so a page costs the same at any depth.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, exists, func, insert, select, tuple_

from serving.db.models import Review, ScoreAudit
from serving.db.review_records import (
    DECISIONS,
    AuditCase,
    Cursor,
    Decision,
    NewReview,
    QueueCounts,
    QueueFilter,
    QueuePage,
    QueueRow,
    ReviewRecord,
    ReviewRefusedError,
    ReviewState,
    check_raise,
    effective_grade,
)

__all__ = [
    "DECISIONS",
    "AuditCase",
    "Cursor",
    "Decision",
    "NewReview",
    "QueueCounts",
    "QueueFilter",
    "QueuePage",
    "QueueRow",
    "ReviewRecord",
    "ReviewRefusedError",
    "ReviewState",
    "ReviewerStore",
    "check_raise",
    "effective_grade",
    "queue_statement",
]

A = ScoreAudit
R = Review
_QUEUE_COLUMNS = (
    A.id,
    A.created_at,
    A.assessment_id,
    A.statutory_grade,
    A.model_band,
    A.model_probability,
    A.review_suggested,
)
_REVIEW_TABLE: Any = Review.__table__


def _has_review(decision: str | None = None) -> ColumnElement[bool]:
    cond = R.audit_id == A.id
    if decision is not None:
        cond = and_(cond, R.decision == decision)
    return exists().where(cond)


def _reviewed_ids(decision: str | None = None) -> Select[Any]:
    stmt = select(R.audit_id)
    return stmt if decision is None else stmt.where(R.decision == decision)


def _base_conditions(f: QueueFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.disagreements:
        conds.append(A.review_suggested.is_(True))
    elif f.suggested is not None:
        conds.append(A.review_suggested.is_(f.suggested))
    if f.grade:
        conds.append(A.statutory_grade == f.grade)
    if f.band:
        conds.append(A.model_band == f.band)
    return conds


def _state_condition(state: ReviewState) -> ColumnElement[bool] | None:
    # reviewed / raised are driven from the (smaller) reviews table; unreviewed scans the queue
    if state == "reviewed":
        return A.id.in_(_reviewed_ids())
    if state == "raised":
        return A.id.in_(_reviewed_ids("raise"))
    if state == "unreviewed":
        return ~_has_review()
    return None


def queue_statement(f: QueueFilter, after: Cursor | None, limit: int) -> Select[*tuple[Any, ...]]:
    """Return the SELECT of one queue page (public so the benchmark can time it on its own)."""
    conds = _base_conditions(f)
    state = _state_condition(f.state)
    if state is not None:
        conds.append(state)
    stmt = select(*_QUEUE_COLUMNS)
    if f.disagreements:
        if after is not None and after.probability is not None:
            conds.append(tuple_(A.model_probability, A.id) < tuple_(after.probability, after.id))
        stmt = stmt.order_by(A.model_probability.desc(), A.id.desc())
    else:
        if after is not None:
            conds.append(A.id < after.id)
        stmt = stmt.order_by(A.id.desc())
    return stmt.where(*conds).limit(limit)


class ReviewerStore:
    """The reviewer pages' queries and the reviews table, through one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def queue_page(self, f: QueueFilter, after: Cursor | None, limit: int) -> QueuePage:
        """Return up to ``limit`` rows after ``after``, with their review counts."""
        with self.engine.connect() as conn:
            raw = conn.execute(queue_statement(f, after, limit + 1)).all()
            more = len(raw) > limit
            rows = [QueueRow(*r) for r in raw[:limit]]
            rows = self._with_reviews(conn, rows)
        if not more or not rows:
            return QueuePage(rows, None)
        last = rows[-1]
        prob = last.model_probability if f.disagreements else None
        return QueuePage(rows, Cursor(last.id, prob))

    def _with_reviews(self, conn: Any, rows: list[QueueRow]) -> list[QueueRow]:
        if not rows:
            return rows
        stmt = (
            select(R.audit_id, R.decision, R.raised_to, R.reviewer_key_id)
            .where(R.audit_id.in_([r.id for r in rows]))
            .order_by(R.id)
        )
        seen: dict[int, tuple[int, str, str | None]] = {}
        raised: dict[int, tuple[str, str]] = {}  # audit id -> (highest raise, its reviewer)
        for audit_id, decision, raised_to, reviewer in conn.execute(stmt):
            n = seen.get(audit_id, (0, "", None))[0]
            seen[audit_id] = (n + 1, decision, raised_to)
            if raised_to is not None:
                raised[audit_id] = (raised_to, reviewer)  # raises only ever go up
        out = []
        for r in rows:
            n, decision, raised_to = seen.get(r.id, (0, None, None))
            top, by = raised.get(r.id, (None, None))
            grade = effective_grade(r.statutory_grade, [top])
            out.append(
                QueueRow(
                    r.id,
                    r.created_at,
                    r.assessment_id,
                    r.statutory_grade,
                    r.model_band,
                    r.model_probability,
                    bool(r.review_suggested),
                    n,
                    decision or None,
                    raised_to,
                    grade,
                    by if grade != r.statutory_grade else None,
                )
            )
        return out

    def queue_counts(self, f: QueueFilter) -> QueueCounts:
        """Count the cases matching the grade/band filters and the reviewed / raised among them."""
        conds = _base_conditions(f)
        total = select(func.count()).select_from(A).where(*conds)
        joined = select(func.count(func.distinct(R.audit_id))).join(A, A.id == R.audit_id)
        with self.engine.connect() as conn:
            matching = int(conn.execute(total).scalar_one())
            reviewed = int(conn.execute(joined.where(*conds)).scalar_one())
            raised = int(conn.execute(joined.where(*conds, R.decision == "raise")).scalar_one())
        return QueueCounts(matching, reviewed, raised)

    def audit_case(self, audit_id: int) -> AuditCase | None:
        """Return one audit record for the case page, or None."""
        stmt = select(
            A.id,
            A.request_id,
            A.created_at,
            A.caller_key_id,
            A.model_version,
            A.rules_version,
            A.statutory_grade,
            A.response_json,
            A.case_input_json,
        ).where(A.id == audit_id)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else AuditCase(*row)

    def reviews_for(self, audit_id: int) -> list[ReviewRecord]:
        """Return the reviews of one case, oldest first."""
        stmt = select(
            R.id, R.audit_id, R.decision, R.raised_to, R.reason, R.reviewer_key_id, R.created_at,
            R.grade_after,
        ).where(R.audit_id == audit_id)  # fmt: skip
        with self.engine.connect() as conn:
            return [ReviewRecord(*r) for r in conn.execute(stmt.order_by(R.id))]

    def add_review(self, review: NewReview) -> int:
        """Store a review after re-checking, in the same transaction, that it lowers nothing.

        The case's effective grade (statutory grade or highest raise) is read in the inserting
        transaction; the database's trigger (migration 0003) checks it once more.
        """
        if not review.reason.strip():
            raise ReviewRefusedError("a reason is required")
        grade_of = select(A.statutory_grade).where(A.id == review.audit_id)
        raises = select(R.raised_to).where(R.audit_id == review.audit_id, R.raised_to.isnot(None))
        with self.engine.begin() as conn:
            grade = conn.execute(grade_of).scalar_one_or_none()
            if grade is None:
                raise LookupError(f"no audit record {review.audit_id}")
            current = effective_grade(str(grade), list(conn.execute(raises).scalars()))
            check_raise(current, review.decision, review.raised_to)
            values = {
                "audit_id": review.audit_id,
                "decision": review.decision,
                "raised_to": review.raised_to,
                "grade_after": review.raised_to or current,
                "reason": review.reason,
                "reviewer_key_id": review.reviewer_key_id,
                "created_at": review.created_at,
            }
            result = conn.execute(insert(_REVIEW_TABLE).returning(_REVIEW_TABLE.c.id), values)
            return int(result.scalar_one())
