"""Output contract of the feature pipeline (pandera, built from the registry) and its summary."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
import pandera.pandas as pa

from features.engine.registry import FAMILIES, FEATURES, FeatureSpec, family_features


def _checks(feature: FeatureSpec) -> list[pa.Check]:
    checks = []
    if feature.minimum is not None:
        checks.append(pa.Check.ge(feature.minimum))
    if feature.maximum is not None:
        checks.append(pa.Check.le(feature.maximum))
    return checks


@cache
def feature_schema() -> pa.DataFrameSchema:
    """Return the schema of a feature frame: registry columns, dtypes, ranges, unique index."""
    columns = {f.name: pa.Column(f.dtype, checks=_checks(f), nullable=f.nullable) for f in FEATURES}
    return pa.DataFrameSchema(
        columns,
        index=pa.Index(str, name="assessment_id", unique=True),
        strict=True,
        ordered=True,
        name="features",
    )


def feature_summary(frame: pd.DataFrame) -> dict[str, Any]:
    """Summarise a feature frame: rows, feature count, missing share per family and feature."""
    missing: dict[str, float] = {}
    for family in FAMILIES:
        names = [n for n in family_features(family) if n in frame.columns]
        cells = len(frame) * len(names)
        count = int(frame[names].isna().to_numpy().sum()) if cells else 0
        missing[family] = count / cells if cells else 0.0
    by_feature = frame.isna().mean().round(6) if len(frame) else frame.isna().sum()
    return {
        "rows": len(frame),
        "features": int(frame.shape[1]),
        "missing_share_by_family": missing,
        "missing_share_by_feature": {str(k): float(v) for k, v in by_feature.items() if v > 0},
    }
