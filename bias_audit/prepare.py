"""Check the caller's table and encode it: outcome, scorer levels, group codes, person codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt
import pandas as pd

from bias_audit.calibration import level_logits
from bias_audit.errors import AuditInputError
from bias_audit.spec import AuditConfig, ScorerSpec

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
MISSING = "(missing)"
JOIN = " × "


@dataclass(frozen=True)
class Grouping:
    """One way of splitting the table: a group column or an intersection of two."""

    name: str
    columns: tuple[str, ...]
    labels: tuple[str, ...]
    codes: IntArray
    people: IntArray
    rows: IntArray


@dataclass(frozen=True)
class ScorerData:
    """A scorer encoded as ordered levels (fine bins for probabilities) plus its raw score."""

    spec: ScorerSpec
    levels: IntArray
    n_levels: int
    flag_from: int
    score: FloatArray
    cal_of_level: IntArray | None
    level_logit: FloatArray | None = None


@dataclass(frozen=True)
class Encoded:
    """Everything the point estimates and the bootstrap need, as plain arrays."""

    y: npt.NDArray[np.bool_]
    person: IntArray
    n_people: int
    groupings: tuple[Grouping, ...]
    scorers: tuple[ScorerData, ...]


def outcome_array(frame: pd.DataFrame, column: str) -> npt.NDArray[np.bool_]:
    """Return the outcome as booleans, or raise naming the column."""
    _require(frame, column, "a binary outcome column (0/1 or true/false)")
    values = frame[column]
    if values.isna().any():
        raise AuditInputError(column, "a binary outcome with no missing values", "missing values")
    uniq = set(pd.unique(values).tolist())
    if not uniq <= {0, 1}:  # True == 1 and False == 0
        shown = sorted(map(str, uniq))[:5]
        raise AuditInputError(column, "a binary outcome (0/1 or true/false)", f"values {shown}")
    return np.asarray(values.to_numpy(dtype=np.int64) == 1)


def _require(frame: pd.DataFrame, column: str, expected: str) -> None:
    if column not in frame.columns:
        raise AuditInputError(column, expected, "no such column")


def _grade_levels(frame: pd.DataFrame, spec: ScorerSpec) -> ScorerData:
    values = frame[spec.column]
    codes = (
        pd.Index(list(spec.levels)).get_indexer(pd.Index(values.astype(object))).astype(np.int64)
    )
    if (codes < 0).any():
        bad = sorted({str(v) for v in values[codes < 0]})[:5]
        raise AuditInputError(
            spec.column, f"grades in {list(spec.levels)} for {spec.name}", str(bad)
        )
    if spec.flag_level not in spec.levels:
        raise AuditInputError(spec.column, f"flag_level {spec.flag_level!r} among its levels")
    flag_from = spec.levels.index(spec.flag_level)
    return ScorerData(spec, codes, len(spec.levels), flag_from, codes.astype(np.float64), None)


def _numeric(frame: pd.DataFrame, spec: ScorerSpec) -> FloatArray:
    values = pd.to_numeric(frame[spec.column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if bad.any():
        shown = frame[spec.column][bad].head(3).tolist()
        raise AuditInputError(spec.column, f"numbers in [0, 1] for {spec.name}", str(shown))
    return values


def _binary_levels(frame: pd.DataFrame, spec: ScorerSpec) -> ScorerData:
    values = _numeric(frame, spec)
    if not np.isin(values, (0.0, 1.0)).all():
        raise AuditInputError(spec.column, f"0/1 decisions for binary scorer {spec.name}")
    return ScorerData(spec, values.astype(np.int64), 2, 1, values, None)


def calibration_edges(n_bins: int) -> FloatArray:
    """Return the equal-width calibration bin edges on [0, 1]."""
    return np.linspace(0.0, 1.0, n_bins + 1)


def calibration_bin(p: FloatArray, n_bins: int) -> IntArray:
    """Return each probability's calibration bin (1.0 falls in the last bin)."""
    edges = calibration_edges(n_bins)
    return np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1).astype(np.int64)


