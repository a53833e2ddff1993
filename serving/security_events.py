"""Security events: one log line each, with a fixed name and only the service's own ids.

Every event goes to the ``secondlook.security`` logger as ``event=<name>`` with its fields as
structured extras (``configure_logging`` writes them as JSON). Fields are limited to the
names in :data:`FIELDS`, so no call can put a person's data into the security log.
"""

from __future__ import annotations

import logging
from typing import Final, Literal

Event = Literal[
    "sign_in_succeeded",
    "sign_in_failed",
    "sign_in_locked_out",
    "signed_out",
    "api_key_refused",
    "api_key_locked_out",
    "review_recorded",
    "grade_raised",
    "export",
    "model_reloaded",
    "key_created",
    "key_revoked",
]
FIELDS: Final[frozenset[str]] = frozenset(
    {
        "key_id",
        "role",
        "client",
        "request_id",
        "audit_id",
        "decision",
        "why",
        "retry_after_s",
        "previous_version",
        "version",
        "what",
        "rows",
    }
)
WARNINGS: Final[frozenset[str]] = frozenset(
    {"sign_in_failed", "sign_in_locked_out", "api_key_refused", "api_key_locked_out"}
)
log = logging.getLogger("secondlook.security")


def security_event(event: Event, **fields: str | int | float | None) -> None:
    """Log one security event with the given fields (unknown field names are refused)."""
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValueError(f"not a security-event field: {sorted(unknown)}")
    level = logging.WARNING if event in WARNINGS else logging.INFO
    log.log(level, "security event %s", event, extra={"event": event, **fields})
