"""The two entry points: one case for serving, a whole cohort for training and audit.

Both compute :class:`RuleInputs` (scalars or arrays), run the same predicates
(:func:`features.rules.predicates.evaluate`) and the same reason text
(:func:`features.rules.reasons.describe`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.case import Case
from features.rules.config import RulesConfig, Thresholds, resolve
from features.rules.inputs import INPUT_NAMES, RuleInputs, case_inputs
from features.rules.inputs_table import table_inputs
from features.rules.predicates import Evaluation, check_table_predicates, evaluate
from features.rules.reasons import actions_text, describe, field_inputs, reasons_text
from features.rules.results import StatutoryResult
from features.rules.table import RuleTable, load_rule_table
from features.vocab import GRADES

COUNT_COLUMNS = ("yes_count", "dont_know_count", "not_answered_count", "unknown_count")


def _setup(config: RulesConfig | None) -> tuple[Thresholds, RuleTable]:
    th = resolve(config)
    table = load_rule_table(th.version)
    check_table_predicates(table)
    return th, table


def grade_case(case: Case, config: RulesConfig | None = None) -> StatutoryResult:
    """Return the statutory grade and actions of one case (pure-Python scalar path)."""
    th, table = _setup(config)
    x = case_inputs(case, th)
    ev = evaluate(x, th, table)
    fired = [cid for cid, hit in ev.clauses.items() if hit]
    return StatutoryResult(
        assessment_id=str(case.assessment.get("assessment_id", "")),
        grade=GRADES[int(ev.grade_rank)],
        actions=describe(table, th, fired, x),
        yes_count=x.yes_count,
        dont_know_count=x.dont_know_count,
        not_answered_count=x.not_answered_count,
        unknown_count=x.dont_know_count + x.not_answered_count,
        rules_version=th.version,
        non_default_thresholds=tuple(th.non_default.items()),
    )


def _combine_codes(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return dense codes of the pairs ``(a, b)`` (equal pairs, equal codes)."""
    joint, _ = pd.factorize(a * (int(b.max(initial=0)) + 1) + b)
    return np.asarray(joint, dtype=np.int64)


def _clause_code(hit: npt.NDArray[np.bool_], values: list[npt.NDArray[np.int64]]) -> Any:
    """Return 0 where the clause did not fire, else 1 + a code of the facts its reason names."""
    code = hit.astype(np.int64)
    for v in values:
        v = np.where(hit, np.asarray(v, dtype=np.int64), 0)
        code = np.where(hit, _combine_codes(code, v - int(v.min(initial=0))) + 1, 0)
    return code


def reason_groups(
    x: RuleInputs, ev: Evaluation, th: Thresholds, table: RuleTable
) -> npt.NDArray[np.int64]:
    """Group rows whose fired clauses and reason facts are equal (so their text is equal)."""
    n = len(x.yes_count)
    group = np.zeros(n, dtype=np.int64)
    for _, clause in table.clauses:
        hit = np.broadcast_to(np.asarray(ev.clauses[clause.id], dtype=bool), (n,))
        if hit.any():
            values = [np.asarray(getattr(x, name)) for name in field_inputs(clause, th)]
            group = _combine_codes(group, _clause_code(hit, values))
    return group


def _row(x: RuleInputs, rows: npt.NDArray[np.int64]) -> list[RuleInputs]:
    cols = {name: np.asarray(getattr(x, name))[rows].tolist() for name in INPUT_NAMES}
    return [RuleInputs(**{k: cols[k][i] for k in INPUT_NAMES}) for i in range(len(rows))]


def _texts(
    x: RuleInputs, ev: Evaluation, th: Thresholds, table: RuleTable
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Return the actions and reasons text of every row, formatting each group once."""
    group = reason_groups(x, ev, th, table)
    _, first = np.unique(group, return_index=True)
    ids = [c.id for _, c in table.clauses]
    n = len(group)
    hits = {c: np.broadcast_to(np.asarray(ev.clauses[c], dtype=bool), (n,))[first] for c in ids}
    acts, reasons = [], []
    for j, xi in enumerate(_row(x, first.astype(np.int64))):
        actions = describe(table, th, [c for c in ids if hits[c][j]], xi)
        acts.append(actions_text(actions))
        reasons.append(reasons_text(actions))
    dense = np.searchsorted(group[first], group)
    return np.asarray(acts, dtype=object)[dense], np.asarray(reasons, dtype=object)[dense]


def grade_table(
    tables: Mapping[str, pd.DataFrame], config: RulesConfig | None = None
) -> pd.DataFrame:
    """Grade every assessment (vectorised): one row per assessment, in the table's order."""
    th, table = _setup(config)
    assessments = tables["dash_assessments"]
    if len(assessments) == 0:
        return _empty(table)
    x = table_inputs(tables, th)
    ev = evaluate(x, th, table)
    n = len(assessments)
    out: dict[str, Any] = {
        "assessment_id": assessments["assessment_id"].to_numpy(),
        "statutory_grade": np.asarray(GRADES, dtype=object)[ev.grade_rank],
        "yes_count": x.yes_count,
        "dont_know_count": x.dont_know_count,
        "not_answered_count": x.not_answered_count,
        "unknown_count": x.dont_know_count + x.not_answered_count,
    }
    for rule_id, fired in ev.rule_fired(table).items():
        out[rule_id] = np.broadcast_to(np.asarray(fired, dtype=bool), (n,)).copy()
    out["actions"], out["reasons"] = _texts(x, ev, th, table)
    out["rules_version"] = th.version
    return pd.DataFrame(out, index=assessments.index)


def _empty(table: RuleTable) -> pd.DataFrame:
    columns: dict[str, Any] = {"assessment_id": pd.Series([], dtype=object)}
    columns["statutory_grade"] = pd.Series([], dtype=object)
    columns |= {c: pd.Series([], dtype=np.int64) for c in COUNT_COLUMNS}
    columns |= {r: pd.Series([], dtype=bool) for r in table.rule_ids}
    columns |= {c: pd.Series([], dtype=object) for c in ("actions", "reasons", "rules_version")}
    return pd.DataFrame(columns)
