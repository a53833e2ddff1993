"""Bias ON: the audit flags the group's lower share flagged high and its FNR gap. Bias OFF: nothing.

Uses the local simulator (tests/bias_audit/conftest.py): fear items (q2, q3, q17) are never recorded
as 'yes' for asian victims when the bias is on. At 60k victims the group has about 1,000
outcome events; the true FNR gap of the statutory grade is about +0.10 (0.56 vs 0.46, measured
on 400k victims), which gives an expected z of about 5.4 against a BH threshold near z = 3:
power above 99%. At 40k victims the FNR gap was missed on one seed out of two.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from bias_audit import AuditConfig, AuditResult, ScorerSpec, run_audit

VICTIMS = 60_000
SCORERS = [
    ScorerSpec("statutory grade", "statutory_grade"),
    ScorerSpec("officer grade", "officer_grade"),
]
CONFIG = AuditConfig(n_boot=300, person_column="victim_id", seed=0)


def _audit(frame: pd.DataFrame) -> AuditResult:
    return run_audit(frame, "harm", SCORERS, ["ethnicity", "sex", "area"], CONFIG)


@pytest.fixture(scope="module")
def biased(simulate_table: Callable[..., pd.DataFrame]) -> AuditResult:
    return _audit(simulate_table(VICTIMS, seed=21, bias=1.0))


@pytest.fixture(scope="module")
def unbiased(simulate_table: Callable[..., pd.DataFrame]) -> AuditResult:
    return _audit(simulate_table(VICTIMS, seed=22, bias=0.0))


def _flags(result: AuditResult) -> set[tuple[str, str, str, str]]:
    return {(d.scorer, d.grouping, d.group, d.metric) for d in result.flagged}


def test_bias_on_flags_the_statutory_grade_for_the_group(biased: AuditResult) -> None:
    flags = _flags(biased)
    assert ("statutory grade", "ethnicity", "asian", "selection_rate") in flags
    assert ("statutory grade", "ethnicity", "asian", "fnr") in flags
    gap = next(
        d
        for d in biased.flagged
        if d.grouping == "ethnicity" and d.metric == "fnr" and d.scorer == "statutory grade"
    )
    assert gap.difference > 0 and gap.difference_ci[0] > 0 and gap.adjusted_ci[0] > 0
    assert gap.reference == "white"


def test_bias_on_flags_are_mostly_about_the_biased_group(biased: AuditResult) -> None:
    about_group = [d for d in biased.flagged if "asian" in d.group]
    assert len(about_group) >= 0.8 * len(biased.flagged)


def test_bias_off_flags_nothing(unbiased: AuditResult) -> None:
    assert unbiased.family["family_size"] > 500
    assert _flags(unbiased) == set()
