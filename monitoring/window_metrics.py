"""Drift metrics of one group's cases in one window against that group's reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from features.dash import ANSWERS
from features.vocab import GRADES
from monitoring import columns as col
from monitoring.distribution import bin_counts, category_counts, g_statistic, psi, rate_z2
from monitoring.performance import performance
from monitoring.reference import GroupReference, Reference, category_shares

MISSING_ANSWERS = ("dont_know", "not_answered")


def _compare(reference: list[float], counts: np.ndarray) -> dict[str, float]:
    expected = np.asarray(reference, dtype=np.float64)
    df = max(1, counts.size - 1)
    return {"psi": psi(expected, counts), "g": g_statistic(expected, counts), "df": df}


def feature_metrics(part: pd.DataFrame, ref: Reference, group: GroupReference) -> dict[str, Any]:
    """Return PSI, G-test p-value and missing rate of each monitored feature."""
    out: dict[str, Any] = {}
    for name, edges in ref.edges.items():
        values = part[name].to_numpy(dtype=np.float64)
        metrics = _compare(group.features[name], bin_counts(values, edges))
        metrics["missing_rate"] = float(np.mean(~np.isfinite(values)))
        out[name] = metrics
    return out


def question_metrics(part: pd.DataFrame, group: GroupReference) -> dict[str, Any]:
    """Return PSI over the four answers and each answer's rate, per DASH question."""
    out: dict[str, Any] = {}
    for q in col.QUESTIONS:
        metrics = _compare(group.questions[q], category_counts(part[q].to_numpy(), ANSWERS))
        rates = category_shares(part[q], ANSWERS)
        metrics.update({f"{answer}_rate": rate for answer, rate in rates.items()})
        out[q] = metrics
    return out


def decision_metrics(part: pd.DataFrame, ref: Reference, group: GroupReference) -> dict[str, Any]:
    """Return the score's PSI and mean, band and grade shares and the review-suggested rate."""
    scores = part[col.PROBABILITY].to_numpy(dtype=np.float64)
    score = _compare(group.score, bin_counts(scores, ref.score_edges))
    score["mean"] = float(np.nanmean(scores)) if scores.size else float("nan")
    return {
        "score": score,
        "band_shares": category_shares(part[col.BAND].astype(str), GRADES),
        "grade_shares": category_shares(part[col.GRADE].astype(str), GRADES),
        "review_rate": float(np.mean(part[col.REVIEW].to_numpy(dtype=bool))),
    }


def window_metrics(part: pd.DataFrame, ref: Reference, group: str) -> dict[str, Any]:
    """Return every drift metric of one group's cases in one window."""
    g = ref.groups[group]
    return {
        "n": len(part),
        "features": feature_metrics(part, ref, g),
        "questions": question_metrics(part, g),
        **decision_metrics(part, ref, g),
        "performance": performance(part),
    }


def _shares_tested(m: dict[str, Any], g: GroupReference) -> list[tuple[str, float, float]]:
    """Return (test key, window rate, reference rate) of every share the alerts watch."""
    out = [("review", m["review_rate"], g.review_rate)]
    for grade in GRADES:
        out.append((f"band:{grade}", m["band_shares"][grade], g.band_shares[grade]))
        out.append((f"grade:{grade}", m["grade_shares"][grade], g.grade_shares[grade]))
    for q in col.QUESTIONS:
        for answer in MISSING_ANSWERS:
            rate = m["questions"][q][f"{answer}_rate"]
            out.append((f"answer:{q}:{answer}", rate, g.answer_rates[q][answer]))
    return out


def tested_statistics(m: dict[str, Any], g: GroupReference) -> dict[str, tuple[float, int]]:
    """Return every test's statistic and degrees of freedom, by test key."""
    out = {f"feature:{k}": (v["g"], v["df"]) for k, v in m["features"].items()}
    out.update({f"question:{k}": (v["g"], v["df"]) for k, v in m["questions"].items()})
    out["score"] = (m["score"]["g"], m["score"]["df"])
    n = max(int(m["n"]), 1)
    for key, rate, reference in _shares_tested(m, g):
        out[key] = (rate_z2(reference, rate * n, n), 1)
    return out
