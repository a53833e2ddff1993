"""One case as a one-assessment cohort, so a case and its cohort row are graded by one path.

Earlier assessments referred to MARAC become ``marac_referral`` events of their incident's
victim and perpetrator (as the cohort path counts them); the current incident is dropped from
the history if a caller repeated it there (it is counted once).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from features.case import Case, check_case
from features.contracts import ContractError, ContractFailure
from features.dash import QUESTION_IDS

_EVENT_COLUMNS = ("event_id", "person_id", "event_date", "kind", "end_date", "counterpart_id")


def _frame(columns: Any) -> pd.DataFrame:
    return pd.DataFrame({k: np.asarray(v, dtype=object) for k, v in columns.items()}, dtype=object)


def _missing_answers(case: Case) -> None:
    row = str(case.assessment.get("assessment_id", "-"))
    missing = [q for q in QUESTION_IDS if case.assessment.get(q) is None]
    if missing:
        raise ContractError(
            [ContractFailure("dash_assessments", row, q, "missing answer", "None") for q in missing]
        )


def _referral_events(case: Case, incidents: pd.DataFrame) -> pd.DataFrame:
    prior = _frame(case.prior_assessments)
    if not len(prior):
        return pd.DataFrame(columns=list(_EVENT_COLUMNS))
    referred = prior[prior["referred_to_marac"].astype(bool)]
    linked = referred.merge(
        incidents[["incident_id", "victim_id", "perpetrator_id"]], on="incident_id"
    )
    return pd.DataFrame(
        {
            "event_id": "prior-assessment",
            "person_id": linked["victim_id"],
            "event_date": pd.to_datetime(linked["completed_at"]),
            "kind": "marac_referral",
            "end_date": pd.NaT,
            "counterpart_id": linked["perpetrator_id"],
        }
    )


def _events(case: Case, incidents: pd.DataFrame) -> pd.DataFrame:
    events = _frame(case.history_events)
    if "counterpart_id" not in events.columns:
        events["counterpart_id"] = None  # not recorded: a repeat MARAC matches on the victim
    for column in ("event_date", "end_date"):
        if column in events.columns:
            events[column] = pd.to_datetime(events[column])
    parts = [events, _referral_events(case, incidents)]
    kept = [p for p in parts if len(p)]
    if not kept:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in _EVENT_COLUMNS})
    return pd.concat(kept, ignore_index=True)


def case_tables(case: Case) -> dict[str, pd.DataFrame]:
    """Return the case as tables with one assessment (point-in-time failures raise)."""
    failures = check_case(case)
    if failures:
        raise ContractError(failures)
    _missing_answers(case)
    current = dict(case.incident)
    earlier = _frame(case.incidents)
    if len(earlier) and "incident_id" in earlier.columns:
        earlier = earlier[earlier["incident_id"] != current.get("incident_id")]
    incidents = pd.concat([pd.DataFrame([current], dtype=object), earlier], ignore_index=True)
    incidents["occurred_at"] = pd.to_datetime(incidents["occurred_at"])
    # The case's assessment is of its current incident, whatever the caller wrote.
    assessment = pd.DataFrame(
        [{**case.assessment, "incident_id": current.get("incident_id")}], dtype=object
    )
    assessment["completed_at"] = pd.to_datetime(assessment["completed_at"])
    return {
        "dash_assessments": assessment,
        "incidents": incidents,
        "history_events": _events(case, incidents),
    }
