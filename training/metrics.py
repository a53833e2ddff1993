"""Evaluation metrics as small pure functions on label and score arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_EPS: Final[float] = 1e-12


def roc_auc(y: BoolArray, score: FloatArray) -> float:
    """Return the area under the ROC curve."""
    return float(roc_auc_score(y, score))


def pr_auc(y: BoolArray, score: FloatArray) -> float:
    """Return the area under the precision-recall curve (average precision)."""
    return float(average_precision_score(y, score))


def brier(y: BoolArray, p: FloatArray) -> float:
    """Return the Brier score (mean squared error of the probability)."""
    return float(brier_score_loss(y, p))


def logloss(y: BoolArray, p: FloatArray) -> float:
    """Return the log loss, with probabilities clipped away from 0 and 1."""
    return float(log_loss(y, np.clip(p, _EPS, 1 - _EPS), labels=[False, True]))


def expected_calibration_error(y: BoolArray, p: FloatArray, n_bins: int = 10) -> float:
    """Return the ECE over equal-width bins: sum of bin share times |mean(y) - mean(p)|."""
    y_arr = np.asarray(y, dtype=np.float64)
    p_arr = np.asarray(p, dtype=np.float64)
    bins = np.minimum((p_arr * n_bins).astype(np.int64), n_bins - 1)
    sum_y = np.bincount(bins, weights=y_arr, minlength=n_bins)
    sum_p = np.bincount(bins, weights=p_arr, minlength=n_bins)
    return float(np.abs(sum_y - sum_p).sum() / max(len(p_arr), 1))


def quantile_calibration_error(y: BoolArray, p: FloatArray, n_bins: int = 10) -> float:
    """Return the ECE over equal-count bins of ``p`` (informative when most p sit in one bin)."""
    y_arr = np.asarray(y, dtype=np.float64)
    p_arr = np.asarray(p, dtype=np.float64)
    order = np.argsort(p_arr, kind="stable")
    chunks = np.array_split(order, n_bins)
    gaps = [abs(y_arr[c].sum() - p_arr[c].sum()) for c in chunks if len(c)]
    return float(np.sum(gaps) / max(len(p_arr), 1))


def logit(p: FloatArray) -> FloatArray:
    """Return log(p / (1 - p)) with p clipped away from 0 and 1."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-9, 1 - 1e-9)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


def calibration_slope_intercept(y: BoolArray, p: FloatArray) -> tuple[float, float]:
    """Return (slope, intercept) of an unpenalised logistic fit of y on logit(p)."""
    x = logit(p).reshape(-1, 1)
    fit = LogisticRegression(C=np.inf, max_iter=1000).fit(x, np.asarray(y, dtype=int))
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def share_threshold(score: FloatArray, share: float) -> float:
    """Return the threshold t whose flagged share (score >= t) is closest to ``share``.

    Tied scores (isotonic steps, integer counts) are flagged together, so the share cannot
    always be hit: the candidates are the lowest t flagging at least ``share`` and the next
    distinct score above it (flagging less); the nearer share wins, ties going to the larger.
    """
    if share <= 0:
        return float(np.inf)
    values = np.asarray(score, dtype=np.float64)
    if share >= 1:
        return float(np.min(values))
    at_least = float(np.quantile(values, 1 - share, method="higher"))
    above = values[values > at_least]
    if above.size == 0:
        return at_least
    fewer = float(np.min(above))
    n = max(len(values), 1)
    over = float(np.count_nonzero(values >= at_least)) / n - share
    under = share - float(above.size) / n
    return at_least if over <= under else fewer


def operating_point(y: BoolArray, score: FloatArray, threshold: float) -> dict[str, float]:
    """Return sensitivity, specificity, precision, flag rate and negative prediction rate."""
    y_arr = np.asarray(y, dtype=bool)
    flag = np.asarray(score) >= threshold
    tp, fp = float((flag & y_arr).sum()), float((flag & ~y_arr).sum())
    fn, tn = float((~flag & y_arr).sum()), float((~flag & ~y_arr).sum())
    return {
        "sensitivity": tp / max(tp + fn, 1.0),
        "specificity": tn / max(tn + fp, 1.0),
        "precision": tp / max(tp + fp, 1.0),
        "negative_prediction_rate": fn / max(fn + tn, 1.0),
        "flag_rate": (tp + fp) / max(len(y_arr), 1),
    }


