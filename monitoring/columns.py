"""The columns of a scored-cases frame, stated once for the monitor, the replay and the CLI."""

from __future__ import annotations

from typing import Final

from features.dash import QUESTION_IDS
from features.engine.registry import feature_names

TIME: Final[str] = "completed_at"
AREA: Final[str] = "area"
OFFICER: Final[str] = "officer_id"
PROBABILITY: Final[str] = "probability"
BAND: Final[str] = "band"
GRADE: Final[str] = "statutory_grade"
REVIEW: Final[str] = "review_suggested"
OUTCOME: Final[str] = "outcome"  # optional: 1/0 once the 365-day window has passed, else NaN
CASE_COLUMNS: Final[tuple[str, ...]] = (TIME, AREA, OFFICER, PROBABILITY, BAND, GRADE, REVIEW)

QUESTIONS: Final[tuple[str, ...]] = QUESTION_IDS
# The engine's dash_q* columns encode the answers that are monitored as questions (with their
# don't-know / not-answered rates), so they are not monitored a second time as features.
MONITORED_FEATURES: Final[tuple[str, ...]] = tuple(
    name for name in feature_names() if not name.startswith("dash_q")
)
ALL_GROUP: Final[str] = "all"
