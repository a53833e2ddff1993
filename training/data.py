"""Assemble the modelling table: features, labels, grades and oracle, one row per assessment."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from features.cohort_frames import CohortFrames, build_cohort_frames
from features.dash import QUESTION_IDS, count_answers
from features.labels import derive_labels
from features.vocab import CONTRACT_VERSION

ORACLE_COLUMN = {
    "repeat_violent_365d": "p_repeat_violent_365d",
    "serious_harm_365d": "p_serious_harm_365d",
    "repeat_incident_365d": "p_repeat_365d",
}


@dataclass(frozen=True)
class ModelData:
    """Feature matrix ``x`` and aligned per-assessment facts in ``frame`` (same row order)."""

    x: pd.DataFrame
    frame: pd.DataFrame

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Return the model's feature names in column order."""
        return tuple(str(c) for c in self.x.columns)


def fingerprint(tables: dict[str, pd.DataFrame]) -> str:
    """Return a sha256 over every input table's content and the data contract version."""
    digest = hashlib.sha256(CONTRACT_VERSION.encode())
    for name in sorted(tables):
        frame = tables[name]
        digest.update(name.encode())
        digest.update(",".join(map(str, frame.columns)).encode())
        hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        digest.update(np.ascontiguousarray(hashed).tobytes())
    return digest.hexdigest()


def _facts(
    tables: dict[str, pd.DataFrame], observed_until: pd.Timestamp | None, grades: pd.DataFrame
) -> pd.DataFrame:
    """Return victim, assessment time, labels, window flag, yes-count and grades per assessment."""
    assessments = tables["dash_assessments"]
    labels = derive_labels(tables["incidents"], assessments, observed_until)
    grades = grades[["assessment_id", "statutory_grade"]]
    victims = tables["incidents"].set_index("incident_id")["victim_id"]
    facts = pd.DataFrame(
        {
            "assessment_id": assessments["assessment_id"].to_numpy(),
            "victim_id": victims.reindex(assessments["incident_id"]).to_numpy(),
            "completed_at": assessments["completed_at"].to_numpy(),
            "officer_grade": assessments["officer_grade"].to_numpy(),
            "yes_count": count_answers(assessments[list(QUESTION_IDS)].to_numpy(), "yes"),
        }
    )
    facts = facts.merge(labels, on="assessment_id", how="left", validate="one_to_one")
    return facts.merge(grades, on="assessment_id", how="left", validate="one_to_one")


def build_model_data(
    tables: dict[str, pd.DataFrame], metadata: dict[str, Any], frames: CohortFrames | None = None
) -> ModelData:
    """Build features (point in time), labels, grades and the oracle, sorted by assessment time.

    ``frames`` are the cohort's grades and features when already built (default rules).
    """
    frames = frames or build_cohort_frames(tables)
    until = metadata.get("observed_until")
    facts = _facts(tables, pd.Timestamp(until) if until else None, frames.grades)
    if "oracle" in tables:
        facts = facts.merge(tables["oracle"], on="assessment_id", how="left", validate="one_to_one")
    features = frames.features
    if not np.array_equal(features.index.to_numpy(), facts["assessment_id"].to_numpy()):
        raise ValueError("features are not in assessment order")
    order = np.lexsort((facts["assessment_id"].to_numpy(), facts["completed_at"].to_numpy()))
    x = features.iloc[order].astype(np.float64).reset_index(drop=True)
    return ModelData(x=x, frame=facts.iloc[order].reset_index(drop=True))
