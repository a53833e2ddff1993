import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from training import metrics as m


def test_ece_matches_hand_computation():
    # bins (width 0.1): 0.05,0.05 -> bin 0; 0.15 -> bin 1; 0.95, 1.0 -> bin 9
    y = np.array([0, 1, 0, 1, 1], dtype=bool)
    p = np.array([0.05, 0.05, 0.15, 0.95, 1.0])
    # bin0: |1/2 - 0.05| * 2/5 ; bin1: |0 - 0.15| * 1/5 ; bin9: |1 - 0.975| * 2/5
    hand = 0.45 * 2 / 5 + 0.15 * 1 / 5 + 0.025 * 2 / 5
    assert m.expected_calibration_error(y, p) == pytest.approx(hand, abs=1e-12)


def test_ece_zero_when_perfect_in_every_bin():
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0], dtype=bool)
    p = np.array([0.25] * 4 + [0.75] * 4)
    assert m.expected_calibration_error(y, p) == pytest.approx(0.0, abs=1e-12)


def test_quantile_ece_uses_equal_count_bins():
    # all p < 0.1, so equal-width ECE sees one bin; two equal-count bins see the miscalibration
    y = np.array([0, 0, 1, 1], dtype=bool)
    p = np.array([0.01, 0.02, 0.03, 0.04])
    hand = (abs(0 - 0.03) + abs(2 - 0.07)) / 4
    assert m.quantile_calibration_error(y, p, n_bins=2) == pytest.approx(hand, abs=1e-12)
    assert m.expected_calibration_error(y, p) == pytest.approx(abs(2 - 0.10) / 4, abs=1e-12)


def test_operating_point_hand_counts():
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
    s = np.array([0.9, 0.2, 0.8, 0.1, 0.7, 0.3, 0.2, 0.1])
    op = m.operating_point(y, s, 0.7)  # flagged: 0.9(T) 0.8(F) 0.7(T)
    assert op["sensitivity"] == pytest.approx(2 / 3)
    assert op["specificity"] == pytest.approx(4 / 5)
    assert op["precision"] == pytest.approx(2 / 3)
    assert op["negative_prediction_rate"] == pytest.approx(1 / 5)  # 1 positive among 5 unflagged
    assert op["flag_rate"] == pytest.approx(3 / 8)


def test_share_threshold_flags_the_share():
    s = np.arange(100, dtype=float)
    t = m.share_threshold(s, 0.1)
    assert (s >= t).sum() == 10


def test_share_threshold_picks_the_nearest_share_when_scores_tie():
    # 10% wanted; flagging the tied 0.5 block gives 30%, the step above it gives 5%
    s = np.array([0.1] * 70 + [0.5] * 25 + [0.9] * 5)
    assert m.share_threshold(s, 0.10) == 0.9
    # 25% wanted: the tied block (30%) is nearer than the step above (5%)
    assert m.share_threshold(s, 0.25) == 0.5
    assert m.share_threshold(s, 0.0) == np.inf
    assert m.share_threshold(s, 1.0) == 0.1


def test_calibration_slope_intercept_of_true_probabilities():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.02, 0.6, 40_000)
    y = rng.uniform(size=p.size) < p
    slope, intercept = m.calibration_slope_intercept(y, p)
    assert slope == pytest.approx(1.0, abs=0.05)
    assert intercept == pytest.approx(0.0, abs=0.05)
    slope2, _ = m.calibration_slope_intercept(y, m.logit(p) * 0 + 1 / (1 + np.exp(-2 * m.logit(p))))
    assert slope2 == pytest.approx(0.5, abs=0.05)  # over-confident scores have slope < 1


def test_fast_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(1)
    y = rng.uniform(size=(3, 300)) < 0.3
    s = rng.integers(0, 5, size=(3, 300)).astype(float)  # heavy ties
    ours = m._fast_auc(y, s)
    expected = [roc_auc_score(y[i], s[i]) for i in range(3)]
    np.testing.assert_allclose(ours, expected, atol=1e-12)


def test_paired_bootstrap_interval_contains_point_and_is_seeded():
    rng = np.random.default_rng(2)
    y = rng.uniform(size=2000) < 0.2
    good = y + rng.normal(0, 0.8, 2000)
    weak = y + rng.normal(0, 2.0, 2000)
    a = m.paired_bootstrap_auc(y, good, weak, draws=300, seed=5)
    b = m.paired_bootstrap_auc(y, good, weak, draws=300, seed=5)
    assert a == b
    assert a["auc_ci_low"] < m.roc_auc(y, good) < a["auc_ci_high"]
    assert 0 < a["auc_diff_ci_low"] < a["auc_diff_ci_high"]


def test_headroom_captured():
    assert m.headroom_captured(0.75, 0.65, 0.80) == pytest.approx(2 / 3)
    assert np.isnan(m.headroom_captured(0.7, 0.8, 0.8))
