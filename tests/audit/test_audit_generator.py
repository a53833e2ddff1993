"""On the generator's cohort: bias ON is flagged, bias OFF is not, officer effect recovered.

Skips until ``features.synthetic`` lands. Parameter names follow the CLI's use
(``GeneratorParams.with_bias('ethnicity=asian')``); adapt if the generator differs.
"""

from __future__ import annotations

from typing import Any

import pytest

from audit import AuditConfig, AuditResult, run_audit
from audit.cohort import GROUPS, OUTCOME, cohort_audit_frame, cohort_officer_effect, cohort_scorers

synthetic = pytest.importorskip("features.synthetic", reason="generator not landed yet")

VICTIMS = 30_000
BIAS = "ethnicity=asian"
CONFIG = AuditConfig(n_boot=300, person_column="victim_id", seed=0)


def _cohort(seed: int, bias: str | None) -> Any:
    params = synthetic.GeneratorParams.with_bias(bias) if bias else synthetic.GeneratorParams()
    return synthetic.generate_cohort(VICTIMS, seed, params)


def _audit(cohort: Any) -> AuditResult:
    until = cohort.metadata.get("observed_until")
    frame = cohort_audit_frame(cohort.tables, observed_until=until)
    return run_audit(frame, OUTCOME, cohort_scorers(), GROUPS, CONFIG)


@pytest.fixture(scope="module")
def plain() -> Any:
    return _cohort(31, None)


@pytest.fixture(scope="module")
def biased() -> AuditResult:
    return _audit(_cohort(32, BIAS))


def test_bias_on_is_flagged_for_the_statutory_grade(biased: AuditResult) -> None:
    group = BIAS.split("=")[1]
    flags = {(d.scorer, d.grouping, d.group, d.metric) for d in biased.flagged}
    assert ("statutory grade", "ethnicity", group, "selection_rate") in flags
    assert ("statutory grade", "ethnicity", group, "fnr") in flags


def test_bias_off_flags_nothing_about_ethnicity(plain: Any) -> None:
    result = _audit(plain)
    assert not [d for d in result.flagged if "ethnicity" in d.grouping]


def test_officer_effect_close_to_the_generators(plain: Any) -> None:
    out = cohort_officer_effect(plain.tables)
    sd = next(v for k, v in plain.metadata.items() if "officer" in k and "sd" in k.lower())
    assert out["converged"] and out["icc"] > 0
    assert sd > 0
