"""The model page's comparison table: every metric labelled in words, intervals beside values.

Engineering figures (fit time, TreeSHAP time, number of trees) go to an appendix; a metric
this table has no words for goes there too rather than under a variable name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from serving.schemas_out import ModelInfo

SCORER_LABELS: Final[dict[str, str]] = {
    "model": "Second Look model",
    "dash_count": "DASH yes-count",
    "statutory_grade": "Statutory grade",
    "officer_grade": "Officer's grade",
    "logistic_all": "Logistic regression",
    "oracle": "Oracle (synthetic truth)",
}
# metric -> (words, lower is better)
METRIC_WORDS: Final[dict[str, tuple[str, bool]]] = {
    "roc_auc": (
        "Ranking: chance a case with the outcome scores above one without (ROC AUC)",
        False,
    ),
    "auc_minus_dash": ("Ranking gain over the DASH yes-count (difference in ROC AUC)", False),
    "pr_auc": ("Precision-recall area (PR AUC)", False),
    "brier": ("Mean squared error of the probability (Brier score)", True),
    "log_loss": ("Log loss of the probability", True),
    "ece": ("Calibration error, 10 equal-width bins (ECE)", True),
    "ece_quantile": ("Calibration error, 10 equal-count bins", True),
    "calibration_slope": ("Calibration slope (1 is ideal)", False),
    "calibration_intercept": ("Calibration intercept (0 is ideal)", False),
    "high_flag_rate": ("Share of cases flagged at the 'high' operating point", False),
    "high_sensitivity": ("Of cases with the outcome, share flagged 'high' (sensitivity)", False),
    "high_specificity": ("Of cases without the outcome, share not flagged (specificity)", False),
    "high_precision": ("Of cases flagged 'high', share with the outcome (precision)", False),
    "high_negative_prediction_rate": ("Of cases not flagged, share with the outcome", True),
    "headroom_captured": ("Share of the gap from DASH to the synthetic oracle closed", False),
}
INTERVALS: Final[dict[str, tuple[str, str]]] = {
    "roc_auc": ("auc_ci_low", "auc_ci_high"),
    "auc_minus_dash": ("auc_diff_ci_low", "auc_diff_ci_high"),
}
ENGINEERING: Final[dict[str, str]] = {
    "fit_seconds": "Fit time (seconds)",
    "contrib_ms_per_row": "TreeSHAP time per case (milliseconds)",
    "n_trees": "Number of trees",
}


@dataclass(frozen=True)
class MetricRow:
    """One metric across scorers, as text, with the model's difference from the DASH count."""

    name: str
    values: list[str]
    versus_dash: str
    lower_is_better: bool


def scorer_columns(metrics: dict[str, dict[str, float]]) -> list[tuple[str, str]]:
    """Return (scorer, label) for every scorer with metrics, in a fixed order."""
    return [(s, label) for s, label in SCORER_LABELS.items() if s in metrics]


def with_interval(value: float | None, low: float | None, high: float | None) -> str:
    """Return "0.86 (0.85–0.87)", or the value alone when it has no interval."""
    if value is None:
        return "—"
    if low is None or high is None:
        return f"{value:.3f}"
    return f"{value:.3f} ({low:.3f}–{high:.3f})"


def _cell(values: dict[str, float], metric: str) -> str:
    low, high = INTERVALS.get(metric, ("", ""))
    return with_interval(values.get(metric), values.get(low), values.get(high))


def metric_rows(
    info: ModelInfo, scorers: list[tuple[str, str]]
) -> tuple[list[MetricRow], list[MetricRow]]:
    """Return the labelled comparison rows and the appendix rows (engineering, unnamed)."""
    names = sorted({k for s, _ in scorers for k in info.metrics[s]})
    interval_keys = {k for pair in INTERVALS.values() for k in pair}
    rows = []
    for metric, (words, lower) in METRIC_WORDS.items():
        if metric in names:
            diff = info.versus_dash.get(metric)
            versus = "—" if diff is None or metric == "auc_minus_dash" else f"{diff:+.3f}"
            cells = [_cell(info.metrics[s], metric) for s, _ in scorers]
            rows.append(MetricRow(words, cells, versus, lower))
    appendix = []
    for metric in names:
        if metric in METRIC_WORDS or metric in interval_keys:
            continue
        words = ENGINEERING.get(metric, metric.replace("_", " "))
        cells = [_cell(info.metrics[s], metric) for s, _ in scorers]
        appendix.append(MetricRow(words, cells, "—", False))
    return rows, appendix
