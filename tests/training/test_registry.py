import pytest

from training.registry import decide_alias


def test_first_model_is_champion_when_calibrated():
    d = decide_alias(0.70, 0.01, None)
    assert d.alias == "champion"


def test_first_model_with_poor_calibration_is_challenger_with_reason():
    d = decide_alias(0.90, 0.05, None)
    assert d.alias == "challenger"
    assert "ECE" in d.reason


@pytest.mark.parametrize(
    ("new", "champion", "alias"),
    [
        ((0.76, 0.010), (0.75, 0.010), "champion"),  # better AUC, same calibration
        ((0.76, 0.014), (0.75, 0.010), "champion"),  # within the ECE margin
        ((0.75, 0.005), (0.75, 0.010), "challenger"),  # AUC tie does not move it
        ((0.74, 0.005), (0.75, 0.010), "challenger"),  # worse AUC
        ((0.80, 0.019), (0.75, 0.005), "challenger"),  # ECE worse by more than the margin
        ((0.80, 0.025), (0.75, 0.030), "challenger"),  # above the absolute ECE limit
    ],
)
def test_champion_moves_only_when_better(new, champion, alias):
    d = decide_alias(*new, champion, max_ece=0.02, ece_margin=0.005)
    assert d.alias == alias
    assert d.reason


def test_ece_within_sampling_noise_passes_the_calibration_gate():
    d = decide_alias(0.70, 0.0216, None, max_ece=0.02, ece_noise=0.026)
    assert d.alias == "champion"
    assert "sampling noise" in d.reason


def test_ece_beyond_both_the_limit_and_the_noise_is_challenger():
    d = decide_alias(0.70, 0.031, None, max_ece=0.02, ece_noise=0.026)
    assert d.alias == "challenger"
    assert "0.0310" in d.reason and "0.0260" in d.reason
