"""Actions and reasons text for a whole cohort, formatting each distinct text only once.

Rows whose clauses fired alike and whose facts named in the reasons are equal get equal text,
so each rule's reason is formatted once per distinct group (with :func:`rule_reason`, as for
one case) and each row's joined text once per distinct combination of rule reasons.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.rules.config import Thresholds
from features.rules.inputs_table import INPUT_NAMES, RuleInputs
from features.rules.predicates import Evaluation
from features.rules.reasons import (
    NS_PER_HOUR,
    actions_text,
    field_inputs,
    iso_seconds,
    reasons_text,
    rule_reason,
)
from features.rules.table import Rule, RuleTable

IntArray = npt.NDArray[np.int64]
_PACK_LIMIT = 1 << 62


def _dense(values: IntArray) -> tuple[IntArray, int]:
    codes, uniques = pd.factorize(values)
    return np.asarray(codes, dtype=np.int64), len(uniques)


def _fired(ev: Evaluation, clause_id: str, n: int) -> npt.NDArray[np.bool_]:
    return np.broadcast_to(np.asarray(ev.clauses[clause_id], dtype=bool), (n,))


def _rule_codes(rule: Rule, x: RuleInputs, ev: Evaluation, th: Thresholds, n: int) -> IntArray:
    """Return 0 where the rule did not fire, else 1 + a code of its fired clauses and facts."""
    code, radix = np.zeros(n, dtype=np.int64), 1
    fired = np.zeros(n, dtype=bool)
    for clause in rule.clauses:
        hit = _fired(ev, clause.id, n)
        if not hit.any():
            continue
        fired |= hit
        part, k = hit.astype(np.int64), 2
        for name in field_inputs(clause, th):
            facts = np.zeros(n, dtype=np.int64)
            sub, kf = _dense(np.asarray(getattr(x, name), dtype=np.int64)[hit])
            facts[hit] = sub
            part, k = part * kf + facts, k * kf
        code, radix = _pack(code, radix, part, k)
    out = np.zeros(n, dtype=np.int64)
    out[fired] = _dense(code[fired])[0] + 1
    return out


def _pack(code: IntArray, radix: int, part: IntArray, k: int) -> tuple[IntArray, int]:
    """Return codes of the pairs (code, part), compressing first if the product could overflow."""
    if radix * k >= _PACK_LIMIT:
        code, radix = _dense(code)
    return code * k + part, radix * k


def _representatives(codes: IntArray, k: int) -> IntArray:
    """Return one row index holding each code 0..k-1 (any such row: their text is equal)."""
    rep = np.zeros(k, dtype=np.int64)
    rep[codes] = np.arange(len(codes), dtype=np.int64)
    return rep


def _inputs_at(x: RuleInputs, row: int) -> RuleInputs:
    return RuleInputs(**{name: np.asarray(getattr(x, name))[row].item() for name in INPUT_NAMES})


def _rule_texts(
    rule: Rule, codes: IntArray, x: RuleInputs, ev: Evaluation, th: Thresholds
) -> list[str | None]:
    """Return the reason text of each rule code (index 0: the rule did not fire)."""
    k = int(codes.max(initial=0)) + 1
    texts: list[str | None] = [None] * k
    n = len(codes)
    for code, row in enumerate(_representatives(codes, k)):
        if code == 0:
            continue
        fired = {c.id for c in rule.clauses if bool(_fired(ev, c.id, n)[row])}
        texts[code] = rule_reason(rule, fired, _inputs_at(x, int(row)), th)
    return texts


def batch_texts(
    x: RuleInputs, ev: Evaluation, th: Thresholds, table: RuleTable
) -> tuple[pd.Categorical[str], pd.Categorical[str], pd.Categorical[str]]:
    """Return the actions, reasons and flags text of every row (categoricals: few distinct)."""
    n = len(x.yes_count)
    per_rule = [_rule_codes(rule, x, ev, th, n) for rule in table.rules]
    texts = [_rule_texts(r, c, x, ev, th) for r, c in zip(table.rules, per_rule, strict=True)]
    combo, radix = np.zeros(n, dtype=np.int64), 1
    for codes, rule_texts in zip(per_rule, texts, strict=True):
        combo, radix = _pack(combo, radix, codes, len(rule_texts))
    combo, k = _dense(combo)
    reps = _representatives(combo, k)
    rows: list[list[int]] = np.stack([c[reps] for c in per_rule], axis=1).tolist()
    acts, reasons, flags = [], [], []
    for row in rows:
        pairs = [(r, t[c]) for r, t, c in zip(table.rules, texts, row, strict=True) if c]
        shown = [(r, text) for r, text in pairs if r.kind == "action"]
        acts.append(actions_text(r.action for r, _ in shown))
        reasons.append(reasons_text((r.id, str(text)) for r, text in shown))
        flags.append(reasons_text((r.id, str(text)) for r, text in pairs if r.kind == "flag"))
    cats = (_categorical(combo, texts_) for texts_ in (acts, reasons, flags))
    return next(cats), next(cats), next(cats)


def due_text(x: RuleInputs, ev: Evaluation, table: RuleTable) -> npt.NDArray[np.object_]:
    """Return, per row, ``action by <due time>`` for each fired action with a deadline."""
    n = len(x.yes_count)
    never = np.iinfo(np.int64).max
    earliest: dict[str, npt.NDArray[np.int64]] = {}
    fired = ev.rule_fired(table)
    for rule in table.rules:
        if rule.due_hours is None:
            continue
        start = np.asarray(x.incident_ns if rule.due_from == "incident" else x.assessed_ns)
        hit = np.broadcast_to(np.asarray(fired[rule.id], dtype=bool), (n,))
        due = np.where(hit, start + rule.due_hours * NS_PER_HOUR, never)
        earliest[rule.action] = np.minimum(earliest.get(rule.action, due), due)
    out = np.full(n, "", dtype=object)
    for action, due in earliest.items():
        has = due < never
        if has.any():
            stamps = np.asarray([f"{action} by {s}" for s in iso_seconds(due[has])], dtype=object)
            out[has] = np.where(out[has] == "", stamps, out[has] + ";" + stamps)
    return out


def _categorical(codes: IntArray, texts: list[str]) -> pd.Categorical[str]:
    """Return ``texts[codes]`` as a categorical whose categories are the distinct texts."""
    remap, categories = pd.factorize(np.asarray(texts, dtype=object))
    distinct: pd.Index[str] = pd.Index([str(c) for c in categories])
    return pd.Categorical.from_codes(np.asarray(remap)[codes], categories=distinct)


def basis_text(ev: Evaluation, n: int) -> pd.Categorical[str]:
    """Return, per row, what set the grade (``officer_grade`` and/or rule ids) joined by ``;``."""
    sources = list(ev.basis)
    code = np.zeros(n, dtype=np.int64)
    for bit, source in enumerate(sources):
        code |= (
            np.broadcast_to(np.asarray(ev.basis[source], dtype=bool), (n,)).astype(np.int64) << bit
        )
    dense, k = _dense(code)
    reps = code[_representatives(dense, k)]
    texts = [";".join(s for b, s in enumerate(sources) if int(r) >> b & 1) for r in reps]
    return _categorical(dense, texts)
