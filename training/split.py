"""Temporal split by assessment time: train, then calibrate, then test (cut at dates)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class TemporalSplit:
    """Boolean row masks for each period, the cut dates and the excluded-row count."""

    train: BoolArray
    early_stop: BoolArray
    calibration: BoolArray
    test: BoolArray
    dates: dict[str, str]
    excluded_incomplete: int

    @property
    def fit(self) -> BoolArray:
        """Return the training rows used to grow trees (training minus the early-stop fold)."""
        return self.train & ~self.early_stop

    def counts(self) -> dict[str, int]:
        """Return the number of rows in each period and the number excluded."""
        return {
            "n_train": int(self.train.sum()),
            "n_early_stop": int(self.early_stop.sum()),
            "n_calibration": int(self.calibration.sum()),
            "n_test": int(self.test.sum()),
            "n_excluded_incomplete_window": self.excluded_incomplete,
        }


def _cut(times: pd.Series, share: float) -> pd.Timestamp:
    """Return the date at the ``share`` quantile of ``times`` (rows before it fall below)."""
    ordered = np.sort(times.to_numpy(dtype="datetime64[ns]"))
    position = min(int(np.ceil(share * (len(ordered) - 1))), len(ordered) - 1)
    return pd.Timestamp(ordered[position])


def temporal_split(
    completed_at: pd.Series,
    window_complete: pd.Series,
    train_share: float = 0.6,
    calibration_share: float = 0.2,
    early_stopping_share: float = 0.2,
) -> TemporalSplit:
    """Split eligible rows (complete outcome window) by time: train < calibration < test.

    The early-stopping fold is the last ``early_stopping_share`` of the training period.
    Rows whose 365-day window is incomplete belong to no period.
    """
    times = pd.to_datetime(completed_at).reset_index(drop=True)
    ok = window_complete.to_numpy(dtype=bool)
    eligible = times[ok]
    if eligible.empty:
        raise ValueError("no assessment has a complete 365-day outcome window")
    cal_start = _cut(eligible, train_share)
    test_start = _cut(eligible, train_share + calibration_share)
    train = ok & (times < cal_start).to_numpy()
    es_start = _cut(times[train], 1 - early_stopping_share)
    t = times.to_numpy()
    return TemporalSplit(
        train=train,
        early_stop=train & (t >= es_start.to_datetime64()),
        calibration=ok & (t >= cal_start.to_datetime64()) & (t < test_start.to_datetime64()),
        test=ok & (t >= test_start.to_datetime64()),
        dates={
            "train_start": str(eligible.min()),
            "early_stop_start": str(es_start),
            "calibration_start": str(cal_start),
            "test_start": str(test_start),
            "test_end": str(eligible.max()),
        },
        excluded_incomplete=int((~ok).sum()),
    )
