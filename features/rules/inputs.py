"""Rule inputs, and how to compute them for one case with plain Python scalars.

The same :class:`RuleInputs` holds Python scalars (one case) or numpy arrays (a cohort, see
:mod:`features.rules.inputs_table`); the predicates read either without knowing which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

import numpy as np
import pandas as pd

from features.case import Case, check_case
from features.contracts import ContractError, ContractFailure
from features.dash import ANSWERS, QUESTION_IDS
from features.rules.config import SECONDS_PER_DAY, Thresholds
from features.vocab import GRADE_RANK, OFFENCE_CATEGORIES

NAT: Final[int] = np.iinfo(np.int64).min
CONVICTION_KINDS: Final[frozenset[str]] = frozenset({"da_conviction", "violent_conviction"})
ORDER_KIND: Final[str] = "licence_or_community_order"
MARAC_KIND: Final[str] = "marac_referral"
INCIDENT_FLAGS: Final[tuple[str, ...]] = (
    "crime_recorded",
    "children_present",
    "victim_pregnant",
    "child_involved",
    "child_called_police",
    "child_abuse_marker_at_address",
    "injury",
    "strangulation",
    "weapon",
)
_OFFENCE_CODE: Final[dict[str, int]] = {c: i for i, c in enumerate(OFFENCE_CATEGORIES)}


@dataclass(frozen=True, slots=True)
class RuleInputs:
    """Facts the predicates read: scalars for one case, equal-length arrays for a cohort."""

    yes_count: Any
    dont_know_count: Any
    not_answered_count: Any
    officer_rank: Any
    dvds_concern: Any
    offence_code: Any
    severity: Any
    crime_recorded: Any
    children_present: Any
    victim_pregnant: Any
    child_involved: Any
    child_called_police: Any
    child_abuse_marker_at_address: Any
    injury: Any
    strangulation: Any
    weapon: Any
    dyad_incidents: Any  # dyad DA incidents in the escalation window, current included
    victim_incidents: Any  # DA incidents against the victim in the third-incident window
    marac_age_s: Any  # seconds since the victim's last MARAC referral before t, or -1
    marac_age_days: Any  # the same in whole days, or -1
    relevant_convictions: Any  # perpetrator's DA or violent convictions before t
    order_active: Any  # perpetrator on licence or a community order at t


INPUT_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in fields(RuleInputs))


def _failure(row: str, column: str, rule: str, value: object) -> ContractFailure:
    return ContractFailure("dash_assessments", row, column, rule, str(value))


def count_case_answers(assessment: Mapping[str, Any]) -> tuple[int, int, int]:
    """Count yes / don't-know / not-answered, raising ContractError for a bad or missing answer."""
    yes = dont_know = not_answered = 0
    bad: list[ContractFailure] = []
    for q in QUESTION_IDS:
        a = assessment.get(q, None)
        if a == "yes":
            yes += 1
        elif a == "dont_know":
            dont_know += 1
        elif a == "not_answered":
            not_answered += 1
        elif a != "no":
            rule = "missing answer" if a is None else f"answer must be one of {list(ANSWERS)}"
            bad.append(_failure(str(assessment.get("assessment_id", "-")), q, rule, a))
    if bad:
        raise ContractError(bad)
    return yes, dont_know, not_answered


