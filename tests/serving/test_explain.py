"""Per-case SHAP from LightGBM's pred_contrib equals shap.TreeExplainer and adds up to the score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shap

from features.engine import build_features
from serving.explain import top_contributions
from serving.model_loader import load_model
from serving.settings import ServingSettings
from tests.serving.model_factory import RegisteredModel


@pytest.fixture(scope="module")
def loaded(registered: RegisteredModel):  # type: ignore[no-untyped-def]
    return load_model(
        ServingSettings(tracking_uri=registered.tracking_uri, model_name=registered.name)
    )


def test_pred_contrib_equals_shap_tree_explainer(loaded, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    x = build_features(tables).to_numpy(np.float64)[:, loaded.columns][:200]
    ours = np.vstack([loaded.scorer.score(row[None, :]).contributions for row in x])
    explanation = shap.TreeExplainer(loaded.scorer.booster)(x)  # path-dependent TreeSHAP
    np.testing.assert_allclose(ours, np.asarray(explanation.values), atol=1e-6)
    base = loaded.scorer.score(x).base_value
    np.testing.assert_allclose(base, np.asarray(explanation.base_values), atol=1e-6)


def test_contributions_and_base_reproduce_the_raw_score(
    loaded, tables: dict[str, pd.DataFrame]
) -> None:  # type: ignore[no-untyped-def]
    x = build_features(tables).to_numpy(np.float64)[:, loaded.columns][:200]
    s = loaded.scorer.score(x)
    np.testing.assert_allclose(s.contributions.sum(axis=1) + s.base_value, s.raw, atol=1e-9)
    for i in range(20):
        listed, rest, n_rest = top_contributions(
            s.contributions[i], x[i], loaded.feature_names, loaded.descriptions, 5
        )
        total = s.base_value[i] + rest + sum(c.log_odds for c in listed)
        assert total == pytest.approx(s.raw[i], abs=1e-9)
        assert n_rest == len(loaded.feature_names) - 5
        sizes = [abs(c.log_odds) for c in listed]
        assert sizes == sorted(sizes, reverse=True)
        assert max(np.abs(s.contributions[i]), default=0) == pytest.approx(sizes[0])


def test_missing_values_are_null_and_directions_follow_signs() -> None:
    contributions = np.array([0.5, -0.2, 0.0, 0.1])
    values = np.array([1.0, np.nan, 3.0, 2.0])
    listed, rest, n = top_contributions(
        contributions, values, ("a", "b", "c", "d"), ("A", "B", "C", "D"), 2
    )
    assert [c.feature for c in listed] == ["a", "b"]
    assert listed[1].value is None and listed[1].direction == "lowers"
    assert listed[0].direction == "raises"
    assert rest == pytest.approx(0.1) and n == 2


def test_single_pass_scoring_equals_the_calibrated_scorer(
    loaded, tables: dict[str, pd.DataFrame]
) -> None:  # type: ignore[no-untyped-def]
    from serving.scoring_service import explain_row

    x = build_features(tables).to_numpy(np.float64)[:, loaded.columns][:300]
    s = loaded.scorer.score(x, explain=True)
    for i in range(len(x)):
        raw, probability, band, contrib, base = explain_row(loaded, np.ascontiguousarray(x[i]))
        assert raw == pytest.approx(s.raw[i], abs=1e-9)
        assert probability == pytest.approx(s.probability[i], abs=1e-12)
        assert band == s.band[i]
        np.testing.assert_array_equal(contrib, s.contributions[i])
        assert base == s.base_value[i]


def test_the_single_row_fast_path_equals_shap_and_booster_predict(
    loaded, tables: dict[str, pd.DataFrame]
) -> None:  # type: ignore[no-untyped-def]
    x = build_features(tables).to_numpy(np.float64)[:, loaded.columns][:200]
    x[::3, ::4] = np.nan  # missing values take LightGBM's default branches
    fast = np.vstack([loaded.explainer.contributions(np.ascontiguousarray(row)) for row in x])
    booster = loaded.scorer.booster.predict(x, pred_contrib=True, num_threads=1)
    np.testing.assert_array_equal(fast, booster)
    explanation = shap.TreeExplainer(loaded.scorer.booster)(x)
    np.testing.assert_allclose(fast[:, :-1], np.asarray(explanation.values), atol=1e-6)
    np.testing.assert_allclose(fast[:, -1], np.asarray(explanation.base_values), atol=1e-6)


def test_the_fast_path_is_safe_across_threads(loaded, tables: dict[str, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    x = build_features(tables).to_numpy(np.float64)[:, loaded.columns][:100]
    expected = loaded.scorer.booster.predict(x, pred_contrib=True, num_threads=1)
    rows = [np.ascontiguousarray(x[i % len(x)]) for i in range(2000)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(loaded.explainer.contributions, rows))
    for i, row in enumerate(got):
        np.testing.assert_array_equal(row, expected[i % len(x)])


def test_the_fast_path_refuses_a_row_of_the_wrong_length(loaded) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="feature values"):
        loaded.explainer.contributions(np.zeros(loaded.explainer.n_features + 1))
