"""Synthetic cohort generator: seeded, vectorised, with a known oracle (the default data set).

Use :func:`generate_cohort`; see :mod:`features.synthetic.process` for the incident process
and :mod:`features.synthetic.oracle` for the exact true probabilities.
"""

from features.synthetic.cohort import Cohort, generate_cohort
from features.synthetic.params import GENERATOR_VERSION, GeneratorParams

__all__ = ["GENERATOR_VERSION", "Cohort", "GeneratorParams", "generate_cohort"]