def seconds(value: Any) -> int:
    """Convert one timestamp (Timestamp, datetime64 or ISO string) to integer epoch seconds."""
    stamp = value if isinstance(value, pd.Timestamp) else pd.Timestamp(value)
    return int(stamp.value // 1_000_000_000)  # ``.value`` is nanoseconds whatever the unit


def seconds_list(values: Any) -> list[int]:
    """Convert a column of timestamps to epoch seconds (NaT becomes ``NAT``)."""
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(pd.Series(arr, dtype=object)).to_numpy()
    out: list[int] = arr.astype("datetime64[s]").astype(np.int64).tolist()
    return out


def plain(values: Any) -> list[Any]:
    """Return a case column as a Python list (numpy arrays and request-shaped lists alike)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _grade_rank(assessment: Mapping[str, Any]) -> int:
    grade = assessment.get("officer_grade")
    if grade not in GRADE_RANK:
        row = str(assessment.get("assessment_id", "-"))
        raise ContractError([_failure(row, "officer_grade", "unknown grade", grade)])
    return GRADE_RANK[str(grade)]


def _offence_code(incident: Mapping[str, Any]) -> int:
    category = incident.get("offence_category")
    if category not in _OFFENCE_CODE:
        row = str(incident.get("incident_id", "-"))
        failure = ContractFailure("incident", row, "offence_category", "unknown", str(category))
        raise ContractError([failure])
    return _OFFENCE_CODE[str(category)]


def _guard(case: Case, t: int, *times: list[int]) -> None:
    """Raise the case's point-in-time failures when any history is dated at or after ``t``."""
    latest = max((max(column, default=NAT) for column in times), default=NAT)
    if latest >= t or seconds(case.incident["occurred_at"]) > t:
        failures = check_case(case)
        if failures:
            raise ContractError(failures)


def case_inputs(case: Case, th: Thresholds) -> RuleInputs:
    """Compute the rule inputs of one case with Python scalars (the serving path)."""
    a, inc = case.assessment, case.incident
    yes, dont_know, not_answered = count_case_answers(a)
    t = seconds(a["completed_at"])
    occurred = seconds_list(case.incidents["occurred_at"])
    event_t = seconds_list(case.history_events["event_date"])
    assessed = seconds_list(case.prior_assessments["completed_at"])
    _guard(case, t, occurred, event_t, assessed)
    history = _history_counts(case, th, t, occurred, event_t, assessed)
    return RuleInputs(
        yes_count=yes,
        dont_know_count=dont_know,
        not_answered_count=not_answered,
        officer_rank=_grade_rank(a),
        dvds_concern=bool(a["dvds_concern"]),
        offence_code=_offence_code(inc),
        severity=int(inc["severity"]),
        **{flag: bool(inc[flag]) for flag in INCIDENT_FLAGS},
        **history,
    )


def _history_counts(
    case: Case, th: Thresholds, t: int, occurred: list[int], event_t: list[int], assessed: list[int]
) -> dict[str, Any]:
    v, p, current = case.victim_id, case.perpetrator_id, case.incident.get("incident_id")
    ids, victims = plain(case.incidents["incident_id"]), plain(case.incidents["victim_id"])
    perps = plain(case.incidents["perpetrator_id"])
    esc_lo, third_lo = t - th.esc_window_s, t - th.csc_third_window_s
    dyad = victim = 0
    for iid, iv, ip, s in zip(ids, victims, perps, occurred, strict=True):
        if iv == v and s < t and iid != current:  # the current incident is counted once, below
            dyad += ip == p and s >= esc_lo
            victim += s >= third_lo
    victim_of = dict(zip(ids, victims, strict=True))
    last = _last_marac(case, v, t, event_t, assessed, victim_of)
    convictions, active = _perpetrator_events(case, p, t, event_t)
    age = t - last if last != NAT else -1
    return {
        "dyad_incidents": dyad + 1,
        "victim_incidents": victim + 1,
        "marac_age_s": age,
        "marac_age_days": age // SECONDS_PER_DAY if age >= 0 else -1,
        "relevant_convictions": convictions,
        "order_active": active,
    }


def _last_marac(
    case: Case, v: str, t: int, event_t: list[int], assessed: list[int], victim_of: dict[Any, Any]
) -> int:
    """Return the latest MARAC referral for victim ``v`` strictly before ``t`` (or ``NAT``)."""
    last = NAT
    ev = case.history_events
    for person, kind, s in zip(plain(ev["person_id"]), plain(ev["kind"]), event_t, strict=True):
        if person == v and kind == MARAC_KIND and last < s < t:
            last = s
    pa = case.prior_assessments
    rows = zip(plain(pa["incident_id"]), plain(pa["referred_to_marac"]), assessed, strict=True)
    for incident_id, referred, s in rows:
        if referred and victim_of.get(incident_id) == v and last < s < t:
            last = s
    return last


def _perpetrator_events(case: Case, p: str, t: int, event_t: list[int]) -> tuple[int, bool]:
    """Count the perpetrator's relevant convictions and whether an order is active at ``t``."""
    ev = case.history_events
    ends = seconds_list(ev["end_date"]) if len(event_t) else []
    convictions, active = 0, False
    for person, kind, s, end in zip(
        plain(ev["person_id"]), plain(ev["kind"]), event_t, ends, strict=True
    ):
        if person != p or s >= t:
            continue
        convictions += kind in CONVICTION_KINDS
        active = active or (kind == ORDER_KIND and (end == NAT or end >= t))
    return convictions, active
