"""A random frame of scored cases for monitor tests (the columns of monitoring.columns)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.dash import ANSWERS
from monitoring import columns as col


def scored_cases(n: int, seed: int, start: str = "2024-01-01", days: int = 180) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    offsets = pd.to_timedelta(rng.uniform(0, days, n), unit="D")
    frame = {
        col.TIME: pd.Timestamp(start) + offsets,
        col.AREA: rng.choice(["area_01", "area_02"], n),
        col.OFFICER: rng.choice(["O1", "O2", "O3"], n),
        col.PROBABILITY: rng.beta(2, 8, n),
        col.BAND: rng.choice(["standard", "medium", "high"], n, p=[0.7, 0.2, 0.1]),
        col.GRADE: rng.choice(["standard", "medium", "high"], n, p=[0.6, 0.3, 0.1]),
        col.REVIEW: rng.random(n) < 0.1,
    }
    for i, name in enumerate(col.MONITORED_FEATURES):
        frame[name] = rng.poisson(1 + i % 4, n).astype(float) if i % 2 else rng.normal(size=n)
    for q in col.QUESTIONS:
        frame[q] = rng.choice(ANSWERS, n, p=[0.35, 0.57, 0.05, 0.03])
    return pd.DataFrame(frame)
