"""Turn one window's metrics into alerts: a threshold crossed and a significant change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from features.vocab import GRADES
from monitoring.alerts import Alert, AlertKind, Thresholds
from monitoring.distribution import rate_p
from monitoring.reference import GroupReference

_MISSING_ANSWERS = ("dont_know", "not_answered")


@dataclass(frozen=True)
class _Where:
    group: str
    window: str
    n: int


def _psi(
    kind: AlertKind,
    metric: dict[str, float],
    th: Thresholds,
    where: _Where,
    feature: str | None = None,
    question: str | None = None,
) -> list[Alert]:
    if not (metric["psi"] > th.psi and metric["p_value"] < th.alpha):
        return []
    return [
        Alert(
            kind,
            "psi",
            feature,
            question,
            where.group,
            where.window,
            metric["psi"],
            th.psi,
            p_value=metric["p_value"],
        )
    ]


def _rate(
    kind: AlertKind,
    name: str,
    value: float,
    reference: float,
    th: Thresholds,
    where: _Where,
    question: str | None = None,
) -> list[Alert]:
    threshold = th.rate_change if kind == "missingness" else th.share_change
    p = rate_p(reference, value * where.n, where.n)
    if abs(value - reference) <= threshold or p >= th.alpha:
        return []
    return [
        Alert(
            kind,
            name,
            None,
            question,
            where.group,
            where.window,
            value,
            threshold,
            reference=reference,
            p_value=p,
        )
    ]


def _input_alerts(m: dict[str, Any], ref: GroupReference, th: Thresholds, w: _Where) -> list[Alert]:
    out = [a for f, v in m["features"].items() for a in _psi("input_drift", v, th, w, feature=f)]
    for q, v in m["questions"].items():
        out += _psi("input_drift", v, th, w, question=q)
        for answer in _MISSING_ANSWERS:
            name = f"{answer}_rate"
            out += _rate("missingness", name, v[name], ref.answer_rates[q][answer], th, w, q)
    return out


def _decision_alerts(
    m: dict[str, Any], ref: GroupReference, th: Thresholds, w: _Where
) -> list[Alert]:
    out = _psi("score_drift", m["score"], th, w, feature="probability")
    for grade in GRADES:
        out += _rate(
            "decision_drift",
            f"band_share:{grade}",
            m["band_shares"][grade],
            ref.band_shares[grade],
            th,
            w,
        )
        out += _rate(
            "decision_drift",
            f"grade_share:{grade}",
            m["grade_shares"][grade],
            ref.grade_shares[grade],
            th,
            w,
        )
    out += _rate("decision_drift", "review_rate", m["review_rate"], ref.review_rate, th, w)
    return out


def window_alerts(
    metrics: dict[str, Any], ref: GroupReference, th: Thresholds, group: str, window: str
) -> list[Alert]:
    """Return the alerts of one group's window (none below the minimum number of cases)."""
    if metrics["n"] < th.min_cases:
        return []
    where = _Where(group, window, int(metrics["n"]))
    return _input_alerts(metrics, ref, th, where) + _decision_alerts(metrics, ref, th, where)
