"""Per-case SHAP from LightGBM's pred_contrib equals shap.TreeExplainer and adds up to the score."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import shap
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from features.engine import build_features
from features.engine.registry import describe
from features.model_format.scoring import CalibrationMap
from serving.explain import PUSH, CaseRow, calibrated, group_contributions, top_contributions
from serving.model_loader import load_model
from serving.settings import ServingSettings
from tests.serving.helpers import bearer
from tests.serving.model_factory import RegisteredModel
from tests.serving.requests_util import case_request


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


def _case(loaded, x_row: np.ndarray) -> CaseRow:  # type: ignore[no-untyped-def]
    return CaseRow(x_row, loaded.feature_names, loaded.descriptions, {})


def test_contributions_and_base_reproduce_the_raw_score(
    loaded, tables: dict[str, pd.DataFrame]
) -> None:  # type: ignore[no-untyped-def]
    x = build_features(tables).to_numpy(np.float64)[:, loaded.columns][:200]
    s = loaded.scorer.score(x)
    np.testing.assert_allclose(s.contributions.sum(axis=1) + s.base_value, s.raw, atol=1e-9)
    to_p = calibrated(loaded.scorer.spec)
    for i in range(20):
        case = _case(loaded, x[i])
        listed, rest, n_rest, rest_p = top_contributions(
            s.contributions[i], s.base_value[i], case, to_p, 5
        )
        total = s.base_value[i] + rest + sum(c.log_odds for c in listed)
        assert total == pytest.approx(s.raw[i], abs=1e-9)
        assert n_rest == len(loaded.feature_names) - 5
        sizes = [abs(c.log_odds) for c in listed]
        assert sizes == sorted(sizes, reverse=True)
        assert max(np.abs(s.contributions[i]), default=0) == pytest.approx(sizes[0])
        base_p = to_p(np.array([s.base_value[i]]))[0]
        shown = base_p + sum(c.probability_effect for c in listed) + rest_p
        assert shown == pytest.approx(s.probability[i], abs=1e-12)


def test_groups_sum_exactly_to_the_score_and_hold_their_features(
    loaded, tables: dict[str, pd.DataFrame]
) -> None:  # type: ignore[no-untyped-def]
    x = build_features(tables).to_numpy(np.float64)[:, loaded.columns][:200]
    s = loaded.scorer.score(x)
    to_p = calibrated(loaded.scorer.spec)
    for i in range(50):
        groups = group_contributions(s.contributions[i], s.base_value[i], _case(loaded, x[i]), to_p)
        total = sum(g.log_odds for g in groups)
        assert total == pytest.approx(s.raw[i] - s.base_value[i], abs=1e-9)
        ids = [g.group for g in groups]
        assert len(set(ids)) == len(ids) and "other" not in ids
        sizes = [abs(g.log_odds) for g in groups]
        assert sizes == sorted(sizes, reverse=True)
        base_p = to_p(np.array([s.base_value[i]]))[0]
        pushed = base_p + sum(g.probability_effect for g in groups)
        assert pushed == pytest.approx(s.probability[i], abs=1e-12)
        for g in groups:
            inner = sum(c.log_odds for c in g.features) + g.remaining_log_odds
            assert inner == pytest.approx(g.log_odds, abs=1e-9)
            assert all(c.group == g.group for c in g.features)


@settings(max_examples=200, deadline=None)
@given(
    contrib=arrays(np.float64, 6, elements=st.floats(-3, 3)),
    base=st.floats(-4, 2),
    k=st.integers(1, 6),
)
def test_probability_effects_add_up_in_their_order(
    contrib: np.ndarray, base: float, k: int
) -> None:
    names = ("dyad_incidents_ever", "severity", "dash_q13", "dash_q2", "perp_breaches", "weapon")
    values = np.array([2.0, 3.0, np.nan, 1.0, 0.0, 1.0])
    case = CaseRow(values, names, tuple(describe(n) for n in names), {"q13": "dont_know"})
    cal = CalibrationMap(method="isotonic", x=(0.0, 0.3, 1.0), y=(0.0, 0.2, 1.0))

    def to_p(raw: np.ndarray) -> np.ndarray:
        return cal.apply(1 / (1 + np.exp(-raw)))

    listed, _rest, n_rest, rest_p = top_contributions(contrib, base, case, to_p, k)
    final, start = to_p(np.array([base + contrib.sum(), base]))
    assert start + sum(c.probability_effect for c in listed) + rest_p == pytest.approx(final)
    assert len(listed) == k and n_rest == 6 - k
    for c in listed:  # the push on probability never contradicts the push on the score
        assert c.probability_effect * c.log_odds >= 0
        assert c.direction == ("raises" if c.log_odds > 0 else "lowers" if c.log_odds else "none")
        assert c.sentence.endswith(PUSH[c.direction])
    q13 = next((c for c in listed if c.feature == "dash_q13"), None)
    if q13 is not None:
        assert q13.value is None and "did not know" in q13.sentence


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


VARIABLE_NAME = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def test_no_reason_in_1000_generated_cases_names_a_variable_or_a_code(
    client: TestClient, keys: dict[str, str]
) -> None:
    from features.synthetic import generate_cohort

    tables = dict(generate_cohort(n_victims=800, seed=11).tables)
    ids = tables["dash_assessments"]["assessment_id"].tolist()[:1000]
    assert len(ids) == 1000
    bodies = [case_request(tables, a) for a in ids]
    res = client.post(
        "/v1/score/batch", json={"cases": bodies}, headers=bearer(keys["case_system"])
    )
    assert res.status_code == 200 and res.json()["n_ok"] == 1000, res.text[:500]
    texts, groups = set(), set()
    for item in res.json()["results"]:
        model = item["result"]["model"]
        for c in model["contributions"] + [f for g in model["groups"] for f in g["features"]]:
            texts.update((c["description"], c["sentence"]))
        texts.update(g["label"] for g in model["groups"])
        groups.update(g["group"] for g in model["groups"])
    assert len(texts) > 300 and len(groups) >= 8  # many different sentences were checked
    for text in texts:
        assert not VARIABLE_NAME.search(text), text
        assert "= " not in text and "1 if" not in text and "1 yes" not in text, text
        assert "nan" not in text.split() and "None" not in text, text
