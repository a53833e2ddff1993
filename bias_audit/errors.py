"""The one exception the audit raises for unusable input: it names the column and the need."""

from __future__ import annotations


class AuditInputError(ValueError):
    """Raised when a column is missing or holds values the audit cannot use."""

    def __init__(self, column: str, expected: str, found: str = "") -> None:
        self.column = column
        self.expected = expected
        self.found = found
        detail = f" (found: {found})" if found else ""
        super().__init__(f"column {column!r}: expected {expected}{detail}")
