"""Properties of the feature pipeline on random valid cohorts: no leakage, batch == single case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.case import case_from_tables
from features.contracts import validate_tables
from features.dash import QUESTION_IDS
from features.engine import build_features, case_features
from features.vocab import GRADES, HISTORY_KINDS, OFFENCE_CATEGORIES, PERIOD_KINDS

BASE = pd.Timestamp("2020-01-01")
ANSWERS = np.array(["yes", "no", "dont_know", "not_answered"], dtype=object)
_FLAGS = (
    "weapon",
    "strangulation",
    "alcohol_or_drugs",
    "children_present",
    "child_involved",
    "child_called_police",
    "victim_pregnant",
    "child_abuse_marker_at_address",
    "children_resident",
    "honour_based_abuse",
    "adult_at_risk",
)


def _times(rng: np.random.Generator, n: int, start_day: int, span_days: int) -> pd.Series:
    # A coarse grid (whole days, 0/6/12/18 h) makes ties between rows common on purpose.
    day = rng.integers(start_day, start_day + span_days, n)
    hour = rng.choice([0, 6, 12, 18], n)
    return pd.Series(BASE + pd.to_timedelta(day, "D") + pd.to_timedelta(hour, "h"))


def _incidents(rng: np.random.Generator, n: int, people: int, start: int, span: int, tag: str):
    perp = rng.integers(0, max(2, people // 3), n)  # a few perpetrators, several victims each
    victim = rng.integers(0, people, n)
    victim = np.where(victim == perp, (victim + 1) % people, victim)
    offence = rng.choice(np.array(OFFENCE_CATEGORIES, dtype=object), n)
    frame = pd.DataFrame(
        {
            "incident_id": [f"{tag}I{i}" for i in range(n)],
            "occurred_at": _times(rng, n, start, span),
            "victim_id": [f"P{v}" for v in victim],
            "perpetrator_id": [f"P{p}" for p in perp],
            "officer_id": "OFF1",
            "area": rng.choice(["north", "south"], n),
            "crime_recorded": offence != "non_crime",
            "offence_category": offence,
            "severity": rng.integers(1, 6, n),
            "injury": (offence == "violence_with_injury") | (rng.random(n) < 0.2),
        }
    )
    for flag in _FLAGS:
        frame[flag] = rng.random(n) < 0.3
    return frame


def _assessments(rng: np.random.Generator, incidents: pd.DataFrame, tag: str) -> pd.DataFrame:
    chosen = incidents[rng.random(len(incidents)) < 0.85]
    n = len(chosen)
    delay = pd.to_timedelta(rng.choice([0, 0, 2, 6, 30], n), "h")
    frame = pd.DataFrame(
        {
            "assessment_id": [f"{tag}A{i}" for i in range(n)],
            "incident_id": chosen["incident_id"].to_numpy(),
            "completed_at": chosen["occurred_at"].to_numpy() + delay.to_numpy(),
            "officer_id": "OFF1",
        }
    )
    p = [0.45, 0.4, 0.1, 0.05]
    for q in QUESTION_IDS:
        frame[q] = rng.choice(ANSWERS, n, p=p)
    frame["officer_grade"] = rng.choice(np.array(GRADES, dtype=object), n)
    frame["referred_to_marac"] = rng.random(n) < 0.1
    frame["dvds_concern"] = rng.random(n) < 0.1
    frame["marac_consent"] = "not_recorded"
    return frame.iloc[rng.permutation(n)].reset_index(drop=True)  # input order is not time order


def _events(rng: np.random.Generator, n: int, people: int, start: int, span: int, tag: str):
    kind = rng.choice(np.array(HISTORY_KINDS, dtype=object), n)
    event_date = _times(rng, n, start, span)
    length = pd.to_timedelta(rng.integers(0, 400, n), "D")
    has_end = np.isin(kind, sorted(PERIOD_KINDS)) & (rng.random(n) < 0.7)
    end = (event_date + length).where(has_end)
    return pd.DataFrame(
        {
            "event_id": [f"{tag}E{i}" for i in range(n)],
            "person_id": [f"P{p}" for p in rng.integers(0, people, n)],
            "event_date": event_date,
            "kind": kind,
            "end_date": end,
            "counterpart_id": None,
        }
    )


def random_tables(
    seed: int,
    people: int = 12,
    incidents: int = 60,
    events: int = 30,
    start: int = 0,
    span: int = 900,
    tag: str = "",
) -> dict[str, pd.DataFrame]:
    """Return a random cohort that meets every contract (ids prefixed by ``tag``)."""
    rng = np.random.default_rng(seed)
    inc = _incidents(rng, incidents, people, start, span, tag)
    tables = {
        "people": pd.DataFrame(
            {
                "person_id": [f"P{i}" for i in range(people)],
                "sex": rng.choice(["female", "male"], people),
                "birth_year": rng.integers(1950, 2000, people),
                "ethnicity": rng.choice(["white", "asian", "black"], people),
                "disability": rng.random(people) < 0.2,
            }
        ),
        "incidents": inc,
        "dash_assessments": _assessments(rng, inc, tag),
        "history_events": _events(rng, events, people, start - 400, span + 400, tag),
    }
    return validate_tables(tables)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a.astype(np.float64), b.astype(np.float64), equal_nan=True))


def _cut(tables: dict[str, pd.DataFrame], t: pd.Timestamp) -> dict[str, pd.DataFrame]:
    dated = {"incidents": "occurred_at", "dash_assessments": "completed_at"}
    dated["history_events"] = "event_date"
    return {
        name: frame[frame[dated[name]] <= t].reset_index(drop=True) if name in dated else frame
        for name, frame in tables.items()
    }


seeds = st.integers(min_value=0, max_value=2**31 - 1)
sizes = st.integers(min_value=2, max_value=15)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(seeds, sizes)
def test_batch_equals_single_case_for_every_assessment(seed: int, people: int) -> None:
    tables = random_tables(seed, people=people)
    frame = build_features(tables)
    for assessment_id in frame.index:
        vector = case_features(case_from_tables(tables, assessment_id))
        assert _same(vector, frame.loc[assessment_id].to_numpy()), assessment_id


@FAST
@given(seeds, sizes, st.integers(min_value=0, max_value=10_000))
def test_removing_rows_after_an_assessment_changes_nothing(
    seed: int, people: int, pick: int
) -> None:
    tables = random_tables(seed, people=people)
    full = build_features(tables)
    assessments = tables["dash_assessments"]
    row = assessments.iloc[pick % len(assessments)]
    cut = build_features(_cut(tables, row["completed_at"]))
    aid = row["assessment_id"]
    assert _same(full.loc[aid].to_numpy(), cut.loc[aid].to_numpy())


@FAST
@given(seeds, seeds, sizes)
def test_appending_later_rows_changes_nothing(seed: int, later: int, people: int) -> None:
    base = random_tables(seed, people=people, span=500)
    future = random_tables(later, people=people, start=510, span=300, tag="F")
    future["history_events"] = future["history_events"][
        future["history_events"]["event_date"] > base["dash_assessments"]["completed_at"].max()
    ]
    combined = {
        name: pd.concat([base[name], future[name]], ignore_index=True)
        for name in ("incidents", "dash_assessments", "history_events")
    }
    combined["people"] = base["people"]
    before = build_features(base)
    after = build_features(validate_tables(combined)).loc[before.index]
    assert _same(before.to_numpy(), after.to_numpy())


def test_rows_follow_input_order_and_none_is_dropped() -> None:
    tables = random_tables(7, people=10, incidents=80)
    frame = build_features(tables)
    assert frame.index.tolist() == tables["dash_assessments"]["assessment_id"].tolist()
    shuffled = dict(tables)
    shuffled["dash_assessments"] = tables["dash_assessments"].iloc[::-1].reset_index(drop=True)
    again = build_features(shuffled)
    assert again.index.tolist() == frame.index.tolist()[::-1]
    assert _same(again.loc[frame.index].to_numpy(), frame.to_numpy())


@pytest.mark.slow
def test_large_random_cohort_parity_on_every_assessment() -> None:
    tables = random_tables(11, people=300, incidents=3000, events=600)
    frame = build_features(tables)
    assert len(frame) > 2000
    online = np.vstack([case_features(case_from_tables(tables, a)) for a in frame.index])
    assert _same(online, frame.to_numpy())


def test_large_batch_mode_gives_the_same_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    from features.engine import timeline

    tables = random_tables(5, people=40, incidents=400, events=100)
    small_mode = build_features(tables)
    monkeypatch.setattr(timeline, "_SMALL", 0)  # force the re-ordered searches used at scale
    assert _same(build_features(tables).to_numpy(), small_mode.to_numpy())
