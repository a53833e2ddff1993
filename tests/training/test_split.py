import numpy as np
import pandas as pd

from training.split import temporal_split


def _times(n: int, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    days = np.sort(rng.integers(0, 1500, n))
    return pd.Series(pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D"))


def test_split_is_temporal_and_excludes_incomplete_windows():
    times = _times(5000)
    complete = pd.Series(times + pd.Timedelta(days=365) <= pd.Timestamp("2022-06-01"))
    split = temporal_split(times, complete)
    t = times.to_numpy()
    assert t[split.train].max() < t[split.calibration].min()
    assert t[split.calibration].max() < t[split.test].min()
    assert t[split.fit].max() < t[split.early_stop].min()
    assert not (split.train | split.calibration | split.test)[~complete.to_numpy()].any()
    assert split.excluded_incomplete == int((~complete).sum()) > 0
    counts = split.counts()
    eligible = int(complete.sum())
    assert counts["n_train"] + counts["n_calibration"] + counts["n_test"] == eligible
    assert abs(counts["n_train"] / eligible - 0.6) < 0.02
    assert abs(counts["n_test"] / eligible - 0.2) < 0.02
    assert pd.Timestamp(split.dates["calibration_start"]) < pd.Timestamp(split.dates["test_start"])


def test_same_day_rows_stay_in_one_period():
    times = pd.Series(pd.to_datetime(["2020-01-01"] * 5 + ["2020-02-01"] * 5 + ["2020-03-01"] * 5))
    split = temporal_split(times, pd.Series([True] * 15), 0.4, 0.3)
    for mask in (split.train, split.calibration, split.test):
        assert len(set(times[mask])) <= 1
