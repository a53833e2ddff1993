"""The kernels against a plain-Python reference written straight from the feature definitions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from factories import make_assessment, make_incident
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from features.case import Case, case_from_tables
from features.contracts import validate_tables
from features.dash import QUESTION_IDS
from features.engine import build_features
from features.vocab import HISTORY_KINDS, PERIOD_KINDS

DAY = pd.Timedelta(days=1)
BASE = pd.Timestamp("2021-01-01")
PEOPLE = [f"P{i}" for i in range(5)]

incident_rows = st.tuples(
    st.integers(0, 4), st.integers(0, 4), st.integers(0, 700), st.integers(1, 5), st.booleans()
)
event_rows = st.tuples(
    st.integers(0, 4),
    st.sampled_from(HISTORY_KINDS),
    st.integers(-300, 700),
    st.none() | st.integers(0, 300),
)
answer_lists = st.lists(st.sampled_from(["yes", "no", "dont_know"]), min_size=27, max_size=27)


def _tables(incs: list[Any], events: list[Any], answers: list[list[str]]) -> dict[str, Any]:
    rows, assessments = [], []
    for i, (v, p, day, sev, assessed) in enumerate(incs):
        when = BASE + day * DAY
        rows.append(
            make_incident(f"I{i}", str(when), PEOPLE[v], PEOPLE[(v + 1 + p % 4) % 5], severity=sev)
        )
        if assessed:
            ans = dict(zip(QUESTION_IDS, answers[i % len(answers)], strict=True))
            assessments.append(
                make_assessment(f"A{i}", f"I{i}", str(when + pd.Timedelta(hours=3)), **ans)
            )
    ev = pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(len(events))],
            "person_id": [PEOPLE[e[0]] for e in events],
            "event_date": [BASE + e[2] * DAY for e in events],
            "kind": [e[1] for e in events],
            "end_date": [
                BASE + (e[2] + e[3]) * DAY if e[3] is not None and e[1] in PERIOD_KINDS else pd.NaT
                for e in events
            ],
            "counterpart_id": None,
        }
    )
    people = pd.DataFrame(
        {
            "person_id": PEOPLE,
            "sex": "female",
            "birth_year": 1980,
            "ethnicity": "white",
            "disability": False,
        }
    )
    return validate_tables(
        {
            "people": people,
            "incidents": pd.DataFrame(rows),
            "dash_assessments": pd.DataFrame(
                assessments, columns=list(make_assessment("x", "y", "2020").keys())
            ),
            "history_events": ev,
        }
    )


def _incident_reference(case: Case) -> dict[str, float]:
    a, v, p = case.incident["occurred_at"], case.victim_id, case.perpetrator_id
    inc = pd.DataFrame(case.incidents)
    inc["occurred_at"] = pd.to_datetime(inc["occurred_at"])
    inc["severity"] = inc["severity"].astype("int64")
    inc = inc[inc["occurred_at"] < a]
    dyad = inc[(inc["victim_id"] == v) & (inc["perpetrator_id"] == p)].sort_values(
        ["occurred_at", "severity"], kind="stable"
    )
    perp = inc[inc["perpetrator_id"] == p]

    def within(frame: pd.DataFrame, d: int) -> int:
        return int((frame["occurred_at"] >= a - d * DAY).sum())

    out: dict[str, float] = {f"dyad_incidents_{d}d": within(dyad, d) for d in (30, 90, 365)}
    out["dyad_incidents_ever"] = len(dyad)
    out["perp_incidents_365d"] = within(perp, 365)
    out["perp_other_victims_ever"] = len(set(perp["victim_id"]) - {v})
    out["victim_incidents_365d"] = within(inc[inc["victim_id"] == v], 365)
    times = list(dyad["occurred_at"])
    out["days_since_last_dyad_incident"] = (a - times[-1]) / DAY if times else math.nan
    c182, c365 = within(dyad, 182), within(dyad, 365)
    out["dyad_rate_ratio_6m"] = (c182 + 1) / (c365 - c182 + 1)
    last5 = list(dyad["severity"])[-5:]
    out["dyad_severity_slope_last5"] = (
        float(np.polyfit(np.arange(len(last5)), last5, 1)[0]) if len(last5) >= 2 else math.nan
    )
    recent = dyad[dyad["occurred_at"] >= a - 180 * DAY]["severity"]
    older = dyad[dyad["occurred_at"] < a - 180 * DAY]["severity"]
    both = len(recent) and len(older)
    out["dyad_severity_recent_vs_earlier"] = recent.mean() - older.mean() if both else math.nan
    out["severity_vs_prior_dyad_max"] = (
        case.incident["severity"] - dyad["severity"].max() if len(dyad) else math.nan
    )
    spread = (times[-1] - times[0]) / (len(times) - 1) if len(times) >= 2 else None
    out["dyad_gap_ratio"] = (a - times[-1]) / spread if spread else math.nan
    return out


def _event_reference(case: Case) -> dict[str, float]:
    t, v, p = case.assessed_at, case.victim_id, case.perpetrator_id
    ev = pd.DataFrame(case.history_events)
    for column in ("event_date", "end_date"):
        ev[column] = pd.to_datetime(ev[column])

    def of(person: str, kind: str) -> pd.DataFrame:
        return ev[(ev["person_id"] == person) & (ev["kind"] == kind) & (ev["event_date"] < t)]

    def active(person: str, kind: str) -> int:
        rows = of(person, kind)
        return int((rows["end_date"].isna() | (rows["end_date"] >= t)).sum())

    sep = of(v, "separation")
    convictions = pd.concat(
        [of(p, k) for k in ("da_conviction", "violent_conviction", "other_conviction")]
    )
    return {
        "victim_separation_recorded_ever": int(len(sep) > 0),
        "victim_separation_recorded_365d": int((sep["event_date"] >= t - 365 * DAY).any()),
        "days_since_victim_separation": (t - sep["event_date"].max()) / DAY
        if len(sep)
        else math.nan,
        "perp_da_convictions": len(of(p, "da_conviction")),
        "perp_convictions_730d": int((convictions["event_date"] >= t - 730 * DAY).sum()),
        "perp_breaches": len(of(p, "breach_of_bail_or_order")),
        "dvpn_dvpo_active": int(active(v, "dvpn_dvpo") + active(p, "dvpn_dvpo") > 0),
        "protective_order_active": int(
            active(v, "protective_order") + active(p, "protective_order") > 0
        ),
        "perp_on_licence_or_order": int(active(p, "licence_or_community_order") > 0),
        "victim_prior_marac_referrals": len(of(v, "marac_referral")),
        "dvds_disclosures": len(of(v, "dvds_disclosure")) + len(of(p, "dvds_disclosure")),
        **_trigger_reference(of, t, v, p),
    }


def _trigger_reference(of: Any, t: pd.Timestamp, v: str, p: str) -> dict[str, float]:
    def recent(person: str, kind: str) -> int:
        return int((of(person, kind)["event_date"] >= t - 365 * DAY).sum())

    released = of(p, "release_from_custody")
    contact = recent(v, "child_contact_proceedings") + recent(p, "child_contact_proceedings")
    return {
        "victim_new_relationship_365d": int(recent(v, "new_relationship") > 0),
        "child_contact_proceedings_365d": int(contact > 0),
        "perp_released_365d": int(recent(p, "release_from_custody") > 0),
        "days_since_perp_release": (t - released["event_date"].max()) / DAY
        if len(released)
        else math.nan,
    }


def _close(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking these cohorts takes minutes
)
@given(
    st.lists(incident_rows, min_size=1, max_size=25),
    st.lists(event_rows, max_size=15),
    st.lists(answer_lists, min_size=1, max_size=3),
)
def test_features_match_the_plain_python_reference(incs, events, answers) -> None:
    tables = _tables(incs, events, answers)
    frame = build_features(tables)
    for aid in frame.index:
        case = case_from_tables(tables, aid)
        want = _incident_reference(case) | _event_reference(case)
        got = frame.loc[aid]
        bad = {
            k: (float(got[k]), w) for k, w in want.items() if not _close(float(got[k]), float(w))
        }
        assert not bad, (aid, bad)
