"""Feature-build configuration and the audit-only attributes carried beside the features.

Protected attributes are never model features; :func:`audit_frame` returns them in a separate
frame keyed by ``assessment_id`` for the fairness audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

AUDIT_ATTRIBUTES: Final[tuple[str, ...]] = (
    "victim_sex",
    "victim_ethnicity",
    "victim_age",
    "victim_disability",
    "perpetrator_sex",
    "perpetrator_ethnicity",
    "perpetrator_age",
    "perpetrator_disability",
    "area",
)
DEFAULT_AUDIT: Final[tuple[str, ...]] = (
    "victim_sex",
    "victim_ethnicity",
    "victim_age",
    "victim_disability",
    "area",
)


@dataclass(frozen=True)
class FeatureConfig:
    """What to carry for the audit and whether to validate the output against the schema."""

    audit_columns: tuple[str, ...] = DEFAULT_AUDIT
    validate_output: bool = True

    def __post_init__(self) -> None:
        """Reject audit columns that are not known attributes."""
        unknown = sorted(set(self.audit_columns) - set(AUDIT_ATTRIBUTES))
        if unknown:
            raise ValueError(f"unknown audit columns {unknown}; choose from {AUDIT_ATTRIBUTES}")


def _person_attributes(
    people: pd.DataFrame, ids: pd.Series, at: pd.Series, role: str
) -> dict[str, np.ndarray]:
    rows = pd.Index(people["person_id"]).get_indexer(ids)
    found = rows >= 0
    picked = people.iloc[np.where(found, rows, 0)]
    age = at.dt.year.to_numpy(dtype=np.int64) - picked["birth_year"].to_numpy(dtype=np.int64)
    return {
        f"{role}_sex": np.where(found, picked["sex"].to_numpy(dtype=object), "unknown"),
        f"{role}_ethnicity": np.where(found, picked["ethnicity"].to_numpy(dtype=object), "unknown"),
        f"{role}_age": np.where(found, age, -1),
        f"{role}_disability": np.where(found, picked["disability"].to_numpy(dtype=bool), False),
    }


def audit_frame(
    tables: Mapping[str, pd.DataFrame], config: FeatureConfig | None = None
) -> pd.DataFrame:
    """Return the audit-only attributes of every assessment (same order and index as features).

    Ages are whole years at the assessment (year of assessment minus birth year; -1 if the
    person is not in ``people``).
    """
    config = config or FeatureConfig()
    incidents, assessments = tables["incidents"], tables["dash_assessments"]
    rows = pd.Index(incidents["incident_id"]).get_indexer(assessments["incident_id"])
    current = incidents.iloc[rows]
    at = pd.Series(assessments["completed_at"].to_numpy(dtype="datetime64[ns]"))
    values: dict[str, np.ndarray] = {"area": current["area"].to_numpy(dtype=object)}
    for role, column in (("victim", "victim_id"), ("perpetrator", "perpetrator_id")):
        values |= _person_attributes(tables["people"], current[column], at, role)
    index = pd.Index(assessments["assessment_id"].to_numpy(), dtype="str", name="assessment_id")
    return pd.DataFrame({c: values[c] for c in config.audit_columns}, index=index)
