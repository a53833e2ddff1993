"""Typed SQLAlchemy 2 ORM models; the schema itself is created by the Alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base for the serving tables."""


class ApiKey(Base):
    """An API key: a public id, the SHA-256 of its secret (never the secret) and a role."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class ScoreAudit(Base):
    """One scored case: who asked, when, with which model and rules, and what was answered.

    ``input_sha256`` fingerprints the canonical request JSON; ``response_json`` is the exact
    body returned for the case. ``item_index`` is the case's position in a batch (0 otherwise).
    ``case_input_json`` is the validated request (the case the reviewer page shows; it holds
    person ids, so it lives only in the database, never in a log line).
    """

    __tablename__ = "score_audit"
    __table_args__ = (
        UniqueConstraint("request_id", "item_index", name="uq_score_audit_item"),
        # queue indexes (migration 0002): each ends in id for keyset pages
        Index("ix_score_audit_grade_id", "statutory_grade", "id"),
        Index("ix_score_audit_grade_band_id", "statutory_grade", "model_band", "id"),
        Index("ix_score_audit_band_id", "model_band", "id"),
        Index("ix_score_audit_review_probability", "review_suggested", "model_probability", "id"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36), index=True)
    item_index: Mapped[int] = mapped_column(Integer, default=0)
    caller_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    model_name: Mapped[str] = mapped_column(String(200))
    model_version: Mapped[str] = mapped_column(String(32))
    rules_version: Mapped[str] = mapped_column(String(32))
    assessment_id: Mapped[str] = mapped_column(String(64), index=True)
    input_sha256: Mapped[str] = mapped_column(String(64))
    statutory_grade: Mapped[str] = mapped_column(String(16))
    model_band: Mapped[str] = mapped_column(String(16))
    model_probability: Mapped[float] = mapped_column(Float)
    review_suggested: Mapped[bool] = mapped_column(Boolean)
    response_json: Mapped[str] = mapped_column(Text)
    case_input_json: Mapped[str | None] = mapped_column(Text, default=None)


class Review(Base):
    """A reviewer's decision on one scored case: agree, raise the grade, or no change.

    ``raised_to`` is set only for a raise. ``grade_after`` is the case's effective grade after
    the review: the highest of the statutory grade and every raise. A raise goes strictly above
    the effective grade and nothing goes below it, checked by :mod:`serving.web.reviews`, again
    by the store in the inserting transaction, and by the database (migration 0003's trigger).
    """

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("decision IN ('agree', 'raise', 'no_change')", name="ck_reviews_decision"),
        CheckConstraint(
            "(decision = 'raise' AND raised_to IN ('medium', 'high'))"
            " OR (decision <> 'raise' AND raised_to IS NULL)",
            name="ck_reviews_raised_to",
        ),
        CheckConstraint(
            "grade_after IN ('standard', 'medium', 'high')"
            " AND (decision <> 'raise' OR grade_after = raised_to)",
            name="ck_reviews_grade_after",
        ),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    audit_id: Mapped[int] = mapped_column(_BIG_ID, ForeignKey("score_audit.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    raised_to: Mapped[str | None] = mapped_column(String(16), default=None)
    grade_after: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    reviewer_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SpentToken(Base):
    """A used single-use token: a signed-out session or a submitted form's CSRF token.

    Only the SHA-256 of the token is kept, until the token would have expired anyway.
    """

    __tablename__ = "spent_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
