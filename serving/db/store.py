"""The serving store: API keys and audit records, behind a few typed methods (no SQL in routes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.orm import Session

from serving.db.models import ApiKey, ScoreAudit


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One scored case as the audit log keeps it: what ``/v1/audit/requests/{id}`` returns.

    The columns of :class:`serving.db.models.ScoreAudit` are these fields and
    :class:`AuditRow`'s ``case_input_json`` plus the row ``id`` (a test holds them equal).
    """

    request_id: str
    item_index: int
    caller_key_id: str
    created_at: datetime
    model_name: str
    model_version: str
    rules_version: str
    assessment_id: str
    input_sha256: str
    statutory_grade: str
    model_band: str
    model_probability: float
    review_suggested: bool
    response_json: str


@dataclass(frozen=True, slots=True)
class AuditRow(AuditRecord):
    """An audit record ready to insert, with the validated case the reviewer page shows.

    ``case_input_json`` holds person ids, so it stays in the database: the API returns
    :class:`AuditRecord` without it.
    """

    case_input_json: str | None = None


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A stored API key: public id, secret hash, role and whether it is revoked."""

    key_id: str
    secret_sha256: str
    role: str
    revoked: bool


_AUDIT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(AuditRow))
_AUDIT_TABLE: Any = ScoreAudit.__table__
_INSERT_AUDIT = insert(_AUDIT_TABLE)


class Store:
    """Reads and writes the serving tables through one pooled engine."""

    def __init__(
        self,
        engine: Engine,
        on_close: Callable[[], None] | None = None,
        on_record: Callable[[int], None] | None = None,
    ) -> None:
        self.engine = engine
        self._on_close = on_close
        self._on_record = on_record  # told the row count of each committed audit insert

    def close(self) -> None:
        """Stop any background work on the database and release its connections."""
        if self._on_close is not None:
            self._on_close()
        self.engine.dispose()

    def ping(self) -> bool:
        """Return whether the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # any driver error means not ready
            return False
        return True

    def record_scores(self, rows: Sequence[AuditRow]) -> None:
        """Insert audit rows in one committed transaction (returns only once they are stored)."""
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(_INSERT_AUDIT, [_row_params(r) for r in rows])
        if self._on_record is not None:
            self._on_record(len(rows))

    def audit_for_request(self, request_id: str) -> list[AuditRecord]:
        """Return the audit records of one request, in item order."""
        stmt = (
            select(ScoreAudit)
            .where(ScoreAudit.request_id == request_id)
            .order_by(ScoreAudit.item_index)
        )
        with Session(self.engine) as session:
            found = session.scalars(stmt).all()
            return [_audit_record(r) for r in found]

    def grade_counts(self) -> list[tuple[str, str, bool, int]]:
        """Return (statutory grade, model band, review suggested, count) over the whole log."""
        cols = (ScoreAudit.statutory_grade, ScoreAudit.model_band, ScoreAudit.review_suggested)
        stmt = select(*cols, func.count()).group_by(*cols).order_by(*cols)
        with self.engine.connect() as conn:
            return [(str(a), str(b), bool(c), int(n)) for a, b, c, n in conn.execute(stmt)]

    def add_key(self, key: ApiKey) -> None:
        """Store a new API key (its hash only)."""
        with Session(self.engine) as session, session.begin():
            session.add(key)

    def find_key(self, key_id: str) -> KeyRecord | None:
        """Return a key by its public id, or None."""
        with Session(self.engine) as session:
            row = session.get(ApiKey, key_id)
            if row is None:
                return None
            return KeyRecord(row.key_id, row.secret_sha256, row.role, row.revoked_at is not None)

    def revoke_key(self, key_id: str, when: datetime) -> bool:
        """Mark a key revoked; return whether it existed."""
        stmt = update(ApiKey).where(ApiKey.key_id == key_id).values(revoked_at=when)
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt).rowcount)


def _row_params(row: AuditRow) -> dict[str, Any]:
    # not dataclasses.asdict: it deep-copies every value, a tenth of an insert's cost
    return {name: getattr(row, name) for name in _AUDIT_FIELDS}


_RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(AuditRecord))


def _audit_record(row: ScoreAudit) -> AuditRecord:
    return AuditRecord(**{name: getattr(row, name) for name in _RECORD_FIELDS})
