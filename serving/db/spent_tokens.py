"""Single-use tokens: spend one (atomically, by primary key) and ask whether one was spent."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from serving.db.models import SpentToken

PRUNE_EVERY: Final[int] = 200  # spends between deletions of expired rows


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SpentTokens:
    """The ``spent_tokens`` table: a token can be spent once, by any worker process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._spends = 0

    def spend(self, token: str, kind: str, lifetime: timedelta) -> bool:
        """Mark ``token`` used until it expires; return False if it had already been used."""
        now = datetime.now(UTC)
        row = {"token_sha256": _digest(token), "kind": kind, "expires_at": now + lifetime}
        self._spends += 1
        try:
            with self.engine.begin() as conn:
                if self._spends % PRUNE_EVERY == 0:
                    conn.execute(delete(SpentToken).where(SpentToken.expires_at < now))
                conn.execute(insert(SpentToken), [row])
        except IntegrityError:
            return False
        return True

    def is_spent(self, token: str) -> bool:
        """Return whether ``token`` was spent (and has not yet expired)."""
        stmt = select(SpentToken.expires_at).where(SpentToken.token_sha256 == _digest(token))
        with self.engine.connect() as conn:
            return conn.execute(stmt).first() is not None
