"""The request's case view: columns built on first use, equal to the eager columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.dash import QUESTION_IDS
from serving.case_builder import EVENT_FIELDS, INCIDENT_FIELDS, LazyColumns, to_case
from serving.cohort_requests import case_request
from serving.schemas import ScoreRequest


def test_columns_are_built_once_on_first_use() -> None:
    built: list[str] = []

    def build(name: str) -> np.ndarray:
        built.append(name)
        return np.array([name])

    columns = LazyColumns(("a", "b"), build)
    assert list(columns) == ["a", "b"] and len(columns) == 2
    assert built == []
    first = columns["a"]
    assert columns["a"] is first
    assert built == ["a"]
    with pytest.raises(KeyError):
        columns["c"]
    assert dict(columns).keys() == {"a", "b"}


def test_lazy_columns_hold_the_request_rows_in_time_order(
    tables: dict[str, pd.DataFrame],
) -> None:
    ids = tables["dash_assessments"]["assessment_id"].tolist()
    body = next(
        b
        for b in (case_request(tables, a) for a in reversed(ids))
        if b["prior_incidents"] and b["prior_assessments"] and b["history_events"]
    )
    req = ScoreRequest.model_validate(body)
    case = to_case(req)
    incidents = sorted(req.prior_incidents, key=lambda r: r.occurred_at)
    assert set(case.incidents) == set(INCIDENT_FIELDS)
    assert set(case.history_events) == set(EVENT_FIELDS)
    assert case.incidents["incident_id"].tolist() == [r.incident_id for r in incidents]
    times = case.incidents["occurred_at"]
    assert times.dtype == np.dtype("datetime64[ns]")
    assert list(times) == [np.datetime64(r.occurred_at, "ns") for r in incidents]
    prior = sorted(req.prior_assessments, key=lambda r: r.completed_at)
    for q in QUESTION_IDS:
        assert case.prior_assessments[q].tolist() == [getattr(r.answers, q) for r in prior]
    assert case.prior_assessments["officer_grade"].tolist() == [r.officer_grade for r in prior]
