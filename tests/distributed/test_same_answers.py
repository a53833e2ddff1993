"""Features, grades and batch scores through Dask equal the single-process path."""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from distributed import Client

from features.distributed.cluster import run_parts
from features.distributed.jobs import FeaturesJob, GradesJob, ScoresJob
from features.distributed.layout import read_output
from features.distributed.partition import split_tables
from features.distributed.scoring import score_cohort
from features.engine import FeatureConfig, build_features
from features.model_format.scoring import Bands, CalibratedScorer, CalibrationMap, ScoringSpec
from features.rules import grade_table

PARTS = 3


def _row_hashes(frame: pd.DataFrame, key: pd.Index) -> pd.Series:
    return pd.util.hash_pandas_object(frame.set_axis(key), index=True)


def _decoded(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as their values: parts written apart have their own categories."""
    categorical = frame.select_dtypes("category").columns
    return frame.astype(dict.fromkeys(categorical, str))


@pytest.fixture(scope="module")
def parts(cohort: dict[str, pd.DataFrame]) -> list[dict[str, pd.DataFrame]]:
    return split_tables(cohort, PARTS)


def test_features_are_byte_identical(
    client: Client, cohort: dict[str, pd.DataFrame], parts: list, tmp_path: Path
) -> None:
    single = build_features(cohort, FeatureConfig())
    run_parts(client, FeaturesJob(str(tmp_path)), parts)
    dask = read_output(tmp_path)
    assert len(dask) == len(single) and dask.index.is_unique
    aligned = dask.loc[single.index]
    pd.testing.assert_frame_equal(aligned, single, check_exact=True)
    assert _row_hashes(aligned, single.index).equals(_row_hashes(single, single.index))
    assert (aligned.dtypes == single.dtypes).all()


def test_grades_are_byte_identical(
    client: Client, cohort: dict[str, pd.DataFrame], parts: list, tmp_path: Path
) -> None:
    single = grade_table(cohort).reset_index(drop=True)
    summaries = run_parts(client, GradesJob(str(tmp_path)), parts)
    dask = read_output(tmp_path).set_index("assessment_id").loc[single["assessment_id"]]
    dask = dask.reset_index()
    pd.testing.assert_frame_equal(
        _decoded(dask[single.columns]), _decoded(single), check_exact=True
    )
    assert sum(s["n_assessments"] for s in summaries) == len(single)


def tiny_scorer(cohort: dict[str, pd.DataFrame]) -> CalibratedScorer:
    x = build_features(cohort, FeatureConfig())
    y = cohort["oracle"].set_index("assessment_id").loc[x.index, "p_serious_harm_365d"] > 0.05
    model = lgb.LGBMClassifier(n_estimators=15, num_leaves=7, verbose=-1, random_state=0)
    model.fit(x.astype(np.float64), y.to_numpy())
    spec = ScoringSpec(
        target="serious_harm_365d",
        feature_names=tuple(x.columns),
        calibration=CalibrationMap("isotonic", x=(0.0, 0.3, 1.0), y=(0.0, 0.2, 1.0)),
        bands=Bands(medium=0.1, high=0.3),
    )
    return CalibratedScorer(model.booster_, spec)


def test_batch_scores_match_within_1e9(
    client: Client, cohort: dict[str, pd.DataFrame], parts: list, tmp_path: Path
) -> None:
    scorer = tiny_scorer(cohort)
    single = score_cohort(cohort, scorer)
    run_parts(client, ScoresJob(str(tmp_path), scorer), parts)
    dask = read_output(tmp_path).set_index("assessment_id").loc[single["assessment_id"]]
    dask = dask.reset_index()
    assert single["review_suggested"].any() and not single["review_suggested"].all()
    np.testing.assert_allclose(dask["model_probability"], single["model_probability"], atol=1e-9)
    np.testing.assert_allclose(
        dask["reason_1_log_odds"], single["reason_1_log_odds"], rtol=0, atol=1e-9
    )
    exact = ["statutory_grade", "actions", "model_band", "review_suggested", "reason_1_feature"]
    pd.testing.assert_frame_equal(dask[exact], single[exact])
