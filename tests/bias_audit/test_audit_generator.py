"""On the generator's cohort: bias ON is flagged, bias OFF is not, officer effect recovered.

With the bias off, ethnicity is drawn independently of everything else in the generator, so
every contrast between ethnicities is a true null. Other attributes are not null: officers
are nested in areas (25 per area), so an area's officers' answer and grading leniencies add up
to real area differences in the grades. An ``ethnicity × area`` cell compared with the
largest cell (in another area) therefore carries the area's real difference; that is not an
ethnicity finding. The tests say so: ethnicity contrasts are checked on their own (the
ethnicity grouping) and within each level of the other attribute (same area, same sex, same
age band), where nothing but ethnicity differs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import features.synthetic as synthetic
from bias_audit import AuditConfig, AuditResult, run_audit
from bias_audit.cohort import (
    GROUPS,
    cohort_audit_frame,
    cohort_officer_effect,
    cohort_scorers,
)
from bias_audit.disparity import Disparity, apply_family
from bias_audit.prepare import JOIN
from features.dash import QUESTION_IDS

# Serious harm on the strong-signal cohort: the outcome these detection tests were sized for.
OUTCOME = "serious_harm_365d"
VICTIMS = 30_000
PLAIN_SEED = 31
BIAS = "ethnicity=asian"
CONFIG = AuditConfig(n_boot=300, person_column="victim_id", seed=0)
STRATA_CONFIG = AuditConfig(
    n_boot=300, person_column="victim_id", seed=0, intersections=False,
    reference={"ethnicity": "white"},
)  # fmt: skip
# Officer SD on the yes-count scale: the audit's REML estimate is within this relative
# tolerance of the generator's realised officer effect (see the test's docstring).
OFFICER_SD_TOLERANCE = 0.10


def _cohort(seed: int, bias: str | None) -> Any:
    params = synthetic.GeneratorParams.with_bias(bias) if bias else synthetic.GeneratorParams()
    return synthetic.generate_cohort(VICTIMS, seed, params)


def _frame(cohort: Any) -> pd.DataFrame:
    until = cohort.metadata["observed_until"]
    return cohort_audit_frame(cohort.tables, observed_until=until, outcome=OUTCOME)


def _within_strata(frame: pd.DataFrame, other: str) -> list[Disparity]:
    """Audit ethnicity (against 'white') inside each level of ``other``; one BH family."""
    pooled: list[Disparity] = []
    for _, part in frame.groupby(other, sort=True):
        result = run_audit(part, OUTCOME, cohort_scorers(), ["ethnicity"], STRATA_CONFIG)
        pooled += result.disparities
    apply_family(pooled, STRATA_CONFIG.correction, STRATA_CONFIG.fdr)
    return pooled


def _levels(d: Disparity) -> tuple[dict[str, str], dict[str, str]]:
    columns = d.grouping.split(JOIN)
    group = dict(zip(columns, d.group.split(" | "), strict=True))
    reference = dict(zip(columns, d.reference.split(" | "), strict=True))
    return group, reference


@pytest.fixture(scope="module")
def plain() -> Any:
    return _cohort(PLAIN_SEED, None)


@pytest.fixture(scope="module")
def plain_frame(plain: Any) -> pd.DataFrame:
    return _frame(plain)


@pytest.fixture(scope="module")
def plain_audit(plain_frame: pd.DataFrame) -> AuditResult:
    return run_audit(plain_frame, OUTCOME, cohort_scorers(), GROUPS, CONFIG)


@pytest.fixture(scope="module")
def biased_frame() -> pd.DataFrame:
    return _frame(_cohort(32, BIAS))


def test_bias_on_is_flagged_for_the_statutory_grade(biased_frame: pd.DataFrame) -> None:
    biased = run_audit(biased_frame, OUTCOME, cohort_scorers(), GROUPS, CONFIG)
    group = BIAS.split("=")[1]
    flags = {(d.scorer, d.grouping, d.group, d.metric) for d in biased.flagged}
    assert ("statutory grade", "ethnicity", group, "selection_rate") in flags
    assert ("statutory grade", "ethnicity", group, "fnr") in flags


def test_bias_on_is_seen_within_areas_too(biased_frame: pd.DataFrame) -> None:
    """The within-area comparison used below has the power to see a real ethnicity bias.

    Only 'asian' is biased, so a flag for another group is a false discovery; their share
    among the flags (the realised false-discovery proportion) is within the stated level.
    BH bounds its expectation, not each realisation, so this holds for this seed.
    """
    flagged = [d for d in _within_strata(biased_frame, "area") if d.flagged]
    asian = [d for d in flagged if d.group == "asian" and d.scorer == "statutory grade"]
    assert len({d.metric for d in asian}) >= 2 and len(asian) >= 12  # most areas see it
    false = [d for d in flagged if d.group != "asian"]
    assert len(false) / len(flagged) <= STRATA_CONFIG.fdr


def test_bias_off_flags_nothing_in_the_ethnicity_grouping(plain_audit: AuditResult) -> None:
    """Every ethnicity contrast is a true null here, so any flag is a false discovery.

    The audit adjusts the whole family with Benjamini-Hochberg at ``fdr`` = 0.05; for a set
    of true nulls that bounds the chance of any flag among them at about 5% over seeds. On
    this seed the stated level means: no ethnicity flag at all.
    """
    assert plain_audit.family["method"] == "bh" and plain_audit.family["fdr"] == 0.05
    tested = [d for d in plain_audit.disparities if d.grouping == "ethnicity" and d.tested]
    assert len(tested) >= 20  # the check is not vacuous: the contrasts were tested
    assert not [d for d in tested if d.flagged]


def test_bias_off_intersections_flag_no_contrast_between_ethnicities_alone(
    plain_audit: AuditResult,
) -> None:
    """In ``ethnicity × X`` only contrasts at the reference's level of X isolate ethnicity.

    Those (e.g. 'asian | area_06' against 'white | area_06') are true nulls and must not be
    flagged. Contrasts across levels of X carry X's real effect (areas differ through their
    officers) and are checked within strata in the next test instead.
    """
    pure = []
    for d in plain_audit.disparities:
        if "ethnicity" not in d.grouping.split(JOIN) or d.grouping == "ethnicity":
            continue
        group, reference = _levels(d)
        same_other = all(group[c] == reference[c] for c in group if c != "ethnicity")
        if same_other and d.tested:
            pure.append(d)
    assert len(pure) >= 30
    assert not [d for d in pure if d.flagged]


@pytest.mark.parametrize("other", ["area", "sex", "age_band"])
def test_bias_off_flags_nothing_about_ethnicity_within_strata(
    plain_frame: pd.DataFrame, other: str
) -> None:
    """Ethnicity against 'white' inside each level of ``other``, all in one BH family.

    Every contrast is a true null, so at ``fdr`` = 0.05 nothing may be flagged (on this seed).
    """
    pooled = _within_strata(plain_frame, other)
    assert sum(d.tested for d in pooled) >= 20
    assert not [d for d in pooled if d.flagged]


def _yes_counts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    assessments = tables["dash_assessments"].set_index("assessment_id")
    yes = (assessments[list(QUESTION_IDS)] == "yes").sum(axis=1)
    return pd.DataFrame({"yes": yes, "officer_id": assessments["officer_id"]})


def generator_officer_sd(cohort: Any, seed: int, params: Any) -> float:
    """Return the officer SD on the yes-count scale that the generator put into ``cohort``.

    The same seed with ``officer_effect_sd=0`` uses the random stream the same way, so each
    assessment's yes-count differs only by its officer's shift. The officer effect is the SD
    over officers of their mean difference (ANOVA-corrected for the within-officer spread,
    which comes from answers near certain moving less than answers near even odds).
    """
    counterfactual = synthetic.generate_cohort(VICTIMS, seed, params.replace(officer_effect_sd=0))
    real, flat = _yes_counts(cohort.tables), _yes_counts(counterfactual.tables)
    assert (flat["officer_id"].reindex(real.index) == real["officer_id"]).all()
    diff = (real["yes"] - flat["yes"].reindex(real.index)).astype(np.float64)
    per_officer = diff.groupby(real["officer_id"]).agg(["mean", "var", "size"])
    noise = float((per_officer["var"] / per_officer["size"]).mean())
    return float(np.sqrt(per_officer["mean"].var(ddof=1) - noise))


def test_officer_effect_close_to_the_generators(plain: Any) -> None:
    """The audit's officer SD is within 10% of the generator's, on the yes-count scale.

    The truth is computed on the same officers (``generator_officer_sd``), so the sampling
    of 300 officers cancels. What is left: ~190 assessments per officer with a residual SD
    of ~2.7 answers (officer-mean noise ~0.2, which REML separates), and the case-mix
    interaction (a logit shift moves the count by a case-dependent amount). Those are a
    few percent; 10% would still fail if covariates absorbed the effect or the fit stuck
    at zero (the failure this test was written for).
    """
    truth = generator_officer_sd(plain, PLAIN_SEED, synthetic.GeneratorParams())
    out = cohort_officer_effect(plain.tables)
    assert truth > 0.5  # logit SD 0.35 over 27 answers: about one 'yes' answer
    assert out["converged"]
    assert out["officer_sd"] == pytest.approx(truth, rel=OFFICER_SD_TOLERANCE)
    assert out["icc_ci"][0] > 0
    assert out["moment_icc"] == pytest.approx(out["icc"], abs=0.02)
