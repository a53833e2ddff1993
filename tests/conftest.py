"""Shared fixtures: small hand-made tables that meet every contract."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import make_assessment, make_incident


@pytest.fixture
def minimal_tables() -> dict[str, pd.DataFrame]:
    """Return a tiny valid cohort: two victims, one serial perpetrator, events and an oracle."""
    people = pd.DataFrame(
        {
            "person_id": ["V1", "V2", "X1"],
            "sex": ["female", "female", "male"],
            "birth_year": [1985, 1990, 1980],
            "ethnicity": ["white", "black", "white"],
            "disability": [False, True, False],
        }
    )
    incidents = pd.DataFrame(
        [
            make_incident("I1", "2020-01-10 20:00"),
            make_incident(
                "I2", "2020-06-01 21:00", injury=True, offence_category="violence_with_injury"
            ),
            make_incident(
                "I3",
                "2021-03-01 22:00",
                victim="V2",
                crime_recorded=False,
                offence_category="non_crime",
            ),
        ]
    )
    assessments = pd.DataFrame(
        [
            make_assessment("A1", "I1", "2020-01-10 22:00", yes=3),
            make_assessment("A2", "I2", "2020-06-01 23:00", yes=15, officer_grade="high"),
            make_assessment("A3", "I3", "2021-03-01 23:30", yes=1),
        ]
    )
    events = pd.DataFrame(
        {
            "event_id": ["E1", "E2"],
            "person_id": ["X1", "V1"],
            "event_date": pd.to_datetime(["2018-05-01 00:00", "2020-06-01 23:00"]),
            "kind": ["licence_or_community_order", "marac_referral"],
            "end_date": pd.to_datetime(["2020-05-01", None]),
            "counterpart_id": [None, "X1"],
        }
    )
    oracle = pd.DataFrame(
        {
            "assessment_id": ["A1", "A2", "A3"],
            "p_serious_harm_365d": [0.02, 0.3, 0.01],
            "p_repeat_365d": [0.4, 0.5, 0.1],
        }
    )
    return {
        "people": people,
        "incidents": incidents,
        "dash_assessments": assessments,
        "history_events": events,
        "oracle": oracle,
    }
