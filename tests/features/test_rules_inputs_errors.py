"""Bad input gets a ContractError naming the field, in both entry points."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from features.case import Case, case_from_tables
from features.contracts import ContractError, validate_tables
from features.rules import grade_case, grade_table


def _case(tables: dict[str, pd.DataFrame], aid: str, **assessment: Any) -> Case:
    case = case_from_tables(tables, aid)
    return replace(case, assessment={**case.assessment, **assessment})


def test_unknown_answer_is_named(minimal_tables: dict[str, pd.DataFrame]) -> None:
    tables = validate_tables(minimal_tables)
    with pytest.raises(ContractError) as info:
        grade_case(_case(tables, "A1", q5="maybe"))
    (failure,) = info.value.failures
    assert (failure.table, failure.row, failure.column, failure.value) == (
        "dash_assessments", "A1", "q5", "maybe",
    )  # fmt: skip


def test_missing_question_is_named(minimal_tables: dict[str, pd.DataFrame]) -> None:
    case = case_from_tables(validate_tables(minimal_tables), "A1")
    answers = {k: v for k, v in case.assessment.items() if k != "q27"}
    with pytest.raises(ContractError) as info:
        grade_case(replace(case, assessment=answers))
    (failure,) = info.value.failures
    assert (failure.column, failure.rule) == ("q27", "missing answer")


def test_unknown_officer_grade_is_named(minimal_tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(ContractError, match="officer_grade"):
        grade_case(_case(validate_tables(minimal_tables), "A1", officer_grade="very high"))


@pytest.mark.parametrize(("table", "column"), [
    ("history_events", "event_date"), ("incidents", "occurred_at"),
    ("prior_assessments", "completed_at"),
])  # fmt: skip
def test_future_dated_history_is_named(
    minimal_tables: dict[str, pd.DataFrame], table: str, column: str
) -> None:
    case = case_from_tables(validate_tables(minimal_tables), "A2")
    getattr(case, table)[column] = np.array(["2030-01-01"], dtype="datetime64[ns]")
    with pytest.raises(ContractError) as info:
        grade_case(case)
    (failure,) = info.value.failures
    assert (failure.table, failure.column) == (table, column)


def test_batch_names_bad_answers_and_missing_columns(
    minimal_tables: dict[str, pd.DataFrame],
) -> None:
    tables = validate_tables(minimal_tables)
    bad = tables["dash_assessments"].astype({"q3": object})
    bad.loc[1, "q3"] = "perhaps"
    with pytest.raises(ContractError) as info:
        grade_table({**tables, "dash_assessments": bad})
    (failure,) = info.value.failures
    assert (failure.table, failure.row, failure.column, failure.value) == (
        "dash_assessments", "A2", "q3", "perhaps",
    )  # fmt: skip
    with pytest.raises(ContractError, match="q9: missing column"):
        grade_table({**tables, "dash_assessments": tables["dash_assessments"].drop(columns="q9")})


def test_batch_names_a_missing_incident(minimal_tables: dict[str, pd.DataFrame]) -> None:
    tables = validate_tables(minimal_tables)
    assessments = tables["dash_assessments"].copy()
    assessments.loc[0, "incident_id"] = "NOPE"
    with pytest.raises(ContractError, match="incident_id"):
        grade_table({**tables, "dash_assessments": assessments})


def test_empty_cohort_gives_empty_frame(minimal_tables: dict[str, pd.DataFrame]) -> None:
    tables = validate_tables(minimal_tables)
    frame = grade_table({**tables, "dash_assessments": tables["dash_assessments"].iloc[:0]})
    assert len(frame) == 0 and {"statutory_grade", "R-VHR", "reasons"} <= set(frame.columns)
