"""What to audit: scorer specifications and the audit's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ScoreKind = Literal["grade", "probability", "binary"]
Correction = Literal["bh", "by", "holm"]
DEFAULT_GRADE_ORDER: tuple[str, ...] = ("standard", "medium", "high")
# ECE is reported per group but not tested by default: it is biased upward in small groups,
# so a small, well-calibrated group would look worse than the reference under the null.
DISPARITY_METRICS: tuple[str, ...] = ("selection_rate", "fpr", "fnr", "precision", "auc", "ece")
DEFAULT_TESTED: tuple[str, ...] = ("selection_rate", "fpr", "fnr", "precision", "auc")


@dataclass(frozen=True)
class ScorerSpec:
    """One score or grade column and the rule that makes it a 'flagged high' decision.

    ``kind`` is ``grade`` (ordered labels, flagged at ``flag_level`` or above), ``probability``
    (a number in [0, 1], flagged at ``threshold`` or above) or ``binary`` (already 0/1).
    """

    name: str
    column: str
    kind: ScoreKind = "grade"
    levels: tuple[str, ...] = DEFAULT_GRADE_ORDER
    flag_level: str = "high"
    threshold: float = 0.5

    @property
    def is_probability(self) -> bool:
        """Return whether calibration (curve and ECE) applies to this scorer."""
        return self.kind == "probability"


@dataclass(frozen=True)
class AuditConfig:
    """Settings: bootstrap size, interval level, suppression, reference groups, test family."""

    n_boot: int = 1000
    ci_level: float = 0.95
    min_people: int = 10
    min_events: int = 5
    fdr: float = 0.05
    correction: Correction = "bh"
    seed: int = 0
    person_column: str | None = None
    reference: Mapping[str, str] = field(default_factory=dict)
    intersections: bool = True
    auc_bins: int = 100
    calibration_bins: int = 10
    chunk_draws: int = 50
    disparity_metrics: tuple[str, ...] = DEFAULT_TESTED

    def __post_init__(self) -> None:
        """Reject settings outside their meaningful range."""
        if self.n_boot < 20:
            raise ValueError("n_boot must be at least 20")
        if not 0.5 < self.ci_level < 1:
            raise ValueError("ci_level must lie in (0.5, 1)")
        if not 0 < self.fdr < 1:
            raise ValueError("fdr must lie in (0, 1)")
        if self.min_people < 1 or self.min_events < 1:
            raise ValueError("min_people and min_events must be positive")
        unknown = set(self.disparity_metrics) - set(DISPARITY_METRICS)
        if unknown:
            raise ValueError(f"unknown disparity metrics {sorted(unknown)}")
