"""The cohort audit table: complete windows only, grades from the rules, victim attributes."""

from __future__ import annotations

import pandas as pd
import pytest

from bias_audit.cohort import GROUPS, age_band, cohort_audit_frame, cohort_scorers
from bias_audit.errors import AuditInputError


def test_frame_has_one_row_per_complete_assessment(minimal_tables: dict[str, pd.DataFrame]) -> None:
    frame = cohort_audit_frame(minimal_tables, observed_until="2030-01-01")
    assert len(frame) == len(minimal_tables["dash_assessments"])
    assert set(GROUPS) == {"sex", "ethnicity", "age_band", "area", "disability"}
    assert {"statutory_grade", "officer_grade", *GROUPS} <= set(frame.columns)
    first = frame.set_index("assessment_id").loc["A1"]
    assert first["victim_id"] == "V1" and first["sex"] == "female" and first["age_band"] == "35-44"
    assert not first["disability"]
    assert frame.set_index("assessment_id").loc["A2", "statutory_grade"] == "high"


def test_incomplete_windows_are_dropped(minimal_tables: dict[str, pd.DataFrame]) -> None:
    frame = cohort_audit_frame(minimal_tables, observed_until="2021-02-01")
    assert set(frame["assessment_id"]) == {"A1"}


def test_model_scores_join_by_assessment(minimal_tables: dict[str, pd.DataFrame]) -> None:
    ids = minimal_tables["dash_assessments"]["assessment_id"]
    scores = pd.DataFrame({"assessment_id": ids[::-1], "model": [0.1 * i for i in range(len(ids))]})
    frame = cohort_audit_frame(minimal_tables, scores, observed_until="2030-01-01")
    expected = scores.set_index("assessment_id")["model"].reindex(frame["assessment_id"])
    assert frame["model"].tolist() == expected.tolist()
    with pytest.raises(AuditInputError, match="assessment_id"):
        cohort_audit_frame(minimal_tables, scores.iloc[:1], observed_until="2030-01-01")
    assert [s.column for s in cohort_scorers({"model": 0.2})][-1] == "model"


def test_since_keeps_later_assessments_and_needs_only_their_scores(
    minimal_tables: dict[str, pd.DataFrame],
) -> None:
    assessments = minimal_tables["dash_assessments"]
    cut = pd.to_datetime(assessments["completed_at"]).sort_values().iloc[1]
    later = assessments.loc[pd.to_datetime(assessments["completed_at"]) >= cut, "assessment_id"]
    scores = pd.DataFrame({"assessment_id": later, "model": 0.5})
    frame = cohort_audit_frame(minimal_tables, scores, observed_until="2030-01-01", since=cut)
    assert sorted(frame["assessment_id"]) == sorted(later)
    whole = cohort_audit_frame(minimal_tables, observed_until="2030-01-01")
    graded = whole.set_index("assessment_id")["statutory_grade"].reindex(frame["assessment_id"])
    assert frame["statutory_grade"].tolist() == graded.tolist()


def test_age_bands() -> None:
    ages = pd.Series([-1, 16, 18, 24, 25, 64, 65, 90])
    assert age_band(ages).tolist() == [
        "unknown", "under 18", "18-24", "18-24", "25-34", "55-64", "65+", "65+",
    ]  # fmt: skip
