"""Engine creation (SQLite in WAL mode by default, PostgreSQL by URL) and Alembic upgrades."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes the WAL file keeps after SQLite rewinds it


def normalise_url(url: str) -> str:
    """Use the psycopg (v3) driver for plain ``postgresql://`` / ``postgres://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(synchronous: str, background_checkpoint: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=5000")
        if background_checkpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        cursor.close()

    return on_connect


def is_sqlite_file(url: str) -> bool:
    """Return whether ``url`` names an on-disk SQLite database (not ``:memory:``)."""
    return url.startswith("sqlite:///") and url != "sqlite:///:memory:"


def make_engine(
    url: str,
    pool_size: int = 8,
    sqlite_synchronous: str = "NORMAL",
    background_checkpoint: bool = False,
) -> Engine:
    """Create a pooled engine; SQLite files get WAL mode and a busy timeout on every connection.

    ``background_checkpoint`` turns off SQLite's checkpoint-on-commit; the caller then runs
    :func:`serving.db.checkpoint.start_checkpointer` on the engine.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        if is_sqlite_file(url):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous, background_checkpoint))
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def alembic_config() -> Config:
    """Return an Alembic config pointing at ``serving/migrations`` (no ini file needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def init_db(engine: Engine, attempts: int = 3) -> None:
    """Upgrade the database to the latest migration (idempotent).

    Several server workers may start at once; if another one is migrating, the failed attempt
    is retried (by then the upgrade is a no-op).
    """
    cfg = alembic_config()
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
