"""The training reference: bin edges and per-group distributions saved as plain arrays (JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from features.dash import ANSWERS
from features.vocab import GRADES
from monitoring import columns as col
from monitoring.distribution import bin_counts, bin_edges, category_counts, shares


@dataclass(frozen=True)
class GroupReference:
    """One group's reference distributions (proportions per bin, shares per category)."""

    n: int
    features: dict[str, list[float]]
    questions: dict[str, list[float]]  # smoothed shares over ANSWERS
    answer_rates: dict[str, dict[str, float]]  # raw share of each answer, per question
    score: list[float]
    band_shares: dict[str, float]
    grade_shares: dict[str, float]
    review_rate: float
    dispersion: dict[str, float] = field(default_factory=dict)  # by test key; 1 if absent


@dataclass(frozen=True)
class Reference:
    """Bin edges from the training period and each group's reference distributions."""

    edges: dict[str, list[float]]
    score_edges: list[float]
    groups: dict[str, GroupReference]

    def to_json(self) -> str:
        """Serialise to JSON."""
        return json.dumps(asdict(self), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Reference:
        """Read a reference written by :meth:`to_json`."""
        raw: dict[str, Any] = json.loads(text)
        groups = {name: GroupReference(**g) for name, g in raw["groups"].items()}
        return cls(edges=raw["edges"], score_edges=raw["score_edges"], groups=groups)

    def save(self, path: Path) -> None:
        """Write the reference as JSON."""
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Reference:
        """Read a reference saved by :meth:`save`."""
        return cls.from_json(path.read_text(encoding="utf-8"))


def category_shares(values: pd.Series, categories: tuple[str, ...]) -> dict[str, float]:
    """Return the raw share of each category (0 for an empty series)."""
    n = max(len(values), 1)
    counts = category_counts(values.to_numpy(), categories)
    return {c: float(k / n) for c, k in zip(categories, counts, strict=True)}


def _group_reference(
    frame: pd.DataFrame, edges: dict[str, list[float]], score_edges: list[float]
) -> GroupReference:
    features = {
        name: shares(bin_counts(frame[name].to_numpy(), e)).tolist() for name, e in edges.items()
    }
    questions = {q: shares(category_counts(frame[q], ANSWERS)).tolist() for q in col.QUESTIONS}
    return GroupReference(
        n=len(frame),
        features=features,
        questions=questions,
        answer_rates={q: category_shares(frame[q], ANSWERS) for q in col.QUESTIONS},
        score=shares(bin_counts(frame[col.PROBABILITY].to_numpy(), score_edges)).tolist(),
        band_shares=category_shares(frame[col.BAND].astype(str), GRADES),
        grade_shares=category_shares(frame[col.GRADE].astype(str), GRADES),
        review_rate=float(np.mean(frame[col.REVIEW].to_numpy(dtype=bool))),
    )


def group_frames(scored: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return the cases of each monitored group: all, then each area."""
    out = {col.ALL_GROUP: scored}
    for area, part in scored.groupby(col.AREA, sort=True, observed=True):
        out[str(area)] = part
    return out


def build_reference(scored: pd.DataFrame) -> Reference:
    """Build the reference from scored training-period cases: overall and per area."""
    from monitoring.dispersion import dispersion  # it compares windows with this reference

    edges = {name: bin_edges(scored[name].to_numpy()) for name in col.MONITORED_FEATURES}
    score_edges = bin_edges(scored[col.PROBABILITY].to_numpy())
    frames = group_frames(scored)
    groups = {g: _group_reference(part, edges, score_edges) for g, part in frames.items()}
    ref = Reference(edges=edges, score_edges=score_edges, groups=groups)
    return replace(
        ref,
        groups={g: replace(r, dispersion=dispersion(frames[g], ref, g)) for g, r in groups.items()},
    )
