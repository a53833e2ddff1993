import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.distribution import bin_counts, bin_edges, g_test_p, psi, rate_p, shares

samples = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=300)


@given(samples)
@settings(max_examples=60)
def test_a_sample_against_its_own_reference_has_zero_psi(values: list[float]) -> None:
    edges = bin_edges(values)
    counts = bin_counts(values, edges)
    assert counts.sum() == len(values)
    assert abs(psi(shares(counts), counts)) < 1e-12


@given(samples, samples)
@settings(max_examples=60)
def test_psi_is_never_negative(a: list[float], b: list[float]) -> None:
    edges = bin_edges(a)
    assert psi(shares(bin_counts(a, edges)), bin_counts(b, edges)) >= -1e-12


def test_missing_values_have_a_bin_of_their_own() -> None:
    edges = bin_edges([0.0, 1.0, 1.0])
    assert bin_counts([0.0, np.nan, 1.0, np.nan], edges).tolist() == [0.0, 1.0, 1.0, 2.0]


def test_few_distinct_values_are_binned_by_value_and_many_by_decile() -> None:
    assert bin_edges([3, 1, 2, 2, 1]) == [1.0, 2.0, 3.0]
    assert len(bin_edges(np.arange(1000.0))) == 10


def test_a_shift_is_large_and_significant_and_noise_is_not() -> None:
    rng = np.random.default_rng(1)
    ref = rng.normal(size=20_000)
    expected = shares(bin_counts(ref, bin_edges(ref)))
    same = bin_counts(rng.normal(size=500), bin_edges(ref))
    moved = bin_counts(rng.normal(1.0, size=500), bin_edges(ref))
    assert psi(expected, same) < 0.1 and g_test_p(expected, same) > 1e-3
    assert psi(expected, moved) > 0.5 and g_test_p(expected, moved) < 1e-10


def test_rate_p_separates_a_real_change_from_chance() -> None:
    assert rate_p(0.3, 31, 100) > 0.5
    assert rate_p(0.3, 5, 100) < 1e-4
