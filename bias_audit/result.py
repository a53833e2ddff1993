"""The audit's result: per-group figures with intervals, disparities, family summary; as JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from bias_audit.disparity import Disparity


@dataclass
class Estimate:
    """A point estimate with its interval and which interval it is (``bootstrap`` or ``wilson``)."""

    estimate: float
    low: float
    high: float
    interval: str = "bootstrap"


@dataclass
class CalibrationBin:
    """One equal-count reliability bin of one group: mean predicted vs observed rate."""

    n: int
    events: int
    mean_predicted: float
    observed: Estimate


@dataclass
class GroupResult:
    """One group's figures; a suppressed group carries its label and nothing else."""

    label: str
    suppressed: bool
    people: int | None = None
    rows: int | None = None
    events: int | None = None
    metrics: dict[str, Estimate] = field(default_factory=dict)
    calibration: list[CalibrationBin] | None = None


@dataclass
class BlockResult:
    """Every group of one grouping, for one scorer."""

    scorer: str
    grouping: str
    columns: tuple[str, ...]
    reference: str
    groups: list[GroupResult]


def _clean(value: Any) -> Any:
    """Replace non-finite floats with None so the JSON is strict."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _group_dict(group: GroupResult) -> dict[str, Any]:
    if group.suppressed:
        return {"label": group.label, "suppressed": True}
    return asdict(group)


@dataclass
class AuditResult:
    """Everything the audit found; ``to_dict`` gives strict-JSON-ready plain data."""

    outcome: str
    n_rows: int
    n_people: int
    settings: dict[str, Any]
    scorers: list[dict[str, Any]]
    blocks: list[BlockResult]
    disparities: list[Disparity]
    family: dict[str, Any]
    disclosure: dict[str, Any] = field(default_factory=dict)
    officer_effect: dict[str, Any] | None = None
    audited: dict[str, Any] | None = None  # what was audited (e.g. model name, version, run)

    @property
    def flagged(self) -> list[Disparity]:
        """Return the flagged disparities."""
        return [d for d in self.disparities if d.flagged]

    def to_dict(self) -> dict[str, Any]:
        """Return plain data (suppressed groups without figures; NaN as null)."""
        blocks = [
            {
                **{k: v for k, v in asdict(b).items() if k != "groups"},
                "groups": [_group_dict(g) for g in b.groups],
            }
            for b in self.blocks
        ]
        out = {
            "outcome": self.outcome,
            "n_rows": self.n_rows,
            "n_people": self.n_people,
            "settings": self.settings,
            "disclosure": self.disclosure,
            "scorers": self.scorers,
            "groups": blocks,
            "disparities": [asdict(d) for d in self.disparities],
            "multiple_comparisons": self.family,
            "officer_effect": self.officer_effect,
            "audited": self.audited,
        }
        return dict(_clean(out))
