"""Small helpers shared by the serving tests."""

from __future__ import annotations


def bearer(token: str) -> dict[str, str]:
    """Return an Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}
