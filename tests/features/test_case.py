from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features.case import case_from_tables, check_case, validate_case
from features.contracts import ContractError, validate_tables


def test_case_keeps_only_rows_before_the_assessment(
    minimal_tables: dict[str, pd.DataFrame],
) -> None:
    tables = validate_tables(minimal_tables)
    case = case_from_tables(tables, "A2")
    assert case.victim_id == "V1" and case.perpetrator_id == "X1"
    assert case.incidents["incident_id"].tolist() == ["I1"]  # current incident I2 excluded
    # The MARAC referral dated exactly at completion is not strictly before it.
    assert case.history_events["event_id"].tolist() == ["E1"]
    assert case.prior_assessments["assessment_id"].tolist() == ["A1"]
    assert check_case(case) == []


def test_case_includes_the_perpetrators_other_victims(
    minimal_tables: dict[str, pd.DataFrame],
) -> None:
    case = case_from_tables(validate_tables(minimal_tables), "A3")
    assert sorted(case.incidents["incident_id"].tolist()) == ["I1", "I2"]


def test_future_dated_history_is_named(minimal_tables: dict[str, pd.DataFrame]) -> None:
    case = case_from_tables(validate_tables(minimal_tables), "A2")
    case.history_events["event_date"] = np.array([np.datetime64("2030-01-01")])
    with pytest.raises(ContractError) as info:
        validate_case(case)
    (failure,) = info.value.failures
    assert (failure.table, failure.row, failure.column) == ("history_events", "0", "event_date")
