"""Group commit of audit rows: shared transactions, per-request failure, nothing answered early."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from serving.db.audit_log_writer import AuditLogUnavailableError, AuditLogWriter
from serving.db.checkpoint import start_checkpointer
from serving.db.models import ScoreAudit
from serving.db.session import init_db, make_engine
from serving.db.store import AuditRow, Store
from tests.serving.helpers import database_url


def _row(assessment_id: str, request_id: str | None = None) -> AuditRow:
    return AuditRow(
        request_id=request_id or str(uuid.uuid4()),
        item_index=0,
        caller_key_id="ktest",
        created_at=datetime.now(UTC),
        model_name="m",
        model_version="1",
        rules_version="v1",
        assessment_id=assessment_id,
        input_sha256="0" * 64,
        statutory_grade="high",
        model_band="medium",
        model_probability=0.2,
        review_suggested=False,
        response_json="{}",
        case_input_json="{}",
    )


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    engine = make_engine(database_url(request.param, tmp_path / "audit.db"))
    init_db(engine)
    yield Store(engine)
    engine.dispose()


def _stored(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT assessment_id FROM score_audit ORDER BY assessment_id"))
        return [r[0] for r in rows]


class CountingStore(Store):
    """A store that counts transactions and fails any call holding a row for 'BAD'."""

    def __init__(self, inner: Store, on_record: Callable[[int], None] | None = None) -> None:
        super().__init__(inner.engine, on_record=on_record)
        self.calls: list[int] = []

    def record_scores(self, rows: Sequence[AuditRow]) -> None:
        self.calls.append(len(rows))
        if any(r.assessment_id == "BAD" for r in rows):
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        super().record_scores(rows)


async def _write_all(writer: AuditLogWriter, ids: list[str]) -> list[BaseException | None]:
    results = await asyncio.gather(*(writer.write([_row(a)]) for a in ids), return_exceptions=True)
    return [r if isinstance(r, BaseException) else None for r in results]


def test_requests_of_one_loop_turn_share_one_transaction(store: Store) -> None:
    committed: list[int] = []
    counting = CountingStore(store, on_record=committed.append)
    writer = AuditLogWriter(counting)
    ids = [f"A{i:02d}" for i in range(20)]
    assert asyncio.run(_write_all(writer, ids)) == [None] * 20
    assert counting.calls == [20]
    assert committed == [20]  # one committed transaction of 20 rows, as /metrics counts it
    assert _stored(store) == ids


def test_requests_in_later_turns_commit_on_their_own(store: Store) -> None:
    counting = CountingStore(store)
    writer = AuditLogWriter(counting)

    async def one_by_one() -> None:
        for i in range(3):
            await writer.write([_row(f"A{i}")])

    asyncio.run(one_by_one())
    assert counting.calls == [1, 1, 1]
    assert _stored(store) == ["A0", "A1", "A2"]


def test_a_failing_request_does_not_fail_the_others(store: Store) -> None:
    counting = CountingStore(store)
    writer = AuditLogWriter(counting)
    ids = ["A0", "A1", "BAD", "A3"]
    results = asyncio.run(_write_all(writer, ids))
    assert [r is None for r in results] == [True, True, False, True]
    assert isinstance(results[2], OperationalError)
    assert counting.calls == [4, 1, 1, 1, 1]  # the shared attempt, then one per request
    assert _stored(store) == ["A0", "A1", "A3"]


def test_a_duplicate_row_fails_only_its_own_request(store: Store) -> None:
    writer = AuditLogWriter(store)
    taken = str(uuid.uuid4())
    store.record_scores([_row("A0", request_id=taken)])

    async def both() -> list[BaseException | None]:
        out = await asyncio.gather(
            writer.write([_row("A1", request_id=taken)]),
            writer.write([_row("A2")]),
            return_exceptions=True,
        )
        return [r if isinstance(r, BaseException) else None for r in out]

    first, second = asyncio.run(both())
    assert isinstance(first, IntegrityError)
    assert second is None
    assert _stored(store) == ["A0", "A2"]


def test_a_closed_writer_refuses_rows(store: Store) -> None:
    writer = AuditLogWriter(store)
    writer.close()
    with pytest.raises(AuditLogUnavailableError):
        asyncio.run(writer.write([_row("A0")]))
    assert _stored(store) == []


def test_loops_on_other_threads_keep_their_own_batches(store: Store) -> None:
    writer = AuditLogWriter(store)
    errors: list[BaseException] = []

    def run(prefix: str) -> None:
        try:
            assert (
                asyncio.run(_write_all(writer, [f"{prefix}{i}" for i in range(10)])) == [None] * 10
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(_stored(store)) == 20


def _wal_after_continuous_writes(tmp_path: Path, name: str, restart_frames: int) -> int:
    db = tmp_path / f"{name}.db"
    engine = make_engine(f"sqlite:///{db}", 2, "NORMAL", background_checkpoint=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
    stop = start_checkpointer(engine, 0.02, restart_frames=restart_frames)
    deadline = time.monotonic() + 1.5
    i = 0
    while time.monotonic() < deadline:  # never a pause long enough for a passive catch-up
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": f"{i}" + "x" * 6000})
        i += 1
    stop.set()
    size = (tmp_path / f"{name}.db-wal").stat().st_size
    engine.dispose()
    return size


def test_the_wal_stays_bounded_under_continuous_writes(tmp_path: Path) -> None:
    unbounded = _wal_after_continuous_writes(tmp_path, "passive", restart_frames=10**9)
    bounded = _wal_after_continuous_writes(tmp_path, "restart", restart_frames=256)
    assert unbounded > 8_000_000  # passive checkpoints alone never rewind the WAL
    assert bounded < unbounded / 4


def test_the_audit_table_holds_exactly_the_record_fields() -> None:
    columns = [c.name for c in ScoreAudit.__table__.columns]
    assert columns == ["id", *(f.name for f in fields(AuditRow))]
