"""API keys are stored only as hashes; migrations, WAL mode and the audit store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from serving.db.models import ApiKey
from serving.db.session import init_db, make_engine, normalise_url
from serving.db.store import Store
from serving.security import KeyVerifier, create_key


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = make_engine(database_url)
    init_db(engine)
    init_db(engine)  # idempotent
    yield Store(engine)
    engine.dispose()


def test_migrations_create_the_tables(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"api_keys", "score_audit", "alembic_version"} <= names


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_keys_are_stored_as_hashes_only(store: Store) -> None:
    key_id, token = create_key(store, "reviewer")
    secret = token.split(".", 1)[1]
    with Session(store.engine) as session:
        row = session.scalars(select(ApiKey)).one()
    assert row.key_id == key_id and row.role == "reviewer"
    assert row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(row.__dict__) and token.startswith(f"sl_{key_id}.")


def test_create_key_with_a_session_and_verify(store: Store) -> None:
    with Session(store.engine) as session:
        key_id, token = create_key(session, "admin")
        session.commit()
    verifier = KeyVerifier(store, cache_seconds=0)
    caller = verifier.verify(token)
    assert caller is not None and (caller.key_id, caller.role) == (key_id, "admin")
    assert verifier.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert verifier.verify("sl_" + key_id) is None
    assert verifier.verify("") is None


def test_revoked_key_is_refused(store: Store) -> None:
    key_id, token = create_key(store, "case_system")
    verifier = KeyVerifier(store, cache_seconds=0)
    assert verifier.verify(token) is not None
    from datetime import UTC, datetime

    assert store.revoke_key(key_id, datetime.now(UTC))
    assert verifier.verify(token) is None


def test_unknown_role_is_rejected(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        create_key(store, "superuser")


def test_postgres_urls_use_psycopg() -> None:
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
