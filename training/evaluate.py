"""Evaluate every model and baseline on the test period with the same metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from training import metrics as m

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
REFERENCE = "dash_count"


@dataclass(frozen=True)
class Scored:
    """One model's test-period scores; ``is_probability`` enables the calibration metrics."""

    name: str
    score: FloatArray
    is_probability: bool
    flag: BoolArray | None = None  # fixed high-risk flags (grades); else flagged by share


@dataclass
class Evaluation:
    """Metrics per model (flat dicts) plus the test labels and scores used for the plots."""

    y: BoolArray
    high_share: float
    models: dict[str, dict[str, float]] = field(default_factory=dict)
    scores: dict[str, Scored] = field(default_factory=dict)

    def flat(self) -> dict[str, float]:
        """Return ``{model}_{metric}`` for every model and metric (MLflow metric names)."""
        return {f"{k}_{name}": v for k, vals in self.models.items() for name, v in vals.items()}


def _operating(y: BoolArray, s: Scored, share: float) -> dict[str, float]:
    if s.flag is not None:
        return m.operating_point(y, s.flag.astype(np.float64), 0.5)
    return m.operating_point(y, s.score, m.share_threshold(s.score, share))


def score_metrics(y: BoolArray, s: Scored, share: float) -> dict[str, float]:
    """Return ranking (and, for probabilities, calibration) metrics and the operating point."""
    base = m.probability_metrics(y, s.score) if s.is_probability else m.ranking_metrics(y, s.score)
    ops = {f"high_{k}": v for k, v in _operating(y, s, share).items()}
    return {**base, **ops}


def evaluate(
    y: BoolArray,
    scored: list[Scored],
    high_share: float,
    oracle: FloatArray | None = None,
    draws: int = 500,
    seed: int = 0,
) -> Evaluation:
    """Score every model, add bootstrap intervals against DASH, and oracle headroom if known."""
    result = Evaluation(y=y, high_share=high_share)
    for s in scored:
        result.models[s.name] = score_metrics(y, s, high_share)
        result.scores[s.name] = s
    matrix = m.bootstrap_auc_draws(y, [s.score for s in scored], draws, seed)
    ref_col = [s.name for s in scored].index(REFERENCE)
    for col, s in enumerate(scored):
        vals = result.models[s.name]
        if s.name == REFERENCE:
            low, high = m.percentile_interval(matrix[:, col])
            vals.update({"auc_ci_low": low, "auc_ci_high": high})
            continue
        vals.update(m.intervals_from_draws(matrix[:, col], matrix[:, ref_col]))
        vals["auc_minus_dash"] = vals["roc_auc"] - result.models[REFERENCE]["roc_auc"]
    if oracle is not None:
        _add_oracle(result, oracle)
    return result


def _add_oracle(result: Evaluation, oracle: FloatArray) -> None:
    """Add the oracle's AUC and each model's share of the DASH-to-oracle headroom captured."""
    result.models["oracle"] = m.ranking_metrics(result.y, oracle)
    auc_ref = result.models[REFERENCE]["roc_auc"]
    auc_oracle = result.models["oracle"]["roc_auc"]
    for name, vals in result.models.items():
        if name not in ("oracle", REFERENCE):
            vals["headroom_captured"] = m.headroom_captured(vals["roc_auc"], auc_ref, auc_oracle)