def _probability_levels(frame: pd.DataFrame, spec: ScorerSpec, config: AuditConfig) -> ScorerData:
    if not 0 < spec.threshold < 1:
        raise AuditInputError(spec.column, f"a threshold in (0, 1) for {spec.name}")
    p = _numeric(frame, spec)
    cal_edges = calibration_edges(config.calibration_bins)
    quantiles = np.quantile(p, np.linspace(0.0, 1.0, config.auc_bins + 1))
    edges = np.unique(np.concatenate([quantiles, cal_edges, [spec.threshold]]))
    edges = edges[(edges >= 0.0) & (edges <= 1.0)]
    levels = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    flag_from = int(np.searchsorted(edges, spec.threshold, side="left"))
    cal = calibration_bin(edges[:-1], config.calibration_bins)
    levels = levels.astype(np.int64)
    logit = level_logits(p, levels, len(edges) - 1)
    return ScorerData(spec, levels, len(edges) - 1, flag_from, p, cal, logit)


def encode_scorer(frame: pd.DataFrame, spec: ScorerSpec, config: AuditConfig) -> ScorerData:
    """Encode one scorer's column into ordered levels, raising on unusable values."""
    _require(frame, spec.column, f"the {spec.kind} column of scorer {spec.name!r}")
    if frame[spec.column].isna().any():
        raise AuditInputError(spec.column, f"no missing values for scorer {spec.name!r}")
    if spec.kind == "grade":
        return _grade_levels(frame, spec)
    if spec.kind == "binary":
        return _binary_levels(frame, spec)
    return _probability_levels(frame, spec, config)


def group_labels(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Return each row's group label (values joined with ' | '; missing shown as such)."""
    parts = [frame[c].astype("string").fillna(MISSING) for c in columns]
    label = parts[0]
    for part in parts[1:]:
        label = label + " | " + part
    return label.astype(object)


def _grouping(frame: pd.DataFrame, columns: tuple[str, ...], person: IntArray) -> Grouping:
    codes, uniques = pd.factorize(group_labels(frame, columns), sort=True)
    n_groups = len(uniques)
    pairs = np.unique(codes.astype(np.int64) * (person.max() + 1) + person)
    people = np.bincount(pairs // (person.max() + 1), minlength=n_groups)
    rows = np.bincount(codes, minlength=n_groups)
    labels = tuple(str(u) for u in uniques)
    name = JOIN.join(columns)
    return Grouping(name, columns, labels, codes.astype(np.int64), people, rows)


def encode_groupings(
    frame: pd.DataFrame, groups: Sequence[str], person: IntArray, intersections: bool
) -> tuple[Grouping, ...]:
    """Encode each group column and, if asked, every pairwise intersection."""
    for column in groups:
        _require(frame, column, "a group column (any labels; missing values form their own group)")
    singles = [(c,) for c in groups]
    pairs = list(combinations(groups, 2)) if intersections else []
    return tuple(_grouping(frame, cols, person) for cols in [*singles, *pairs])


def person_codes(frame: pd.DataFrame, column: str | None) -> IntArray:
    """Return a person code per row (rows are people when no person column is named)."""
    if column is None:
        return np.arange(len(frame), dtype=np.int64)
    _require(frame, column, "a person identifier column (people are counted and resampled)")
    if frame[column].isna().any():
        raise AuditInputError(column, "a person identifier on every row", "missing values")
    return pd.factorize(frame[column])[0].astype(np.int64)


def encode(
    frame: pd.DataFrame,
    outcome: str,
    scorers: Sequence[ScorerSpec],
    groups: Sequence[str],
    config: AuditConfig,
) -> Encoded:
    """Validate the table against the request and encode it for the audit."""
    if len(frame) == 0:
        raise AuditInputError("(table)", "at least one row", "an empty table")
    if not scorers or not groups:
        raise AuditInputError("(request)", "at least one scorer and one group column")
    if len({s.name for s in scorers}) != len(scorers):
        raise AuditInputError("(request)", "distinct scorer names")
    y = outcome_array(frame, outcome)
    person = person_codes(frame, config.person_column)
    encoded = tuple(encode_scorer(frame, s, config) for s in scorers)
    groupings = encode_groupings(frame, groups, person, config.intersections)
    return Encoded(y, person, int(person.max()) + 1, groupings, encoded)
