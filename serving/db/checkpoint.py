"""SQLite WAL checkpoints off the request path: a daemon thread checkpoints on a timer.

With SQLite's default auto-checkpoint, the commit that crosses 1,000 WAL pages copies the WAL
into the database and syncs it, inside a request: the tail latency under steady load came
from those commits. Here requests only append to the WAL (``wal_autocheckpoint=0``) and this
thread runs ``PRAGMA wal_checkpoint(PASSIVE)`` every interval; durability is unchanged
(``synchronous`` still applies to every commit).

A passive checkpoint never waits for writers, so under continuous writes it never catches up
with the last frame, and SQLite rewinds the WAL only after a checkpoint that did: the WAL
would grow without bound (1.8 GB after 32,000 audit rows, measured). So once the WAL holds
more than ``restart_frames`` frames, the thread follows the passive pass with a ``RESTART``
checkpoint: by then only the frames written during the passive pass are left to copy, so
writers wait (through their busy timeout) for that short tail only, and the next commit
starts the WAL from the beginning (every connection's ``journal_size_limit``, set in
:mod:`serving.db.session`, then truncates the file).
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Final

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("serving.db")

RESTART_FRAMES: Final[int] = 16_384  # 64 MiB of 4 KiB pages


def checkpoint(conn: Connection, restart_frames: int = RESTART_FRAMES) -> tuple[int, int]:
    """Checkpoint passively, then restart the WAL if it has grown long; return (frames, copied).

    The figures are SQLite's for the last checkpoint run: frames in the WAL and frames copied.
    """
    row = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    frames, copied = int(row[1]), int(row[2])
    if frames >= restart_frames:
        row = conn.exec_driver_sql("PRAGMA wal_checkpoint(RESTART)").one()
        frames, copied = int(row[1]), int(row[2])
    return frames, copied


def _checkpoint_loop(
    ref: weakref.ref[Engine], stop: threading.Event, interval: float, restart_frames: int
) -> None:
    while not stop.wait(interval):
        engine = ref()
        if engine is None:
            return
        try:
            with engine.connect() as conn:
                checkpoint(conn, restart_frames)
        except DBAPIError as exc:  # busy or closed: the next tick tries again
            log.debug("WAL checkpoint skipped: %s", type(exc).__name__)
        del engine


def start_checkpointer(
    engine: Engine, interval: float, restart_frames: int = RESTART_FRAMES
) -> threading.Event:
    """Checkpoint ``engine``'s WAL every ``interval`` seconds until the returned event is set."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_checkpoint_loop,
        args=(weakref.ref(engine), stop, interval, restart_frames),
        name="sqlite-wal-checkpoint",
        daemon=True,
    )
    thread.start()
    return stop
