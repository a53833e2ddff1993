"""Back-score a cohort: statutory grade and actions, the model's probability, top reasons.

The statutory grade and its actions come from the rules and are always written; the model adds
its calibrated probability, its band and whether a review is suggested (its band above the
statutory grade), never a lower grade. Reasons are the ``top_k`` largest TreeSHAP contributions
(log-odds) of each row. One function serves a whole cohort and one partition alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from features.engine import FeatureConfig, build_features
from features.model_format.scoring import CalibratedScorer
from features.rules import RulesConfig, grade_table
from features.vocab import GRADES

DEFAULT_TOP_K: Final[int] = 3
STATUTORY_COLUMNS: Final[tuple[str, ...]] = ("assessment_id", "statutory_grade", "actions")


def _grade_rank(values: Any) -> np.ndarray:
    return np.asarray(pd.Categorical(values, categories=list(GRADES)).codes, dtype=np.int64)


def reason_columns(
    contributions: np.ndarray, names: tuple[str, ...], top_k: int
) -> dict[str, np.ndarray]:
    """Return each row's ``top_k`` features by absolute contribution and their log-odds."""
    k = min(top_k, contributions.shape[1])
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :k]
    labels = np.asarray(names, dtype=object)
    out: dict[str, np.ndarray] = {}
    for i in range(k):
        out[f"reason_{i + 1}_feature"] = labels[order[:, i]]
        out[f"reason_{i + 1}_log_odds"] = np.take_along_axis(contributions, order[:, i : i + 1], 1)[
            :, 0
        ]
    return out


def score_frame(
    features: pd.DataFrame, grades: pd.DataFrame, scorer: CalibratedScorer, top_k: int
) -> pd.DataFrame:
    """Score feature rows beside their grades (both one row per assessment, same order)."""
    rows = features[list(scorer.spec.feature_names)].to_numpy(dtype=np.float64)
    scores = scorer.score(rows, explain=True)
    assert scores.contributions is not None  # explain=True always returns them
    out: dict[str, Any] = {c: grades[c].to_numpy() for c in STATUTORY_COLUMNS}
    out["model_probability"] = scores.probability
    out["model_band"] = scores.band.astype(object)
    out["review_suggested"] = _grade_rank(out["model_band"]) > _grade_rank(out["statutory_grade"])
    out |= reason_columns(scores.contributions, scorer.spec.feature_names, top_k)
    return pd.DataFrame(out)


def score_cohort(
    tables: Mapping[str, pd.DataFrame],
    scorer: CalibratedScorer,
    config: RulesConfig | None = None,
    top_k: int = DEFAULT_TOP_K,
) -> pd.DataFrame:
    """Grade and score every assessment of a cohort: one row per assessment, in table order."""
    features = build_features(tables, FeatureConfig())
    grades = grade_table(tables, config)
    return score_frame(features, grades, scorer, top_k)
