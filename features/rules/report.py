"""Write every assessment's grade, actions and reasons to a file and summarise the counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from features.rules.config import RulesConfig, resolve
from features.rules.engine import grade_table
from features.rules.table import load_rule_table
from features.vocab import GRADES


@dataclass(frozen=True)
class GradeSummary:
    """Counts for the CLI's summary table: assessments by grade and by required action."""

    path: Path
    n_assessments: int
    by_grade: dict[str, int]
    by_action: dict[str, int]
    by_rule: dict[str, int]
    rules_version: str
    non_default_thresholds: dict[str, Any] = field(default_factory=dict)
    less_protective: dict[str, str] = field(default_factory=dict)  # threshold -> reason


def write_grades(frame: pd.DataFrame, out_path: Path) -> Path:
    """Write a graded frame as Parquet or CSV, chosen by the file suffix."""
    out_path = _checked_suffix(Path(out_path))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.suffix == ".parquet":
        frame.to_parquet(out_path, index=False)
    else:
        frame.to_csv(out_path, index=False)
    return out_path


def _checked_suffix(path: Path) -> Path:
    if path.suffix not in (".parquet", ".csv"):
        raise ValueError(f"{path}: use a .parquet or .csv suffix")
    return path


def summarise(frame: pd.DataFrame, config: RulesConfig | None, path: Path) -> GradeSummary:
    """Count assessments by grade, by action (any rule requiring it) and by rule."""
    th = resolve(config)
    table = load_rule_table(th.version)
    by_action: dict[str, int] = {}
    for action in dict.fromkeys(r.action for r in table.rules if r.kind == "action"):
        rules = [r.id for r in table.rules if r.action == action]
        by_action[action] = int(frame[rules].any(axis=1).sum()) if len(frame) else 0
    grades = frame["statutory_grade"].value_counts()
    return GradeSummary(
        path=path,
        n_assessments=len(frame),
        by_grade={g: int(grades.get(g, 0)) for g in GRADES},
        by_action=by_action,
        by_rule={r: int(frame[r].sum()) for r in table.rule_ids},
        rules_version=th.version,
        non_default_thresholds=dict(th.non_default),
        less_protective=dict(th.less_protective),
    )


def grade_cohort_to_file(
    tables: Mapping[str, pd.DataFrame],
    out_path: Path,
    config: RulesConfig | None = None,
    grades: pd.DataFrame | None = None,
) -> GradeSummary:
    """Grade a cohort, write grades, actions and reasons per assessment, and return the counts.

    ``grades`` is the cohort's :func:`grade_table` frame under ``config`` when already built.
    """
    _checked_suffix(Path(out_path))  # fail before the work, not after
    frame = grade_table(tables, config) if grades is None else grades
    path = write_grades(frame, Path(out_path))
    return summarise(frame, config, path)
