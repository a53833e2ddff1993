"""Rule inputs for every assessment of a set of tables (a cohort, or one case cut as tables).

Tables are DataFrames (a cohort) or plain column mappings (one case, without pandas' cost);
every column is read through :func:`col` as a numpy array. The same :class:`RuleInputs` holds
numpy arrays, or Python scalars for one row (the reasons are formatted from a row); the
predicates read either without knowing which. History inputs come from
:mod:`features.rules.history_inputs` on the features' timeline kernel for a cohort; one
case's inputs are Python scalars (:mod:`features.rules.case_inputs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from features.contracts import ContractError, ContractFailure
from features.dash import ANSWERS, QUESTION_IDS
from features.engine.timeline import IntArray
from features.rules.config import Thresholds
from features.rules.history_inputs import history_inputs
from features.rules.windows import to_ns
from features.vocab import GRADES, MARAC_CONSENT, OFFENCE_CATEGORIES

_FEW: Final[int] = 64
INCIDENT_FLAGS: Final[tuple[str, ...]] = (
    "crime_recorded",
    "children_present",
    "children_resident",
    "victim_pregnant",
    "child_involved",
    "child_called_police",
    "child_abuse_marker_at_address",
    "injury",
    "strangulation",
    "weapon",
    "honour_based_abuse",
    "adult_at_risk",
)


@dataclass(frozen=True, slots=True)
class RuleInputs:
    """Facts the predicates read: equal-length arrays for a cohort, or one row's scalars."""

    yes_count: Any
    dont_know_count: Any
    not_answered_count: Any
    officer_rank: Any
    dvds_concern: Any
    consent_code: Any  # index into features.vocab.MARAC_CONSENT
    offence_code: Any
    severity: Any
    crime_recorded: Any
    children_present: Any
    children_resident: Any
    victim_pregnant: Any
    child_involved: Any
    child_called_police: Any
    child_abuse_marker_at_address: Any
    injury: Any
    strangulation: Any
    weapon: Any
    honour_based_abuse: Any
    adult_at_risk: Any
    incident_ns: Any  # when the incident occurred (deadlines run from it)
    assessed_ns: Any  # when the assessment was completed (the as-of point)
    dyad_incidents: Any  # dyad DA incidents in the escalation window, current included
    victim_incidents: Any  # DA incidents against the victim in the third-incident window
    marac_age_ns: Any  # since the last MARAC referral of this victim and perpetrator, or -1
    marac_age_days: Any
    marac_victim_age_ns: Any  # since the last referral of the victim not naming a perpetrator
    marac_victim_age_days: Any
    marac_any_age_ns: Any  # since the victim's last referral of any kind (rules v1)
    marac_any_age_days: Any
    relevant_convictions: Any  # perpetrator's DA or violent convictions counted for DVDS
    order_active: Any  # perpetrator on licence or a community order at t
    csc_referral_age_ns: Any  # since the victim's last children's social care referral, or -1
    csc_referral_age_days: Any
    release_age_ns: Any  # since the perpetrator's last release from custody, or -1
    release_age_days: Any
    order_changes: Any  # orders of either party started or ended in the trigger window
    contact_proceedings: Any  # child-contact proceedings of either party in the window
    new_relationships: Any  # the victim's new relationships in the window
    separations: Any  # the victim's recorded separations in the window


INPUT_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in fields(RuleInputs))

REQUIRED: dict[str, tuple[str, ...]] = {
    "dash_assessments": (
        "assessment_id", "incident_id", "completed_at", *QUESTION_IDS,
        "officer_grade", "referred_to_marac", "dvds_concern", "marac_consent",
    ),
    "incidents": (
        "incident_id", "occurred_at", "victim_id", "perpetrator_id", "offence_category",
        "severity", *INCIDENT_FLAGS,
    ),
    "history_events": ("person_id", "event_date", "kind", "end_date", "counterpart_id"),
}  # fmt: skip


Table = Mapping[str, Any]  # a DataFrame, or column name -> array-like
Tables = Mapping[str, Table]


def col(table: Table, column: str) -> npt.NDArray[Any]:
    """Return one column of a DataFrame or a column mapping as a numpy array."""
    return np.asarray(table[column])


def check_columns(tables: Tables) -> None:
    """Raise ContractError naming every required column the tables lack."""
    failures = [
        ContractFailure(name, "-", column, "missing column", "")
        for name, columns in REQUIRED.items()
        for column in columns
        if name not in tables or column not in tables[name]
    ]
    if failures:
        raise ContractError(failures)


