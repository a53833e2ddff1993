from __future__ import annotations

import pandas as pd
import pytest

from features.contracts import ContractError, check_tables, validate_table, validate_tables


def _rules(failures: list) -> set[tuple[str, str, str]]:
    return {(f.table, f.row, f.column) for f in failures}


def test_valid_cohort_passes_and_is_coerced(minimal_tables: dict[str, pd.DataFrame]) -> None:
    checked = validate_tables(minimal_tables)
    assert set(checked) == set(minimal_tables)
    assert str(checked["incidents"]["occurred_at"].dtype) == "datetime64[ns]"
    assert len(checked["dash_assessments"]) == 3


def test_every_failure_is_reported_with_table_row_column(
    minimal_tables: dict[str, pd.DataFrame],
) -> None:
    assessments = minimal_tables["dash_assessments"].copy()
    assessments.loc[1, "q5"] = "maybe"
    assessments.loc[2, "officer_grade"] = "very high"
    minimal_tables["dash_assessments"] = assessments
    incidents = minimal_tables["incidents"].copy()
    incidents.loc[0, "severity"] = 9
    minimal_tables["incidents"] = incidents
    _, failures = check_tables(minimal_tables)
    assert _rules(failures) == {
        ("dash_assessments", "1", "q5"),
        ("dash_assessments", "2", "officer_grade"),
        ("incidents", "0", "severity"),
    }
    assert any("isin" in f.rule and f.value == "maybe" for f in failures)


def test_cross_field_rule_names_both_columns(minimal_tables: dict[str, pd.DataFrame]) -> None:
    incidents = minimal_tables["incidents"].copy()
    incidents.loc[2, "perpetrator_id"] = "V2"
    with pytest.raises(ContractError) as info:
        validate_table("incidents", incidents)
    (failure,) = info.value.failures
    assert (failure.row, failure.column) == ("2", "victim_id, perpetrator_id")
    assert "must differ" in failure.rule


def test_non_crime_must_match_crime_recorded(minimal_tables: dict[str, pd.DataFrame]) -> None:
    incidents = minimal_tables["incidents"].copy()
    incidents.loc[0, "offence_category"] = "non_crime"
    with pytest.raises(ContractError, match="non_crime"):
        validate_table("incidents", incidents)


def test_missing_and_extra_columns_are_reported(minimal_tables: dict[str, pd.DataFrame]) -> None:
    assessments = minimal_tables["dash_assessments"].drop(columns=["q27"]).assign(notes="free text")
    with pytest.raises(ContractError) as info:
        validate_table("dash_assessments", assessments)
    values = {f.value for f in info.value.failures}
    assert {"q27", "notes"} <= values


def test_nulls_are_rejected_not_dropped(minimal_tables: dict[str, pd.DataFrame]) -> None:
    people = minimal_tables["people"].copy()
    people["sex"] = people["sex"].astype(object)
    people.loc[1, "sex"] = None
    with pytest.raises(ContractError) as info:
        validate_table("people", people)
    assert [(f.row, f.column) for f in info.value.failures] == [("1", "sex")]


def test_duplicate_ids_are_rejected(minimal_tables: dict[str, pd.DataFrame]) -> None:
    incidents = minimal_tables["incidents"].copy()
    incidents.loc[1, "incident_id"] = "I1"
    with pytest.raises(ContractError, match="field_uniqueness"):
        validate_table("incidents", incidents)


def test_history_end_date_rules(minimal_tables: dict[str, pd.DataFrame]) -> None:
    events = minimal_tables["history_events"].copy()
    events.loc[0, "end_date"] = pd.Timestamp("2017-01-01")
    events.loc[1, "end_date"] = pd.Timestamp("2021-01-01")
    with pytest.raises(ContractError) as info:
        validate_table("history_events", events)
    assert {(f.row, f.column) for f in info.value.failures} == {
        ("0", "event_date, end_date"),
        ("1", "kind, end_date"),
    }


def test_references_across_tables(minimal_tables: dict[str, pd.DataFrame]) -> None:
    minimal_tables["people"] = minimal_tables["people"].iloc[:2]  # drop perpetrator X1
    assessments = minimal_tables["dash_assessments"].copy()
    assessments.loc[2, "incident_id"] = "I999"
    minimal_tables["dash_assessments"] = assessments
    _, failures = check_tables(minimal_tables)
    found = {(f.table, f.column, f.value) for f in failures}
    assert ("dash_assessments", "incident_id", "I999") in found
    assert ("incidents", "perpetrator_id", "X1") in found
    assert ("history_events", "person_id", "X1") in found


def test_assessment_before_its_incident_is_rejected(
    minimal_tables: dict[str, pd.DataFrame],
) -> None:
    assessments = minimal_tables["dash_assessments"].copy()
    assessments.loc[0, "completed_at"] = pd.Timestamp("2020-01-09")
    minimal_tables["dash_assessments"] = assessments
    _, failures = check_tables(minimal_tables)
    assert [(f.table, f.row, f.column) for f in failures] == [
        ("dash_assessments", "0", "completed_at")
    ]


def test_unknown_table_is_reported(minimal_tables: dict[str, pd.DataFrame]) -> None:
    minimal_tables["notes"] = pd.DataFrame({"x": [1]})
    _, failures = check_tables(minimal_tables)
    assert [(f.table, f.rule) for f in failures] == [("notes", "unknown table")]
