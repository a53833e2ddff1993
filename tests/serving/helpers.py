"""Small helpers shared by the serving and reviewer-page tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from serving.db.models import Base
from serving.db.session import normalise_url


def bearer(token: str) -> dict[str, str]:
    """Return an Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def reset_postgres(url: str) -> None:
    """Drop every serving table (from the ORM metadata) and Alembic's version table."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)] + ["alembic_version"]
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


def database_url(backend: str, sqlite_file: Path) -> str:
    """Return a fresh SQLite file URL, or the emptied PostgreSQL test database (else skip)."""
    if backend == "sqlite":
        return f"sqlite:///{sqlite_file}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    reset_postgres(url)
    return url
