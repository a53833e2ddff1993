"""The queue pages: filters from the query string, keyset cursors and the page's view model."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import urlencode

from features.vocab import GRADES
from serving.db.reviewer_store import (
    Cursor,
    QueueCounts,
    QueueFilter,
    QueueRow,
    ReviewerStore,
    ReviewState,
)

GradeParam = Literal["", "standard", "medium", "high"]
SuggestedParam = Literal["", "yes", "no"]
StateParam = Literal["any", "unreviewed", "reviewed", "raised"]
STATE_LABELS: Final[dict[str, str]] = {
    "any": "Any",
    "unreviewed": "Not yet reviewed",
    "reviewed": "Reviewed",
    "raised": "Grade raised by a reviewer",
}
# ids fit a signed 64-bit integer well below its end (2**62, as the case page's audit id)
_QUEUE_CURSOR = re.compile(r"^[0-9]{1,18}$")
_DISAGREEMENT_CURSOR = re.compile(r"^([0-9.eE+\-]{1,32}):([0-9]{1,18})$")


class BadCursorError(ValueError):
    """The ``after`` parameter is not a cursor of this view."""


@dataclass(frozen=True)
class QueueParams:
    """The query string of a queue page."""

    grade: GradeParam = ""
    band: GradeParam = ""
    suggested: SuggestedParam = ""
    state: StateParam = "any"
    after: str = ""

    def to_filter(self, disagreements: bool) -> QueueFilter:
        """Return the store filter these parameters select."""
        suggested = None if not self.suggested else self.suggested == "yes"
        state: ReviewState = self.state
        return QueueFilter(
            grade=self.grade or None,
            band=self.band or None,
            suggested=suggested,
            state=state,
            disagreements=disagreements,
        )

    def query(self, after: str = "") -> dict[str, str]:
        """Return the non-default parameters (for links), with a new ``after``."""
        raw = {
            "grade": self.grade,
            "band": self.band,
            "suggested": self.suggested,
            "state": "" if self.state == "any" else self.state,
            "after": after,
        }
        return {k: v for k, v in raw.items() if v}


def format_cursor(cursor: Cursor) -> str:
    """Return a cursor as the ``after`` parameter (``id`` or ``probability:id``)."""
    if cursor.probability is None:
        return str(cursor.id)
    return f"{cursor.probability!r}:{cursor.id}"


def parse_cursor(raw: str, disagreements: bool) -> Cursor | None:
    """Parse an ``after`` parameter; raise :class:`BadCursorError` if it is not this view's."""
    if not raw:
        return None
    if not disagreements:
        if not _QUEUE_CURSOR.match(raw):
            raise BadCursorError("'after' must be an audit record id")
        return Cursor(int(raw))
    found = _DISAGREEMENT_CURSOR.match(raw)
    if not found:
        raise BadCursorError("'after' must be probability:id")
    try:
        probability = float(found.group(1))
    except ValueError as exc:
        raise BadCursorError("'after' has an unreadable probability") from exc
    if not math.isfinite(probability):
        raise BadCursorError("'after' has an unreadable probability")
    return Cursor(int(found.group(2)), probability)


@dataclass(frozen=True)
class QueueView:
    """Everything the queue template shows."""

    disagreements: bool
    params: QueueParams
    rows: list[QueueRow]
    counts: QueueCounts
    next_url: str | None
    first_url: str | None
    path: str
    grades: tuple[str, ...] = GRADES
    states: dict[str, str] = field(default_factory=lambda: dict(STATE_LABELS))


def build_queue(
    store: ReviewerStore, params: QueueParams, path: str, disagreements: bool, page_size: int
) -> QueueView:
    """Read one page of the queue (or the disagreement view) and its counts."""
    f = params.to_filter(disagreements)
    page = store.queue_page(f, parse_cursor(params.after, disagreements), page_size)
    counts = store.queue_counts(f)
    next_url = None
    if page.next_cursor is not None:
        next_url = f"{path}?{urlencode(params.query(format_cursor(page.next_cursor)))}"
    first_url = None
    if params.after:
        first = params.query()
        first_url = f"{path}?{urlencode(first)}" if first else path
    return QueueView(disagreements, params, page.rows, counts, next_url, first_url, path)
