"""The two entry points: one case for serving, a whole cohort for training and audit.

A case is cut into one-assessment tables (:func:`features.rules.case_tables.case_tables`).
Its :class:`RuleInputs` are Python scalars read from the same definitions as the cohort's
arrays (the history channels of :mod:`features.rules.history_specs`); both run the same
predicates (:func:`features.rules.predicates.evaluate`) and the same reason text
(:func:`features.rules.reasons.describe`). Property tests check the two agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from features.case import Case
from features.rules.case_inputs import case_inputs
from features.rules.case_tables import case_tables
from features.rules.config import RulesConfig, Thresholds, resolve
from features.rules.inputs_table import table_inputs
from features.rules.predicates import evaluate, plan
from features.rules.reasons import describe
from features.rules.results import StatutoryResult
from features.rules.table import RuleTable, load_rule_table
from features.rules.texts import basis_text, batch_texts, due_text
from features.vocab import GRADES

COUNT_COLUMNS = ("yes_count", "dont_know_count", "not_answered_count", "unknown_count")


def _setup(config: RulesConfig | None) -> tuple[Thresholds, RuleTable]:
    th = resolve(config)
    plan(th.version)  # checks every clause has a predicate, once per version
    return th, load_rule_table(th.version)


def grade_case(case: Case, config: RulesConfig | None = None) -> StatutoryResult:
    """Return the statutory grade, actions and flags of one case."""
    th, table = _setup(config)
    x = case_inputs(case_tables(case), th)
    ev = evaluate(x, th, table)
    fired = [cid for cid, hit in ev.clauses.items() if hit]
    described = describe(table, th, fired, x)
    return StatutoryResult(
        assessment_id=str(case.assessment.get("assessment_id", "")),
        grade=GRADES[int(ev.grade_rank)],
        actions=tuple(a for a in described if a.kind == "action"),
        yes_count=x.yes_count,
        dont_know_count=x.dont_know_count,
        not_answered_count=x.not_answered_count,
        unknown_count=x.dont_know_count + x.not_answered_count,
        rules_version=th.version,
        non_default_thresholds=tuple(th.non_default.items()),
        grade_basis=tuple(source for source, hit in ev.basis.items() if hit),
        flags=tuple(a for a in described if a.kind == "flag"),
        less_protective=tuple(th.less_protective.items()),
    )


def grade_table(
    tables: Mapping[str, pd.DataFrame], config: RulesConfig | None = None
) -> pd.DataFrame:
    """Grade every assessment (vectorised): one row per assessment, in the table's order."""
    th, table = _setup(config)
    assessments = tables["dash_assessments"]
    if len(assessments) == 0:
        return _empty(table)
    x = table_inputs(tables, th)  # type: ignore[arg-type]  # a DataFrame is a column mapping
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
    out["grade_basis"] = basis_text(ev, n)
    out["actions"], out["reasons"], out["flags"] = batch_texts(x, ev, th, table)
    out["due_by"] = due_text(x, ev, table)
    out["rules_version"] = th.version
    out["non_default_thresholds"] = _constant(non_default_json(th), n)
    out["less_protective"] = _constant(json.dumps(th.less_protective, sort_keys=True), n)
    return pd.DataFrame(out, index=assessments.index)


def _constant(text: str, n: int) -> pd.Categorical[str]:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int64), categories=pd.Index([text]))


def non_default_json(th: Thresholds) -> str:
    """Return the thresholds that differ from the rule table's defaults, as JSON."""
    return json.dumps(th.non_default, sort_keys=True)


def _empty(table: RuleTable) -> pd.DataFrame:
    columns: dict[str, Any] = {"assessment_id": pd.Series([], dtype=object)}
    columns["statutory_grade"] = pd.Series([], dtype=object)
    columns |= {c: pd.Series([], dtype=np.int64) for c in COUNT_COLUMNS}
    columns |= {r: pd.Series([], dtype=bool) for r in table.rule_ids}
    text = ("grade_basis", "actions", "reasons", "flags", "due_by", "rules_version",
            "non_default_thresholds", "less_protective")  # fmt: skip
    columns |= {c: pd.Series([], dtype=object) for c in text}
    return pd.DataFrame(columns)
