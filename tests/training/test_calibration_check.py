"""The calibration gate's noise model: calibrated outcomes pass, miscalibrated ones do not."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from training.calibration import outcome_context
from training.calibration_check import calibration_noise, null_ece_draws, spiegelhalter_z
from training.metrics import expected_calibration_error


def _probabilities(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.beta(1.2, 8.0, n), 0.001, 0.999)


def test_calibrated_outcomes_sit_inside_the_null_most_of_the_time() -> None:
    p = _probabilities(0, 1500)
    q95 = np.quantile(null_ece_draws(p, 400, seed=1), 0.95)
    rng = np.random.default_rng(2)
    inside = [expected_calibration_error(rng.random(p.size) < p, p) <= q95 for _ in range(200)]
    assert 0.90 <= np.mean(inside) <= 0.99


def test_a_model_that_doubles_the_risk_fails_both_tests() -> None:
    p = _probabilities(3, 3000)
    y = np.random.default_rng(4).random(p.size) < np.minimum(2 * p, 1.0)
    noise = calibration_noise(y, p, draws=300, seed=5)
    assert expected_calibration_error(y, p) > noise["ece_null_q95"]
    assert noise["ece_null_p_value"] < 0.01
    assert noise["spiegelhalter_p_value"] < 0.01
    assert noise["calibration_intercept_ci_low"] > 0.0  # outcomes more common than predicted


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_spiegelhalter_z_is_near_standard_normal_under_calibration(seed: int) -> None:
    p = _probabilities(seed, 4000)
    y = np.random.default_rng(seed + 1).random(p.size) < p
    assert abs(spiegelhalter_z(y, p)) < 4.5


def test_outcome_context_backs_the_range_with_a_hundred_cases_each_side() -> None:
    p = np.linspace(0.01, 0.6, 1000)
    y = np.arange(1000) % 10 == 0
    context = outcome_context("repeat_violent_365d", p, y)
    assert context.base_rate == 0.1
    assert (p <= context.supported_low).sum() == 100
    assert (p >= context.supported_high).sum() == 100
    assert "violent" in context.definition and "365 days" in context.definition
    assert "100" in context.support_rule
