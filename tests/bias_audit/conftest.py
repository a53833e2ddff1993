"""Audit test fixtures: an audit-table simulator with a known measurement bias (not the generator).

Each victim has a latent risk; 27 DASH answers are 'yes' with a probability rising with it,
plus a per-officer shift. With ``bias`` on, 'yes' to the fear items (q2, q3, q17) is recorded
as 'no' with probability ``bias`` for the chosen ethnicity: the same true risk, a lower count.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

ETHNICITIES = ["white", "asian", "black", "mixed", "other", "not_stated"]
FEAR_ITEMS = [1, 2, 16]


def simulate(victims: int, seed: int, bias: float = 0.0, group: str = "asian") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = victims
    ethnicity = rng.choice(ETHNICITIES, n, p=[0.5, 0.2, 0.1, 0.1, 0.05, 0.05])
    officer = rng.integers(0, 300, n)
    risk = rng.normal(size=n)
    officer_shift = rng.normal(0, 0.3, 300)
    shift = officer_shift[officer]
    p_yes = 1 / (1 + np.exp(-(-1.1 + 1.1 * risk[:, None] + shift[:, None])))
    answers = rng.random((n, 27)) < p_yes
    if bias > 0:
        lost = (ethnicity == group)[:, None] & (rng.random((n, len(FEAR_ITEMS))) < bias)
        answers[:, FEAR_ITEMS] &= ~lost
    yes = answers.sum(axis=1)
    officer_view = yes + rng.normal(0, 2, n)
    officer_grade = np.select(
        [officer_view >= 15, officer_view >= 10], ["high", "medium"], "standard"
    )
    statutory = np.where(yes >= 14, "high", officer_grade)
    outcome = rng.random(n) < 1 / (1 + np.exp(-(-3.0 + 1.3 * risk)))
    frame = pd.DataFrame(
        {
            "victim_id": np.arange(n).astype(str),
            "officer_id": officer.astype(str),
            "harm": outcome,
            "yes_count": yes,
            "statutory_grade": statutory,
            "officer_grade": officer_grade,
            "ethnicity": ethnicity,
            "sex": rng.choice(["female", "male"], n, p=[0.8, 0.2]),
            "area": rng.choice([f"area_{i}" for i in range(8)], n),
            "risk_proxy": risk + rng.normal(0, 0.5, n),
        }
    )
    frame.attrs["officer_yes_sd"] = officer_yes_sd(officer_shift)
    return frame


def officer_yes_sd(shifts: np.ndarray) -> float:
    """Return the SD over officers of their expected yes-count (integrating out the risk).

    This is what a random intercept per officer measures on the yes-count scale; to first
    order it is 0.3 (the logit-scale SD) times the mean of sum_q p_q (1 - p_q).
    """
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / weights.sum()
    p = 1 / (1 + np.exp(-(-1.1 + 1.1 * nodes[None, :] + shifts[:, None])))
    return float(np.std(27 * (p * weights).sum(axis=1)))


@pytest.fixture(scope="session")
def simulate_table() -> Callable[..., pd.DataFrame]:
    """Return the simulator (conftest modules are not importable by name)."""
    return simulate
