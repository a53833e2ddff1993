"""SQLite WAL checkpoints off the request path: a daemon thread checkpoints on a timer.

With SQLite's default auto-checkpoint, the commit that crosses 1,000 WAL pages copies the WAL
into the database and syncs it, inside a request: the tail latency under steady load came
from those commits. Here requests only append to the WAL (``wal_autocheckpoint=0``) and this
thread runs ``PRAGMA wal_checkpoint(PASSIVE)`` every interval; durability is unchanged
(``synchronous`` still applies to every commit).
"""

from __future__ import annotations

import logging
import threading
import weakref

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("serving.db")


def _checkpoint_loop(ref: weakref.ref[Engine], stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        engine = ref()
        if engine is None:
            return
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except DBAPIError as exc:  # busy or closed: the next tick tries again
            log.debug("WAL checkpoint skipped: %s", type(exc).__name__)
        del engine


def start_checkpointer(engine: Engine, interval: float) -> threading.Event:
    """Checkpoint ``engine``'s WAL every ``interval`` seconds until the returned event is set."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_checkpoint_loop,
        args=(weakref.ref(engine), stop, interval),
        name="sqlite-wal-checkpoint",
        daemon=True,
    )
    thread.start()
    return stop
