"""Generator parameters: every number documented with its source (domain.md) or as an assumption.

Times are in days unless the name says otherwise; rates are per day unless the name says per
year. "domain.md" refers to ``shared/docs/domain.md`` (the project's domain reference).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

GENERATOR_VERSION = "1.1.0"

# ONS Census 2021 (England & Wales) high-level ethnic groups, renormalised after reserving a
# 'not_stated' share for police records (assumption). Order follows features.vocab.ETHNICITIES.
_ETHNICITY_SHARES: tuple[float, ...] = (0.776, 0.028, 0.088, 0.038, 0.020, 0.050)


@dataclass(frozen=True)
class GeneratorParams:
    """Parameters of the synthetic cohort; the defaults are the strong-signal preset.

    The embedded default is the published preset (:mod:`features.synthetic.presets`), which
    changes a few of these fields, fitted to the published record.
    """

    # --- observation window -------------------------------------------------------------
    observed_from: str = "2019-01-01"  # assumption (the example period)
    observed_until: str = "2025-12-31"  # assumption (the example period)

    # --- population -----------------------------------------------------------------------
    serial_share: float = 0.06  # assumption: share of perpetrators with 2+ victims
    serial_max_victims: int = 4  # assumption: a serial perpetrator has 2..this many victims
    n_areas: int = 12  # assumption (issue: "a dozen areas")
    n_officers: int = 300  # assumption (issue: "a few hundred officers")
    victim_female: float = 0.78  # assumption informed by ONS CSEW: most DA victims are women
    perpetrator_male: float = 0.85  # assumption informed by ONS: most DA suspects are men
    sex_other: float = 0.005  # assumption: share recorded 'other'
    sex_not_stated: float = 0.01  # assumption: share with sex not recorded
    ethnicity_shares: tuple[float, ...] = _ETHNICITY_SHARES  # ONS Census 2021 + assumption
    disability_victim: float = 0.20  # assumption (Census 2021: 17.7% disabled, higher in DA)
    disability_perpetrator: float = 0.12  # assumption
    children_share: float = 0.55  # assumption, so ~half of call-outs have children (domain.md)
    children_present_prob: float = 0.88  # assumption: children present if in the household
    pregnancy_share: float = 0.2  # assumption: dyads with a pregnancy during the period
    substance_share: float = 0.35  # assumption: perpetrators with alcohol/drug problems

    # --- base process (per dyad) ----------------------------------------------------------
    base_log_rate_per_year: float = -2.4  # assumption, tuned: ~1/3 repeat in 12m (domain.md)
    danger_on_rate: float = 0.55  # assumption: log-rate loading of perpetrator dangerousness
    dyad_rate_sd: float = 0.45  # assumption: dyad-level log-rate heterogeneity
    separation_prob: float = 0.55  # assumption: dyads that separate (seeds 000/001: common)
    separation_boost: float = 2.5  # assumption: hazard multiplier after separation (Armitage 2024)
    separation_boost_days: float = 182.0  # assumption: the raised-risk period (~6 months)
    post_separation_factor: float = 0.6  # assumption: hazard after the raised period
    post_separation_contact_days: float = 540.0  # assumption: mean contact after separation
    # assumption: mean days until abuse stops in a relationship that never separates (inf:
    # never, the strong-signal cohort, whose caseload then keeps accumulating)
    desistance_days: float = float("inf")
    escalation_share: float = 0.22  # assumption: dyads whose abuse escalates
    escalation_danger_loading: float = 0.8  # assumption: dangerous perpetrators escalate more
    escalation_rate_step: float = 1.9  # assumption: hazard multiplier per escalation step
    escalation_step_days: float = 240.0  # assumption: days between the two escalation steps

    # --- marks: which base incidents are serious ------------------------------------------
    serious_logit: float = -3.4  # assumption, tuned: 2-5% serious within 12m (domain.md)
    danger_on_serious: float = 0.8  # assumption: logit loading of dangerousness
    escalation_on_serious: float = 0.7  # assumption: logit shift per escalation step
    separation_on_serious: float = 0.5  # assumption: logit shift in the raised period

    # --- marks: which non-serious base incidents are violent (serious ones always are) --
    violent_logit: float = -1.04  # assumption: ~26% of other base incidents are violent
    danger_on_violent: float = 0.0  # assumption: logit loading of dangerousness
    escalation_on_violent: float = 0.0  # assumption: logit shift per escalation step

    # --- Hawkes offspring (clustered, never serious) --------------------------------------
    offspring_mean: float = 0.25  # assumption: branching ratio alpha (< 1)
    offspring_delay_days: float = 21.0  # assumption: mean delay 1/beta of a repeat call-out
    # offspring are repeat call-outs of lower severity: never serious, never violent

    # --- DASH answers and grading ---------------------------------------------------------
    answer_scale: float = 0.6  # assumption: multiplies the answers' loadings on the truth
    victim_disclosure_sd: float = 0.6  # assumption: victims differ in what they disclose
    # assumption: logit SD of officers' 'yes' answers (the officer effect, Armitage 2024)
    officer_effect_sd: float = 0.35
    officer_leniency_sd: float = 0.5  # assumption: SD of officers' grading leniency
    dont_know_rate: float = 0.04  # assumption: share of answers 'don't know'
    not_answered_rate: float = 0.02  # assumption: share of questions not asked or refused
    grade_noise_sd: float = 0.8  # assumption: officer judgement noise
    grade_high_cut: float = 3.8  # assumption, tuned: ~10% graded high (domain.md)
    grade_medium_cut: float = 2.5  # assumption, tuned: about a fifth graded medium
    marac_noise: float = 0.02  # assumption: MARAC referrals outside the criteria
    dvds_base_logit: float = -4.2  # assumption: DVDS concern is occasional (domain.md R-DVDS)
    completion_median_hours: float = 2.0  # assumption: DASH completed the same day

    # --- measurement bias (off by default) -------------------------------------------------
    bias_group: tuple[str, str] | None = None  # assumption: e.g. ("ethnicity", "asian")
    bias_fear_drop: float = 0.6  # assumption: P(true fear 'yes' recorded 'no') in the group
    # assumption: the officer's judgement leans on the fear they perceive, beyond the recorded
    # answers; grade-score shift for the group when the bias is on (0 = answers only)
    bias_grade_shift: float = -0.5

    # --- history events --------------------------------------------------------------------
    prior_conviction_log_rate: float = -0.7  # assumption: log mean prior convictions per kind
    danger_on_convictions: float = 0.6  # assumption: loading of dangerousness on convictions
    separation_recorded: float = 0.6  # assumption: share of separations police record

    def __post_init__(self) -> None:
        """Check ranges that would make the simulation meaningless."""
        if not 0.0 <= self.offspring_mean < 1.0:
            raise ValueError("offspring_mean must be in [0, 1) for a stable Hawkes process")
        if len(self.ethnicity_shares) != 6 or abs(sum(self.ethnicity_shares) - 1.0) > 1e-6:
            raise ValueError("ethnicity_shares must be 6 shares summing to 1")
        if self.officer_effect_sd < 0 or self.officer_leniency_sd < 0:
            raise ValueError("officer SDs must be non-negative")

    @classmethod
    def with_bias(cls, spec: str, **overrides: Any) -> GeneratorParams:
        """Return the strong-signal defaults with a measurement bias, e.g. ``'ethnicity=asian'``."""
        return cls(bias_group=parse_bias(spec), **overrides)

    def replace(self, **changes: Any) -> GeneratorParams:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as a JSON-serialisable dict."""
        out = dataclasses.asdict(self)
        out["ethnicity_shares"] = list(self.ethnicity_shares)
        out["bias_group"] = None if self.bias_group is None else list(self.bias_group)
        return out


def parse_bias(spec: str) -> tuple[str, str]:
    """Return ``(column, value)`` from a bias spec such as ``'ethnicity=asian'``."""
    column, sep, value = spec.partition("=")
    if not sep or not column.strip() or not value.strip():
        raise ValueError(f"bias must look like 'column=value', got {spec!r}")
    return column.strip(), value.strip()


def stream(seed: int, stage: int) -> np.random.Generator:
    """Return an independent PCG64 generator for one stage of the simulation."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stage])))
