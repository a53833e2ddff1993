from __future__ import annotations

import pandas as pd
from factories import make_assessment, make_incident

from features.labels import derive_labels, is_serious_harm


def _tables(incidents: list[dict], assessments: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(incidents), pd.DataFrame(assessments)


def test_repeat_counts_only_same_dyad_within_365_days_after() -> None:
    incidents, assessments = _tables(
        [
            make_incident("I1", "2020-01-01 10:00"),
            make_incident("I2", "2020-12-31 10:00"),  # 365 days after I1's assessment: inside
            make_incident("I3", "2020-02-01", victim="V2"),  # other victim: ignored
            make_incident("I4", "2022-06-01"),
        ],
        [
            make_assessment("A1", "I1", "2020-01-01 10:00"),
            make_assessment("A4", "I4", "2022-06-01"),
        ],
    )
    labels = derive_labels(incidents, assessments, observed_until=pd.Timestamp("2024-01-01"))
    assert labels["repeat_incident_365d"].tolist() == [True, False]
    assert labels["outcome_window_complete"].tolist() == [True, True]


def test_window_edge_one_second_past_365_days_is_outside() -> None:
    incidents, assessments = _tables(
        [make_incident("I1", "2020-01-01 10:00"), make_incident("I2", "2020-12-31 10:00:01")],
        [make_assessment("A1", "I1", "2020-01-01 10:00")],
    )
    labels = derive_labels(incidents, assessments, observed_until=pd.Timestamp("2024-01-01"))
    assert not labels["repeat_incident_365d"].iloc[0]


def test_serious_harm_needs_a_serious_later_incident() -> None:
    incidents, assessments = _tables(
        [
            make_incident("I1", "2020-01-01", injury=True, offence_category="violence_with_injury"),
            make_incident("I2", "2020-03-01"),
            make_incident("I3", "2020-05-01", strangulation=True),
        ],
        [
            make_assessment("A1", "I1", "2020-01-01 01:00"),
            make_assessment("A2", "I2", "2020-03-01 01:00"),
            make_assessment("A3", "I3", "2020-05-01 01:00"),
        ],
    )
    labels = derive_labels(incidents, assessments, observed_until=pd.Timestamp("2022-01-01"))
    # The current incident's own injury never counts: labels look strictly forward.
    assert labels["serious_harm_365d"].tolist() == [True, True, False]
    assert labels["repeat_incident_365d"].tolist() == [True, True, False]


def test_incomplete_window_is_flagged() -> None:
    incidents, assessments = _tables(
        [make_incident("I1", "2020-01-01")], [make_assessment("A1", "I1", "2020-01-01 01:00")]
    )
    labels = derive_labels(incidents, assessments, observed_until=pd.Timestamp("2020-06-01"))
    assert not labels["outcome_window_complete"].iloc[0]


def test_serious_harm_definition() -> None:
    frame = pd.DataFrame(
        [
            make_incident("I1", "2020-01-01"),
            make_incident("I2", "2020-01-01", weapon=True),
            make_incident("I3", "2020-01-01", severity=5),
            make_incident("I4", "2020-01-01", offence_category="sexual"),
        ]
    )
    assert is_serious_harm(frame).tolist() == [False, True, True, True]
