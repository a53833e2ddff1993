"""API keys: random tokens stored only as SHA-256 hashes, each with one role.

A token reads ``sl_<key_id>.<secret>``; the key id is public (it appears in the audit log),
the secret is shown once at creation. Verified keys are cached for a short time, so a
revocation takes effect within ``key_cache_seconds``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal, get_args

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from serving.db.models import ApiKey
from serving.db.store import KeyRecord, Store
from serving.security_events import security_event

Role = Literal["case_system", "reviewer", "researcher", "admin"]
ROLES: Final[tuple[str, ...]] = get_args(Role)
TOKEN_PREFIX: Final[str] = "sl_"


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: the key's public id and its role."""

    key_id: str
    role: str


def hash_secret(secret: str) -> str:
    """Return the hex SHA-256 of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """Split ``sl_<key_id>.<secret>`` into its parts, or return None if malformed."""
    if not token.startswith(TOKEN_PREFIX) or "." not in token or len(token) > 200:
        return None
    key_id, _, secret = token.removeprefix(TOKEN_PREFIX).partition(".")
    return (key_id, secret) if key_id and secret else None


def _new_key(role: str) -> tuple[ApiKey, str]:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose from {list(ROLES)}")
    key_id, secret = "k" + secrets.token_hex(6), secrets.token_urlsafe(32)
    row = ApiKey(
        key_id=key_id, secret_sha256=hash_secret(secret), role=role, created_at=datetime.now(UTC)
    )
    return row, f"{TOKEN_PREFIX}{key_id}.{secret}"


def create_key(session_or_store: Session | Store | Engine, role: str) -> tuple[str, str]:
    """Create and store a key for ``role``; return (key id, full token). Shown once, never stored.

    Accepts a :class:`Store`, an :class:`~sqlalchemy.Engine` or an open ORM ``Session``
    (which the caller commits). Logs the ``key_created`` security event.
    """
    row, token = _new_key(role)
    key_id = row.key_id  # read before the session commits (and expires) the row
    if isinstance(session_or_store, Session):
        session_or_store.add(row)
        session_or_store.flush()
    elif isinstance(session_or_store, Store):
        session_or_store.add_key(row)
    else:
        Store(session_or_store).add_key(row)
    security_event("key_created", key_id=key_id, role=role)
    return key_id, token


class KeyVerifier:
    """Checks tokens against the stored hashes, caching verified records briefly."""

    def __init__(self, store: Store, cache_seconds: float = 30.0) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, KeyRecord]] = {}
        self._lock = threading.Lock()

    def _record(self, key_id: str) -> KeyRecord | None:
        now = time.monotonic()
        hit = self._cache.get(key_id)
        if hit is not None and now - hit[0] < self.cache_seconds:
            return hit[1]
        record = self.store.find_key(key_id)
        with self._lock:
            if record is None:
                self._cache.pop(key_id, None)
            else:
                self._cache[key_id] = (now, record)
        return record

    def verify(self, token: str) -> Caller | None:
        """Return the caller for a valid, unrevoked token, else None."""
        parts = split_token(token)
        if parts is None:
            return None
        record = self._record(parts[0])
        if record is None or record.revoked:
            return None
        if not hmac.compare_digest(record.secret_sha256, hash_secret(parts[1])):
            return None
        return Caller(record.key_id, record.role)
