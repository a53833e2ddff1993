"""WAL checkpoints run in a background thread, not in the committing request."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from serving.db.checkpoint import start_checkpointer
from serving.db.session import make_engine

ROWS, PAYLOAD = 400, "x" * 5000  # about 2 MB of WAL


def _filled(url: str) -> Engine:
    """An engine (kept open, so SQLite does not checkpoint on close) after ~2 MB of commits."""
    engine = make_engine(url, 2, "NORMAL", background_checkpoint=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
    for i in range(ROWS):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": f"{i}{PAYLOAD}"})
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
    return engine


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    url = f"sqlite:///{db}"
    engine = _filled(url)
    assert db.stat().st_size < 200_000  # every row still only in the WAL
    before = {t.name for t in threading.enumerate()}
    stop = start_checkpointer(engine, 0.05)
    deadline = time.monotonic() + 5
    while db.stat().st_size < 1_500_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert db.stat().st_size >= 1_500_000  # copied into the database by the thread
    stop.set()
    time.sleep(0.2)
    assert {t.name for t in threading.enumerate()} - before == set()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == ROWS
    engine.dispose()
