"""The one-case rule inputs (plain Python) equal the cohort's (numpy) for every assessment.

Both read the history channels stated once in the rule inputs' channel table; this checks
every input, including ages and counts that no clause of a given configuration reads.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features.case import case_from_tables
from features.rules import RulesConfig
from features.rules.case_inputs import case_inputs
from features.rules.case_tables import case_tables
from features.rules.config import resolve
from features.rules.inputs_table import INPUT_NAMES, table_inputs
from tests.features.test_rules_agreement import CONFIGS, cohorts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.sampled_from(CONFIGS))
def test_case_inputs_equal_the_cohort_row(
    tables: dict[str, pd.DataFrame], config: RulesConfig | None
) -> None:
    th = resolve(config)
    cohort = table_inputs(tables, th)  # type: ignore[arg-type]  # a DataFrame is a column mapping
    ids = tables["dash_assessments"]["assessment_id"].tolist()
    for i, aid in enumerate(ids):
        one = case_inputs(case_tables(case_from_tables(tables, aid)), th)
        for name in INPUT_NAMES:
            want = getattr(cohort, name)[i].item()
            got = getattr(one, name)
            assert type(got) is type(want) and got == want, (aid, name, got, want)
