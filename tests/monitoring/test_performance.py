import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from monitoring import columns as col
from monitoring.performance import performance


def _cases(n: int, seed: int, matured: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = np.round(rng.beta(2, 6, n), 3)
    y = (rng.random(n) < p).astype(float)
    y[rng.random(n) >= matured] = np.nan
    band = np.where(p > 0.4, "high", np.where(p > 0.25, "medium", "standard"))
    return pd.DataFrame({col.PROBABILITY: p, col.OUTCOME: y, col.BAND: band})


def test_auc_ece_and_fnr_match_a_direct_computation() -> None:
    cases = _cases(3_000, seed=1, matured=0.7)
    got = performance(cases)
    assert got is not None and not got["suppressed"]
    known = cases.dropna(subset=[col.OUTCOME])
    y, p = known[col.OUTCOME].to_numpy(), known[col.PROBABILITY].to_numpy()
    assert got["n_matured"] == len(known)
    assert got["auc"] == pytest.approx(roc_auc_score(y, p))
    bins = np.minimum((p * 10).astype(int), 9)
    ece = sum(abs(p[bins == b].sum() - y[bins == b].sum()) for b in range(10)) / len(y)
    assert got["ece"] == pytest.approx(ece)
    flagged = known[col.BAND] != "standard"
    assert got["fnr"] == pytest.approx(((y == 1) & ~flagged).sum() / (y == 1).sum())
    assert sum(b["n"] for b in got["reliability"]) == len(known)


def test_small_or_unmatured_cells_are_suppressed_and_no_outcome_means_none() -> None:
    small = performance(_cases(8, seed=2))
    assert small is not None and small["suppressed"] and small["auc"] is None
    unmatured = performance(_cases(500, seed=3, matured=0.0))
    assert unmatured is not None and unmatured["n_matured"] == 0 and unmatured["suppressed"]
    assert performance(_cases(100, seed=4).drop(columns=[col.OUTCOME])) is None
