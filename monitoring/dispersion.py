"""Overdispersion of each test, estimated on the reference period's own calendar months.

Cases in a month share officers and perpetrators, so counts vary more than independent draws
would: each test's statistic over its degrees of freedom, averaged over the reference months,
is the factor by which live statistics are divided (never below 1).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Final

import numpy as np
import pandas as pd

from monitoring import columns as col
from monitoring.reference import Reference
from monitoring.window_metrics import tested_statistics, window_metrics
from monitoring.windows import window_labels

MIN_MONTH_CASES: Final[int] = 30  # smaller reference months say little about dispersion


def dispersion(cases: pd.DataFrame, ref: Reference, group: str) -> dict[str, float]:
    """Return each test's overdispersion factor for one group, from its reference months."""
    ratios: dict[str, list[float]] = defaultdict(list)
    months = window_labels(cases[col.TIME], "month").to_numpy()
    for _, part in cases.groupby(months, sort=True):
        if len(part) < MIN_MONTH_CASES:
            continue
        metrics = window_metrics(part, ref, group)
        for key, (stat, df) in tested_statistics(metrics, ref.groups[group]).items():
            ratios[key].append(stat / df)
    return {key: max(1.0, float(np.mean(values))) for key, values in ratios.items()}
