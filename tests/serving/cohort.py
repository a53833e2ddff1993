"""A small random cohort that meets every data contract (used until and beside the generator)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.contracts import validate_tables
from features.dash import ANSWERS, QUESTION_IDS
from features.vocab import ETHNICITIES, GRADES, HISTORY_KINDS, OFFENCE_CATEGORIES, SEXES

FLAGS = (
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
PERIODS = ("dvpn_dvpo", "protective_order", "licence_or_community_order")
START = pd.Timestamp("2019-01-01")


def _people(n_victims: int, n_perps: int, rng: np.random.Generator) -> pd.DataFrame:
    ids = [f"V{i}" for i in range(n_victims)] + [f"P{i}" for i in range(n_perps)]
    n = len(ids)
    return pd.DataFrame(
        {
            "person_id": ids,
            "sex": rng.choice(SEXES, n),
            "birth_year": rng.integers(1950, 2004, n),
            "ethnicity": rng.choice(ETHNICITIES, n),
            "disability": rng.random(n) < 0.1,
        }
    )


def _incidents(n_victims: int, n_perps: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for v in range(n_victims):
        perp = int(rng.integers(0, n_perps))
        for _ in range(int(rng.integers(1, 6))):
            if rng.random() < 0.15:
                perp = int(rng.integers(0, n_perps))
            rows.append((f"V{v}", f"P{perp}"))
    n = len(rows)
    category = rng.choice(OFFENCE_CATEGORIES, n)
    injury = (category == "violence_with_injury") | (rng.random(n) < 0.1)
    minutes = rng.integers(0, 5 * 365 * 24 * 60, n)
    frame = pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(n)],
            "occurred_at": START + pd.to_timedelta(minutes, unit="min"),
            "victim_id": [r[0] for r in rows],
            "perpetrator_id": [r[1] for r in rows],
            "officer_id": rng.choice([f"OFF{i}" for i in range(20)], n),
            "area": rng.choice(["north", "south", "east", "west"], n),
            "crime_recorded": category != "non_crime",
            "offence_category": category,
            "severity": rng.integers(1, 6, n),
            "injury": injury,
            **{f: rng.random(n) < 0.2 for f in FLAGS},
        }
    )
    return frame


def _assessments(incidents: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(incidents)
    p_yes = rng.beta(2, 4, n)[:, None]
    u = rng.random((n, len(QUESTION_IDS)))
    idx = np.where(u < p_yes, 0, np.where(u < p_yes + 0.05, 2, np.where(u > 0.98, 3, 1)))
    answers = np.array(ANSWERS, dtype=object)
    return pd.DataFrame(
        {
            "assessment_id": [f"A{i}" for i in range(n)],
            "incident_id": incidents["incident_id"],
            "completed_at": incidents["occurred_at"]
            + pd.to_timedelta(rng.integers(10, 600, n), unit="min"),
            "officer_id": incidents["officer_id"],
            **{q: answers[idx[:, j]] for j, q in enumerate(QUESTION_IDS)},
            "officer_grade": rng.choice(GRADES, n, p=[0.6, 0.3, 0.1]),
            "referred_to_marac": rng.random(n) < 0.08,
            "dvds_concern": rng.random(n) < 0.05,
            "marac_consent": rng.choice(["given", "refused", "not_sought"], n),
        }
    )


def _events(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    m = len(people)
    person = rng.choice(people["person_id"].to_numpy(), m)
    kind = rng.choice(HISTORY_KINDS, m)
    start = START - pd.Timedelta(days=730) + pd.to_timedelta(rng.integers(0, 7 * 365, m), "D")
    end = start + pd.to_timedelta(rng.integers(30, 900, m), "D")
    has_end = np.isin(kind, PERIODS) & (rng.random(m) < 0.8)
    return pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(m)],
            "person_id": person,
            "event_date": start,
            "kind": kind,
            "end_date": pd.Series(end).where(has_end),
            "counterpart_id": pd.Series(rng.choice(people["person_id"].to_numpy(), m)).where(
                rng.random(m) < 0.5
            ),
        }
    )


def random_tables(n_victims: int = 300, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Return contract-valid people, incidents, assessments and history events."""
    rng = np.random.default_rng(seed)
    n_perps = max(n_victims * 2 // 3, 2)
    people = _people(n_victims, n_perps, rng)
    incidents = _incidents(n_victims, n_perps, rng)
    tables = {
        "people": people,
        "incidents": incidents,
        "dash_assessments": _assessments(incidents, rng),
        "history_events": _events(people, rng),
    }
    return validate_tables(tables)
