"""Baselines scored the same way as the model: DASH count, grades, and a logistic regression."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from features.vocab import GRADE_RANK

FloatArray = npt.NDArray[np.float64]


def grade_score(grades: pd.Series) -> FloatArray:
    """Return the ordinal score of a grade column (standard 0, medium 1, high 2)."""
    return np.asarray(grades.map(GRADE_RANK).to_numpy(dtype=np.float64), dtype=np.float64)


def fit_count_baseline(yes_count: FloatArray, y: npt.NDArray[Any]) -> LogisticRegression:
    """Fit a logistic regression of the outcome on the DASH yes-count."""
    return LogisticRegression(max_iter=1000).fit(yes_count.reshape(-1, 1), y)


def count_probability(model: LogisticRegression, yes_count: FloatArray) -> FloatArray:
    """Return the count baseline's probability for each yes-count."""
    return np.asarray(model.predict_proba(yes_count.reshape(-1, 1))[:, 1], dtype=np.float64)


def fit_logistic_baseline(x: pd.DataFrame, y: npt.NDArray[Any], seed: int = 0) -> Pipeline:
    """Fit impute (median + missing indicators) -> scale -> logistic regression on all features."""
    pipeline = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=2000, random_state=seed),
    )
    return pipeline.fit(x.to_numpy(dtype=np.float64), y)


def logistic_probability(model: Pipeline, x: pd.DataFrame) -> FloatArray:
    """Return the logistic baseline's probabilities."""
    return np.asarray(model.predict_proba(x.to_numpy(dtype=np.float64))[:, 1], dtype=np.float64)
