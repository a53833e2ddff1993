"""The work done on one partition: the single-process functions, writing one output part each.

Each job is a small picklable callable ``job(source, k)`` that reads its part (a
:class:`PartRef` on disk, or tables handed over), runs the same public function the
single-process path runs on a whole cohort, writes ``part-k`` and returns a small summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from features.contracts import ContractError, check_tables
from features.distributed.generation import generate_part
from features.distributed.layout import PartRef, write_output, write_part
from features.distributed.scoring import DEFAULT_TOP_K, score_cohort, score_frame
from features.engine import FeatureConfig, build_features, feature_summary
from features.model_format.scoring import CalibratedScorer
from features.rules import RulesConfig, grade_table
from features.rules.report import summarise
from features.synthetic import GeneratorParams

Source = PartRef | Mapping[str, pd.DataFrame]


def load(source: Source) -> dict[str, pd.DataFrame]:
    """Return a part's tables; a part read from disk must meet every contract first."""
    if not isinstance(source, PartRef):
        return dict(source)  # handed over by a caller that has checked the whole cohort
    tables = source.read()
    _, failures = check_tables(tables)
    if failures:
        raise ContractError(failures)
    return tables


@dataclass(frozen=True)
class FeaturesJob:
    """Build the features of one part; return its row count and missing shares."""

    out: str

    def __call__(self, source: Source, k: int) -> dict[str, Any]:
        """Run the job on part ``k``."""
        frame = build_features(load(source), FeatureConfig())
        write_output(frame, Path(self.out), k, index=True)
        return feature_summary(frame)


@dataclass(frozen=True)
class GradesJob:
    """Grade one part by the statutory rules; return the counts by grade, action and rule."""

    out: str
    config: RulesConfig | None = None

    def __call__(self, source: Source, k: int) -> dict[str, Any]:
        """Run the job on part ``k``."""
        frame = grade_table(load(source), self.config)
        path = write_output(frame, Path(self.out), k, index=False)
        return vars(summarise(frame, self.config, path))


@dataclass(frozen=True)
class ScoresJob:
    """Grade and score one part with the model; return its row and review counts."""

    out: str
    scorer: CalibratedScorer
    config: RulesConfig | None = None
    top_k: int = DEFAULT_TOP_K

    def __call__(self, source: Source, k: int) -> dict[str, Any]:
        """Run the job on part ``k``."""
        frame = score_cohort(load(source), self.scorer, self.config, self.top_k)
        write_output(frame, Path(self.out), k, index=False)
        return {"rows": len(frame), "review_suggested": int(frame["review_suggested"].sum())}


@dataclass(frozen=True)
class BatchJob:
    """Features, grades and scores of one part from one read: three outputs under ``out``."""

    out: str
    scorer: CalibratedScorer
    config: RulesConfig | None = None
    top_k: int = DEFAULT_TOP_K

    def __call__(self, source: Source, k: int) -> dict[str, Any]:
        """Run the job on part ``k``."""
        tables = load(source)
        features = build_features(tables, FeatureConfig())
        grades = grade_table(tables, self.config)
        scores = score_frame(features, grades, self.scorer, self.top_k)
        root = Path(self.out)
        write_output(features, root / "features", k, index=True)
        write_output(grades, root / "grades", k, index=False)
        write_output(scores, root / "scores", k, index=False)
        return {"rows": len(scores), "review_suggested": int(scores["review_suggested"].sum())}


@dataclass(frozen=True)
class GenerateJob:
    """Generate one part of a synthetic cohort and write its tables; return its metadata."""

    out: str
    seed: int
    params: GeneratorParams | None = None

    def __call__(self, n_victims: int, k: int) -> dict[str, Any]:
        """Generate part ``k`` with ``n_victims`` victims."""
        cohort = generate_part(self.seed, k, n_victims, self.params)
        write_part(cohort.tables, Path(self.out), k)
        return cohort.metadata


def merge_feature_summaries(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Combine per-part feature summaries (shares weighted by rows) into one."""
    rows = sum(int(p["rows"]) for p in parts)
    families = parts[0]["missing_share_by_family"] if parts else {}
    share = {
        f: sum(p["rows"] * p["missing_share_by_family"][f] for p in parts) / rows if rows else 0.0
        for f in families
    }
    features = int(parts[0]["features"]) if parts else 0
    return {"rows": rows, "features": features, "missing_share_by_family": share}


def merge_counts(parts: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    """Sum the integer counts and the count dictionaries named by ``keys`` across parts."""
    out: dict[str, Any] = {}
    for key in keys:
        values = [p[key] for p in parts]
        if values and isinstance(values[0], dict):
            out[key] = {name: sum(int(v.get(name, 0)) for v in values) for name in values[0]}
        else:
            out[key] = sum(int(v) for v in values)
    return out
