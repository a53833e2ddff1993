"""Combine the statutory result with the model's advisory view: the model can only add a review."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Final

from features.rules.results import Action, StatutoryResult
from features.vocab import GRADE_RANK

ADVISORY_NOTE: Final[str] = (
    "The statutory grade and its actions come from the force's rules and always apply. "
    "The model is advisory: it never lowers the grade or removes an action; "
    "it can only suggest a review."
)
REVIEW_RULE_ID: Final[str] = "M-REVIEW"
REVIEW_ACTION: Final[str] = "review_suggested"
REVIEW_SOURCE: Final[str] = "Second Look model (advisory, not statutory)"


@dataclass(frozen=True, slots=True)
class ModelView:
    """What the model says about one assessment: its band and calibrated probability."""

    band: str
    probability: float
    model_version: str | None = None

    @property
    def usable(self) -> bool:
        """Return whether the band is a known grade and the probability lies in [0, 1]."""
        p = _finite(self.probability)
        return str(self.band) in GRADE_RANK and p is not None and 0.0 <= p <= 1.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (a non-finite probability becomes null)."""
        return {
            "band": str(self.band),
            "probability": _finite(self.probability),
            "model_version": self.model_version,
        }


def _finite(value: object) -> float | None:
    """Return ``value`` as a finite float (numpy scalars included), else None."""
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return p if math.isfinite(p) else None


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The statutory grade and actions, unchanged, plus an optional review suggestion."""

    grade: str
    actions: tuple[Action, ...]
    review_suggested: bool
    advisory_note: str
    statutory: StatutoryResult
    model: ModelView | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "grade": self.grade,
            "actions": [a.to_dict() for a in self.actions],
            "review_suggested": self.review_suggested,
            "advisory_note": self.advisory_note,
            "statutory": self.statutory.to_dict(),
            "model": None if self.model is None else self.model.to_dict(),
        }

    def to_json(self) -> str:
        """Serialise to JSON (strict: no NaN)."""
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)


def _review(statutory: StatutoryResult, model: ModelView) -> Action:
    reason = (
        f"the model's band is {model.band} (probability {model.probability:.2f}), above the "
        f"statutory grade {statutory.grade}: a second look is suggested"
    )
    return Action(REVIEW_RULE_ID, REVIEW_ACTION, reason, REVIEW_SOURCE)


def combine(statutory: StatutoryResult, model: ModelView | None) -> Recommendation:
    """Keep the statutory grade and every action; add a review if the model band is higher."""
    higher = (
        model is not None
        and model.usable
        and GRADE_RANK[str(model.band)] > GRADE_RANK[statutory.grade]
    )
    actions = statutory.actions + ((_review(statutory, model),) if higher and model else ())
    return Recommendation(
        grade=statutory.grade,
        actions=actions,
        review_suggested=bool(higher),
        advisory_note=ADVISORY_NOTE,
        statutory=statutory,
        model=model,
    )