def codes(
    frame: Table, column: str, vocabulary: Sequence[str], table: str, id_column: str
) -> npt.NDArray[np.int64]:
    """Return each value's position in ``vocabulary``, raising ContractError naming bad rows."""
    values = col(frame, column).astype(object)
    if len(values) <= _FEW:  # a dictionary beats building Arrow arrays for a few rows
        position = {v: i for i, v in enumerate(vocabulary)}
        out = np.array([position.get(v, -1) for v in values.tolist()], dtype=np.int64)
    else:
        vocab = pa.array(list(vocabulary))
        found = pc.index_in(pa.array(values, from_pandas=True), value_set=vocab)
        out = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    bad = np.flatnonzero(out < 0)
    if len(bad):
        ids = col(frame, id_column)
        raise ContractError(
            [
                ContractFailure(
                    table, str(ids[i]), column, f"must be one of {list(vocabulary)}",
                    str(values[i]),
                )
                for i in bad
            ]
        )  # fmt: skip
    return out


def answer_counts(assessments: Table) -> tuple[IntArray, IntArray, IntArray]:
    """Count yes / don't-know / not-answered per assessment (bad answers raise ContractError)."""
    n = len(col(assessments, "assessment_id"))
    if n <= _FEW:  # one case: a single comparison beats 27 columnar look-ups (same result)
        answers = np.stack([col(assessments, q).astype(object) for q in QUESTION_IDS], axis=1)
        if all(a in ANSWERS for a in answers.ravel().tolist()):
            return tuple(  # type: ignore[return-value]
                np.asarray((answers == a).sum(axis=1), dtype=np.int64)
                for a in ("yes", "dont_know", "not_answered")
            )
    yes, dont_know, not_answered = (np.zeros(n, dtype=np.int64) for _ in range(3))
    yes_i, dk_i, na_i = (ANSWERS.index(a) for a in ("yes", "dont_know", "not_answered"))
    for q in QUESTION_IDS:
        c = codes(assessments, q, ANSWERS, "dash_assessments", "assessment_id")
        yes += c == yes_i
        dont_know += c == dk_i
        not_answered += c == na_i
    return yes, dont_know, not_answered


def current_incidents(tables: Tables) -> IntArray:
    """Return, per assessment, the row of its incident (ContractError naming missing ones)."""
    assessments, incidents = tables["dash_assessments"], tables["incidents"]
    wanted, have = col(assessments, "incident_id"), col(incidents, "incident_id")
    if len(wanted) <= _FEW:  # one case: a dictionary beats building an index
        where = {i: n for n, i in enumerate(have.tolist())}
        pos = np.array([where.get(i, -1) for i in wanted.tolist()], dtype=np.int64)
    else:
        pos = pd.Index(have).get_indexer(wanted)
    bad = np.flatnonzero(pos < 0)
    if len(bad):
        ids = col(assessments, "assessment_id")
        raise ContractError(
            [
                ContractFailure(
                    "dash_assessments", str(ids[i]), "incident_id",
                    "references a missing incidents.incident_id", str(wanted[i]),
                )
                for i in bad
            ]
        )  # fmt: skip
    return np.asarray(pos, dtype=np.int64)


def _flag(frame: Table, column: str, rows: IntArray) -> npt.NDArray[np.bool_]:
    return np.asarray(col(frame, column).astype(bool)[rows], dtype=bool)


def row_facts(tables: Tables) -> dict[str, Any]:
    """Return the inputs read from each assessment and its incident (arrays)."""
    check_columns(tables)
    a, inc = tables["dash_assessments"], tables["incidents"]
    yes, dont_know, not_answered = answer_counts(a)
    cur = current_incidents(tables)
    offence = codes(inc, "offence_category", OFFENCE_CATEGORIES, "incidents", "incident_id")
    return {
        "yes_count": yes,
        "dont_know_count": dont_know,
        "not_answered_count": not_answered,
        "officer_rank": codes(a, "officer_grade", GRADES, "dash_assessments", "assessment_id"),
        "dvds_concern": col(a, "dvds_concern").astype(bool),
        "consent_code": codes(
            a, "marac_consent", MARAC_CONSENT, "dash_assessments", "assessment_id"
        ),
        "offence_code": offence[cur],
        "severity": col(inc, "severity").astype(np.int64)[cur],
        **{flag: _flag(inc, flag, cur) for flag in INCIDENT_FLAGS},
        "incident_ns": to_ns(col(inc, "occurred_at"))[cur],
        "assessed_ns": to_ns(col(a, "completed_at")),
        "_cur": cur,
    }


def table_inputs(tables: Tables, th: Thresholds) -> RuleInputs:
    """Compute the rule inputs of every assessment (arrays in assessment order)."""
    facts = row_facts(tables)
    cur = facts.pop("_cur")
    return RuleInputs(**facts, **history_inputs(tables, cur, th))
