"""Point estimates per group with fairlearn's ``MetricFrame``.

``MetricFrame`` slices every per-row argument element by element, which costs seconds per
frame on 100k+ rows. Every metric here except a probability's AUC depends on the rows only
through their (group, score level, outcome) cell, so the frame is given one weighted row per
non-empty cell (weight = rows in it; score = the cell's mean probability, which keeps ECE
exact because levels nest inside calibration bins). A probability's AUC needs the raw
scores: the frame's binned value is replaced by the exact per-group Mann-Whitney AUC from
within-group ranks (one vectorised pass; equal to scikit-learn's ``roc_auc_score``).
fairlearn's rate functions return 0 where a rate is undefined; these return NaN, so an empty
denominator never looks perfect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fairlearn.metrics import MetricFrame

from bias_audit.bootstrap import Block
from bias_audit.prepare import Encoded

FloatArray = npt.NDArray[np.float64]


def _confusion(y_true: Any, y_pred: Any, w: Any) -> tuple[float, float, float, float]:
    t, p = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
    w = np.asarray(w, dtype=np.float64)
    return (
        float(w[t & p].sum()),
        float(w[~t & p].sum()),
        float(w[t & ~p].sum()),
        float(w[~t & ~p].sum()),
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def base_rate(y_true: Any, y_pred: Any, sample_weight: Any) -> float:
    """Return the share of outcomes that happened."""
    tp, fp, fn, tn = _confusion(y_true, y_pred, sample_weight)
    return _ratio(tp + fn, tp + fp + fn + tn)


def selection_rate(y_true: Any, y_pred: Any, sample_weight: Any) -> float:
    """Return the share flagged high."""
    tp, fp, fn, tn = _confusion(y_true, y_pred, sample_weight)
    return _ratio(tp + fp, tp + fp + fn + tn)


def fpr(y_true: Any, y_pred: Any, sample_weight: Any) -> float:
    """Return the false positive rate (NaN without negatives)."""
    _, fp, _, tn = _confusion(y_true, y_pred, sample_weight)
    return _ratio(fp, fp + tn)


def fnr(y_true: Any, y_pred: Any, sample_weight: Any) -> float:
    """Return the false negative rate (NaN without positives)."""
    tp, _, fn, _ = _confusion(y_true, y_pred, sample_weight)
    return _ratio(fn, tp + fn)


def precision(y_true: Any, y_pred: Any, sample_weight: Any) -> float:
    """Return the precision (NaN when nobody is flagged)."""
    tp, fp, _, _ = _confusion(y_true, y_pred, sample_weight)
    return _ratio(tp, tp + fp)


def auc(y_true: Any, y_pred: Any, score: Any, sample_weight: Any) -> float:
    """Return weighted ROC AUC of the score, ties counting one half (NaN without both classes)."""
    t = np.asarray(y_true, dtype=bool)
    w = np.asarray(sample_weight, dtype=np.float64)
    _, level = np.unique(np.asarray(score, dtype=np.float64), return_inverse=True)
    pos = np.bincount(level, weights=w * t)
    neg = np.bincount(level, weights=w * ~t)
    below = np.cumsum(neg) - neg
    return _ratio(float((pos * (below + 0.5 * neg)).sum()), float(pos.sum() * neg.sum()))


def ece(y_true: Any, y_pred: Any, score: Any, cal_bin: Any, sample_weight: Any) -> float:
    """Return the expected calibration error over the given calibration bins."""
    w = np.asarray(sample_weight, dtype=np.float64)
    t = np.asarray(y_true, dtype=np.float64) * w
    p = np.asarray(score, dtype=np.float64) * w
    b = np.asarray(cal_bin, dtype=np.int64)
    return float(np.abs(np.bincount(b, weights=p) - np.bincount(b, weights=t)).sum() / w.sum())


_RATES: dict[str, Callable[..., float]] = {
    "base_rate": base_rate,
    "selection_rate": selection_rate,
    "fpr": fpr,
    "fnr": fnr,
    "precision": precision,
}


def cell_table(block: Block, counts: FloatArray) -> pd.DataFrame:
    """Return one weighted row per non-empty (group, level, outcome) cell of full counts."""
    g, lv, y = np.nonzero(counts[..., :2] > 0)
    weight = counts[g, lv, y]
    if block.channels == 3:
        total = counts[g, lv, 0] + counts[g, lv, 1]
        score = counts[g, lv, 2] / total
    else:
        score = lv.astype(np.float64)
    cal = block.scorer.cal_of_level
    return pd.DataFrame(
        {
            "group": np.asarray(block.grouping.labels, dtype=object)[g],
            "y": y.astype(bool),
            "flagged": lv >= block.scorer.flag_from,
            "weight": weight,
            "score": score,
            "cal_bin": cal[lv] if cal is not None else np.zeros(len(g), dtype=np.int64),
        }
    )


def _cell_frame(block: Block, cells: pd.DataFrame) -> pd.DataFrame:
    metrics: dict[str, Callable[..., float]] = dict(_RATES)
    w = cells["weight"].to_numpy()
    params: dict[str, dict[str, Any]] = {m: {"sample_weight": w} for m in metrics}
    metrics["auc"] = auc
    params["auc"] = {"score": cells["score"].to_numpy(), "sample_weight": w}
    if block.scorer.spec.is_probability:
        metrics["ece"] = ece
        params["ece"] = {
            "score": cells["score"].to_numpy(),
            "cal_bin": cells["cal_bin"].to_numpy(),
            "sample_weight": w,
        }
    frame = MetricFrame(
        metrics=metrics,
        y_true=cells["y"].to_numpy(),
        y_pred=cells["flagged"].to_numpy(),
        sensitive_features=cells["group"].rename("group"),
        sample_params=params,
    )
    table: pd.DataFrame = frame.by_group
    return table


def rank_auc(
    y: npt.NDArray[np.bool_], score: FloatArray, codes: npt.NDArray[np.int64]
) -> FloatArray:
    """Return the exact ROC AUC per group code (Mann-Whitney on within-group average ranks)."""
    n_groups = int(codes.max()) + 1
    ranks = pd.Series(score).groupby(codes).rank(method="average").to_numpy()
    pos = np.bincount(codes, weights=y.astype(np.float64), minlength=n_groups)
    neg = np.bincount(codes, minlength=n_groups) - pos
    rank_sum = np.bincount(codes, weights=ranks * y, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (rank_sum - pos * (pos + 1) / 2) / (pos * neg)
    return np.where((pos > 0) & (neg > 0), out, np.nan)


def _row_auc(enc: Encoded, block: Block) -> pd.Series:
    values = rank_auc(enc.y, block.scorer.score, block.grouping.codes)
    return pd.Series(values, index=list(block.grouping.labels))


def point_estimates(enc: Encoded, block: Block, counts: FloatArray) -> pd.DataFrame:
    """Return one row per group label (grouping order) and one column per metric."""
    table = _cell_frame(block, cell_table(block, counts))
    if block.scorer.spec.is_probability:
        table["auc"] = _row_auc(enc, block)
    else:
        table["ece"] = np.nan
    return table.reindex(list(block.grouping.labels)).astype(np.float64)
