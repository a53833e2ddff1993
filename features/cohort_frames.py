"""A cohort's statutory grades and point-in-time features, built once and shared.

``secondlook run`` grades the cohort, trains on it and audits the model on it; each step used
to grade the cohort and build its features again. They now take these frames when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from features.engine import FeatureConfig, build_features
from features.rules import RulesConfig, grade_table


@dataclass(frozen=True)
class CohortFrames:
    """Per-assessment grades and features of one cohort, both in the assessments' table order.

    ``grades`` is :func:`features.rules.grade_table`'s frame; ``features`` is
    :func:`features.engine.build_features`'s frame (indexed by ``assessment_id``, output contract
    not re-checked: the registry's kernels built it).
    """

    grades: pd.DataFrame
    features: pd.DataFrame


def build_cohort_frames(
    tables: Mapping[str, pd.DataFrame], rules: RulesConfig | None = None
) -> CohortFrames:
    """Grade every assessment and build its features, once."""
    features = build_features(tables, FeatureConfig(validate_output=False))
    return CohortFrames(grades=grade_table(tables, rules), features=features)
