"""The modelling table on a Dask cluster: one partition of rows per cohort partition.

Each worker builds its partition's features, labels and grades with
:func:`training.data.build_model_data` (the local pipeline's own function), so a row here is
the row the local pipeline would build. The periods are cut at the dates the local pipeline's
:func:`training.split.temporal_split` chooses, computed from the times alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import dask.dataframe as dd
import numpy as np
import pandas as pd

from features.distributed.jobs import Source, load
from features.engine.registry import feature_names
from training.data import build_model_data
from training.settings import TrainingSettings
from training.split import temporal_split

LABEL: Final[str] = "label"
FACTS: Final[dict[str, str]] = {
    "completed_at": "datetime64[ns]",
    "outcome_window_complete": "bool",
    "statutory_grade": "object",
}


def rows_meta() -> pd.DataFrame:
    """Return an empty frame with the columns and dtypes of the distributed modelling rows."""
    columns: dict[str, Any] = {name: pd.Series([], dtype=np.float64) for name in feature_names()}
    columns[LABEL] = pd.Series([], dtype=bool)
    columns |= {name: pd.Series([], dtype=dtype) for name, dtype in FACTS.items()}
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class ModelRows:
    """Build one partition's modelling rows: features (float), the label and the facts."""

    metadata: dict[str, Any]
    target: str

    def __call__(self, source: Source) -> pd.DataFrame:
        """Return the partition's rows (time order within the partition)."""
        data = build_model_data(load(source), self.metadata)
        out = data.x.copy()
        out[LABEL] = data.frame[self.target].fillna(False).to_numpy(dtype=bool)
        for name, dtype in FACTS.items():
            out[name] = data.frame[name].to_numpy(dtype=np.dtype(dtype))
        return out


def model_rows(units: list[Any], metadata: dict[str, Any], target: str) -> dd.DataFrame:
    """Return the modelling rows of every partition as a Dask DataFrame (lazy)."""
    rows: dd.DataFrame = dd.from_map(ModelRows(metadata, target), units, meta=rows_meta())
    return rows


@dataclass(frozen=True)
class Periods:
    """The local pipeline's cut dates: training before ``calibration``, test from ``test``."""

    calibration: pd.Timestamp
    test: pd.Timestamp
    dates: dict[str, str]


def periods(rows: dd.DataFrame, settings: TrainingSettings) -> Periods:
    """Cut the periods where the local pipeline would, from the rows' times only."""
    times = rows[list(FACTS)[:2]].compute()
    split = temporal_split(
        times["completed_at"],
        times["outcome_window_complete"],
        settings.train_share,
        settings.calibration_share,
        settings.early_stopping_share,
    )
    dates = split.dates
    return Periods(
        pd.Timestamp(dates["calibration_start"]), pd.Timestamp(dates["test_start"]), dates
    )


def period_rows(rows: dd.DataFrame, cut: Periods) -> dict[str, dd.DataFrame]:
    """Return the train, calibration and test rows (complete outcome windows only)."""
    ok = rows[rows["outcome_window_complete"]]
    t = ok["completed_at"]
    return {
        "train": ok[t < cut.calibration],
        "calibration": ok[(t >= cut.calibration) & (t < cut.test)],
        "test": ok[t >= cut.test],
    }
