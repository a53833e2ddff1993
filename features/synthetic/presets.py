"""Named parameter sets of the generator: ``published`` (the default) and ``strong-signal``.

``published`` reproduces the published record on real UK police data (targets and sources in
the project's cohort notes, ``docs/cohort.md``); its free parameters were fitted to those
targets by ``benchmarks/fit_published_preset.py`` (Nelder-Mead, seed-fixed cohorts), not by
hand. ``strong-signal`` is the earlier default, far more predictable than real data, kept for
tests that need statistical power (e.g. detecting an injected measurement bias).
"""

from __future__ import annotations

from typing import Final

from features.synthetic.params import GeneratorParams

DEFAULT_PRESET: Final[str] = "published"

# Fitted values; each comment names the target the parameter mainly serves.
PUBLISHED_FIT: Final[dict[str, float]] = {
    # base rate of a repeat violent incident within 365 days, 0.11-0.13 (Grogger et al. 2021)
    "violent_logit": 0.11,
    # DASH yes-count AUC 0.58-0.68 (Caulfield 2023) and DASH adding < 0.02 AUC to history
    # (Grogger et al. 2021; Turner, Brown & Medina-Ariza 2022)
    "answer_scale": 0.653,
    # history-only model AUC 0.72-0.79 (Turner, Brown & Medina-Ariza 2022)
    "dyad_rate_sd": 0.723,
    # officer grade's negative prediction rate within 1.5 points of the base rate (Grogger
    # et al. 2021)
    "grade_noise_sd": 0.824,
    # roughly 10% of assessments graded high by the officer (project's domain notes)
    "grade_high_cut": 3.616,
}
# Set, not fitted (assumption): relationships that never separate stop within about 500 days
# on average, so the caseload is stationary after a burn-in of about two years.
PUBLISHED_FIXED: Final[dict[str, float]] = {"desistance_days": 500.0}

PRESETS: Final[dict[str, GeneratorParams]] = {
    "published": GeneratorParams().replace(**PUBLISHED_FIXED, **PUBLISHED_FIT),
    "strong-signal": GeneratorParams(),
}


def preset(name: str) -> GeneratorParams:
    """Return the named parameter set, or raise ValueError naming the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; expected one of {sorted(PRESETS)}") from None
