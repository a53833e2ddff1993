"""Simulate a live period: a synthetic cohort, optional injected drifts, features, grades, scores.

The year before the live period is the training reference; the year before that only gives
the cases their history. Scores come from a registered model's portable form when one is given,
else from a simple stand-in (a logistic score on a few features, banded at reference quantiles).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from features.engine import build_features
from features.labels import derive_labels
from features.model_format.scoring import CalibratedScorer
from features.rules import grade_table
from features.synthetic import GeneratorParams, generate_cohort
from features.vocab import GRADE_RANK, GRADES
from monitoring import columns as col
from monitoring.drifts import DRIFTS, Tables
from monitoring.reference import Reference, build_reference

LAST_DAY: Final[str] = "2025-12-31"
SCORED_FILE: Final[str] = "scored_cases.parquet"
REFERENCE_FILE: Final[str] = "reference.json"
METADATA_FILE: Final[str] = "replay.json"
# history before the reference year, so that counts over "ever" are near their steady state
BURN_IN_MONTHS: Final[int] = 48


@dataclass(frozen=True)
class Replay:
    """The live period's scored cases, the reference built from the year before, and metadata."""

    scored: pd.DataFrame
    reference: Reference
    metadata: dict[str, Any]

    def save(self, directory: Path) -> None:
        """Write the scored cases, the reference and the metadata to ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        self.scored.to_parquet(directory / SCORED_FILE, index=False)
        self.reference.save(directory / REFERENCE_FILE)
        (directory / METADATA_FILE).write_text(json.dumps(self.metadata, indent=2))


def _month(start: pd.Timestamp, months: int) -> pd.Timestamp:
    return start + pd.DateOffset(months=months)


def _inject(tables: Tables, names: Sequence[str], live: pd.Timestamp, seed: int) -> None:
    rng = np.random.default_rng([seed, 17])
    inc = tables["incidents"]
    for name in names:
        drift = DRIFTS[name]
        start = _month(live, drift.start_month - 1)
        drift.inject(tables, (inc["area"] == drift.area) & (inc["occurred_at"] >= start), rng)


def _stand_in(features: pd.DataFrame) -> np.ndarray:
    """Return a stand-in probability: a fixed logistic score on a few well-known risk factors."""
    z = (
        -3.0
        + 0.12 * features["dash_yes_count"]
        + 0.5 * np.log1p(features["dyad_incidents_365d"])
        + 0.3 * (features["severity"] >= 4)
        + 0.4 * np.log1p(features["perp_violent_convictions"])
    )
    return np.asarray(1.0 / (1.0 + np.exp(-z.to_numpy(dtype=np.float64))))


def _bands(p: np.ndarray, reference: np.ndarray) -> np.ndarray:
    cuts = np.quantile(reference, [0.7, 0.9])
    return np.asarray(GRADES, dtype=object)[np.searchsorted(cuts, p, side="right")]


def _scores(features: pd.DataFrame, in_ref: np.ndarray, model: Path | None) -> tuple[Any, Any]:
    if model is not None:
        scorer = CalibratedScorer.load(model)
        rows = features[list(scorer.spec.feature_names)].to_numpy(dtype=np.float64)
        s = scorer.score(rows, explain=False)
        return s.probability, s.band.astype(object)
    p = _stand_in(features)
    return p, _bands(p, p[in_ref])


def _case_frame(tables: Tables, features: pd.DataFrame) -> pd.DataFrame:
    """Return one row per assessment: time, area, officer, grade, answers and features."""
    ass = tables["dash_assessments"].reset_index(drop=True)
    area = ass["incident_id"].map(tables["incidents"].set_index("incident_id")["area"])
    frame = pd.DataFrame(
        {
            col.TIME: ass["completed_at"].to_numpy(),
            col.AREA: area.to_numpy(),
            col.OFFICER: ass["officer_id"].to_numpy(),
            col.GRADE: grade_table(tables)["statutory_grade"].to_numpy(),
        }
    )
    answers = ass[list(col.QUESTIONS)].astype(str)
    monitored = features[list(col.MONITORED_FEATURES)].reset_index(drop=True)
    return pd.concat([frame, answers, monitored], axis=1)


def _score(
    frame: pd.DataFrame, features: pd.DataFrame, in_ref: np.ndarray, model: Path | None
) -> None:
    probability, band = _scores(features.reset_index(drop=True), in_ref, model)
    frame[col.PROBABILITY], frame[col.BAND] = probability, band
    # as features.rules.combine: a review is suggested when the band ranks above the grade
    frame[col.REVIEW] = frame[col.BAND].map(GRADE_RANK) > frame[col.GRADE].map(GRADE_RANK)


def replay(
    months: int = 24,
    drifts: Sequence[str] = (),
    seed: int = 0,
    n_victims: int = 100_000,
    model: Path | None = None,
) -> Replay:
    """Simulate ``months`` of live scoring (ending 2025-12-31) with the named drifts injected."""
    unknown = [d for d in drifts if d not in DRIFTS]
    if unknown or months < 1:
        raise ValueError(f"unknown drift {unknown[0]!r}" if unknown else "months must be >= 1")
    live = _month(pd.Timestamp(LAST_DAY) + pd.Timedelta(days=1), -months)
    ref_start, history = _month(live, -12), _month(live, -12 - BURN_IN_MONTHS)
    params = GeneratorParams(observed_from=str(history.date()), observed_until=LAST_DAY)
    tables = {k: v.copy() for k, v in generate_cohort(n_victims, seed, params).tables.items()}
    _inject(tables, drifts, live, seed)
    features = build_features(tables)
    frame = _case_frame(tables, features)
    in_ref = ((frame[col.TIME] >= ref_start) & (frame[col.TIME] < live)).to_numpy()
    _score(frame, features, in_ref, model)
    frame[col.OUTCOME] = _outcomes(tables)
    scored = frame[frame[col.TIME] >= live].reset_index(drop=True)
    metadata = {
        "months": months,
        "seed": seed,
        "n_victims": n_victims,
        "live_from": str(live.date()),
        "reference_from": str(ref_start.date()),
        "scorer": "model" if model is not None else "stand-in",
        "drifts": [_drift_meta(name, live) for name in drifts],
    }
    return Replay(scored, build_reference(frame[in_ref]), metadata)


def _outcomes(tables: Tables) -> np.ndarray:
    """Return each case's repeat incident within 365 days, NaN until that window has passed."""
    labels = derive_labels(
        tables["incidents"], tables["dash_assessments"], observed_until=pd.Timestamp(LAST_DAY)
    )
    known = labels["outcome_window_complete"].to_numpy(dtype=bool)
    return np.where(known, labels["repeat_incident_365d"].to_numpy(dtype=np.float64), np.nan)


def _drift_meta(name: str, live: pd.Timestamp) -> dict[str, Any]:
    drift = DRIFTS[name]
    start = _month(live, drift.start_month - 1)
    return {**drift.to_dict(), "start_window": start.to_period("M").strftime("%Y-%m")}
