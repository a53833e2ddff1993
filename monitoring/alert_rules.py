"""Turn one window's metrics into alerts: a threshold crossed and a significant change.

Significance divides each test's statistic by the group's overdispersion factor for that test,
estimated on the reference's own months (see :mod:`monitoring.distribution`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scipy import stats

from features.vocab import GRADES
from monitoring.alerts import Alert, AlertKind, Thresholds
from monitoring.reference import GroupReference
from monitoring.window_metrics import MISSING_ANSWERS, tested_statistics


@dataclass(frozen=True)
class _Test:
    group: GroupReference
    stats: dict[str, tuple[float, int]]
    th: Thresholds
    window: str
    name: str

    def p(self, key: str) -> float:
        stat, df = self.stats[key]
        return float(stats.chi2.sf(stat / self.group.dispersion.get(key, 1.0), df))

    def psi(
        self,
        kind: AlertKind,
        key: str,
        value: float,
        feature: str | None = None,
        question: str | None = None,
    ) -> list[Alert]:
        p = self.p(key)
        if value <= self.th.psi or p >= self.th.alpha:
            return []
        return [
            Alert(
                kind,
                "psi",
                feature,
                question,
                self.name,
                self.window,
                value,
                self.th.psi,
                p_value=p,
            )
        ]

    def rate(
        self,
        kind: AlertKind,
        metric: str,
        key: str,
        value: float,
        reference: float,
        question: str | None = None,
    ) -> list[Alert]:
        threshold = self.th.rate_change if kind == "missingness" else self.th.share_change
        p = self.p(key)
        if abs(value - reference) <= threshold or p >= self.th.alpha:
            return []
        return [
            Alert(
                kind,
                metric,
                None,
                question,
                self.name,
                self.window,
                value,
                threshold,
                reference=reference,
                p_value=p,
            )
        ]


def _input_alerts(m: dict[str, Any], t: _Test) -> list[Alert]:
    out = []
    for f, v in m["features"].items():
        out += t.psi("input_drift", f"feature:{f}", v["psi"], feature=f)
    for q, v in m["questions"].items():
        out += t.psi("input_drift", f"question:{q}", v["psi"], question=q)
        for answer in MISSING_ANSWERS:
            ref = t.group.answer_rates[q][answer]
            key, metric = f"answer:{q}:{answer}", f"{answer}_rate"
            out += t.rate("missingness", metric, key, v[metric], ref, q)
    return out


def _decision_alerts(m: dict[str, Any], t: _Test) -> list[Alert]:
    out = t.psi("score_drift", "score", m["score"]["psi"], feature="probability")
    g = t.group
    for grade in GRADES:
        out += t.rate(
            "decision_drift",
            f"band_share:{grade}",
            f"band:{grade}",
            m["band_shares"][grade],
            g.band_shares[grade],
        )
        out += t.rate(
            "decision_drift",
            f"grade_share:{grade}",
            f"grade:{grade}",
            m["grade_shares"][grade],
            g.grade_shares[grade],
        )
    out += t.rate("decision_drift", "review_rate", "review", m["review_rate"], g.review_rate)
    return out


def window_alerts(
    metrics: dict[str, Any], ref: GroupReference, th: Thresholds, group: str, window: str
) -> list[Alert]:
    """Return the alerts of one group's window (none below the minimum number of cases)."""
    if metrics["n"] < th.min_cases:
        return []
    t = _Test(ref, tested_statistics(metrics, ref), th, window, group)
    return _input_alerts(metrics, t) + _decision_alerts(metrics, t)