def probability_metrics(y: BoolArray, p: FloatArray) -> dict[str, float]:
    """Return every metric of a calibrated probability (ranking and calibration)."""
    slope, intercept = calibration_slope_intercept(y, p)
    return {
        "roc_auc": roc_auc(y, p),
        "pr_auc": pr_auc(y, p),
        "brier": brier(y, p),
        "log_loss": logloss(y, p),
        "ece": expected_calibration_error(y, p),
        "ece_quantile": quantile_calibration_error(y, p),
        "calibration_slope": slope,
        "calibration_intercept": intercept,
    }


def ranking_metrics(y: BoolArray, score: FloatArray) -> dict[str, float]:
    """Return the metrics that only need an ordinal score (e.g. a grade)."""
    return {"roc_auc": roc_auc(y, score), "pr_auc": pr_auc(y, score)}


def _fast_auc(y: BoolArray, score: FloatArray) -> FloatArray:
    """Return the AUC of each row of a (draws, n) score matrix given (draws, n) labels."""
    ranks = _average_ranks(score)
    pos = y.sum(axis=1).astype(np.float64)
    neg = y.shape[1] - pos
    rank_sum = np.where(y, ranks, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((rank_sum - pos * (pos + 1) / 2) / (pos * neg), dtype=np.float64)


def _average_ranks(score: FloatArray) -> FloatArray:
    """Return 1-based average ranks (ties share their mean rank) along the last axis."""
    order = np.argsort(score, axis=1, kind="stable")
    sorted_s = np.take_along_axis(score, order, axis=1)
    n = score.shape[1]
    new_group = np.ones_like(sorted_s, dtype=bool)
    new_group[:, 1:] = sorted_s[:, 1:] != sorted_s[:, :-1]
    group_id = np.cumsum(new_group, axis=1) - 1
    offset = (np.arange(score.shape[0]) * n)[:, None]
    flat = (group_id + offset).ravel()
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), score.shape).ravel()
    sizes = np.bincount(flat).astype(np.float64)
    sums = np.bincount(flat, weights=pos)
    mean_rank = np.divide(sums, sizes, out=np.zeros_like(sums), where=sizes > 0)
    ranks = np.empty_like(score, dtype=np.float64)
    np.put_along_axis(ranks, order, mean_rank[flat].reshape(score.shape), axis=1)
    return ranks


def bootstrap_auc_draws(
    y: BoolArray, scores: Sequence[FloatArray], draws: int = 500, seed: int = 0
) -> FloatArray:
    """Return a (draws, len(scores)) matrix of AUCs on shared (paired) resamples of the rows."""
    rng = np.random.default_rng(seed)
    y_arr = np.asarray(y, dtype=bool)
    arrays = [np.asarray(s, dtype=np.float64) for s in scores]
    n = len(y_arr)
    chunk = max(1, min(draws, 2_000_000 // max(n, 1)))
    out = []
    for start in range(0, draws, chunk):
        idx = rng.integers(0, n, size=(min(chunk, draws - start), n))
        yb = y_arr[idx]
        out.append(np.column_stack([_fast_auc(yb, a[idx]) for a in arrays]))
    return np.vstack(out)


def percentile_interval(values: FloatArray) -> tuple[float, float]:
    """Return the 2.5th and 97.5th percentiles of the finite values."""
    finite = values[np.isfinite(values)]
    lo, hi = np.quantile(finite, [0.025, 0.975])
    return float(lo), float(hi)


def intervals_from_draws(auc: FloatArray, reference: FloatArray) -> dict[str, float]:
    """Return 95% intervals for AUC and for AUC minus the reference's AUC (same draws)."""
    lo, hi = percentile_interval(auc)
    lo_d, hi_d = percentile_interval(auc - reference)
    return {"auc_ci_low": lo, "auc_ci_high": hi, "auc_diff_ci_low": lo_d, "auc_diff_ci_high": hi_d}


def paired_bootstrap_auc(
    y: BoolArray, score: FloatArray, reference: FloatArray, draws: int = 500, seed: int = 0
) -> dict[str, float]:
    """Return 95% paired bootstrap intervals for AUC(score) and AUC(score) - AUC(reference)."""
    matrix = bootstrap_auc_draws(y, [score, reference], draws, seed)
    return intervals_from_draws(matrix[:, 0], matrix[:, 1])


def headroom_captured(auc_model: float, auc_reference: float, auc_oracle: float) -> float:
    """Return (AUC_model - AUC_ref) / (AUC_oracle - AUC_ref): share of reachable gain captured."""
    gap = auc_oracle - auc_reference
    return float((auc_model - auc_reference) / gap) if gap > 0 else float("nan")
