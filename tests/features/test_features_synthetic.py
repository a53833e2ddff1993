"""Batch == single case on the synthetic cohort (a few thousand assessments), and sane output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import features.synthetic as synthetic
from features.case import case_from_tables
from features.contracts import validate_tables
from features.engine import audit_frame, build_features, case_features, feature_summary
from features.engine.registry import feature_names


@pytest.fixture(scope="module")
def cohort() -> dict[str, pd.DataFrame]:
    tables = synthetic.generate_cohort(1500, seed=3).tables
    return validate_tables({k: v for k, v in tables.items() if k != "oracle"})


@pytest.fixture(scope="module")
def frame(cohort: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return build_features(cohort)


def test_every_assessment_gets_a_row_in_input_order(
    cohort: dict[str, pd.DataFrame], frame: pd.DataFrame
) -> None:
    assert frame.index.tolist() == cohort["dash_assessments"]["assessment_id"].tolist()
    assert list(frame.columns) == list(feature_names())
    assert audit_frame(cohort).index.equals(frame.index)
    summary = feature_summary(frame)
    assert summary["rows"] == len(frame) and summary["features"] == len(feature_names())


@pytest.mark.slow
def test_batch_equals_single_case_on_thousands_of_assessments(
    cohort: dict[str, pd.DataFrame], frame: pd.DataFrame
) -> None:
    ids = frame.index[:3000]
    assert len(ids) >= min(2000, len(frame))
    batch = frame.loc[ids].to_numpy(dtype=np.float64)
    online = np.vstack([case_features(case_from_tables(cohort, a)) for a in ids])
    mismatched = ~((batch == online) | (np.isnan(batch) & np.isnan(online)))
    rows, cols = np.nonzero(mismatched)
    detail = [
        (ids[r], feature_names()[c], batch[r, c], online[r, c])
        for r, c in zip(rows, cols, strict=True)
    ]
    assert not detail, detail[:10]
