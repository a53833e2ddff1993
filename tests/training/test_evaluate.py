import numpy as np
import pandas as pd
import pytest

from training.data import fingerprint
from training.evaluate import Scored, evaluate


def test_evaluate_scores_every_model_and_headroom():
    rng = np.random.default_rng(0)
    n = 3000
    risk = rng.uniform(0.01, 0.5, n)
    y = rng.uniform(size=n) < risk
    dash = np.clip(risk + rng.normal(0, 0.25, n), 0.001, 0.999)
    model = np.clip(risk + rng.normal(0, 0.05, n), 0.001, 0.999)
    grade = np.digitize(dash, [0.2, 0.35]).astype(float)
    result = evaluate(
        y,
        [
            Scored("model", model, True),
            Scored("dash_count", dash, True),
            Scored("statutory_grade", grade, False, grade == 2),
        ],
        high_share=float((grade == 2).mean()),
        oracle=risk,
        draws=100,
    )
    m = result.models
    assert m["model"]["roc_auc"] > m["dash_count"]["roc_auc"]
    assert m["model"]["auc_diff_ci_low"] > 0
    assert 0 < m["model"]["headroom_captured"] <= 1.05
    assert "ece" not in m["statutory_grade"]
    assert m["statutory_grade"]["high_flag_rate"] == pytest.approx((grade == 2).mean())
    assert m["model"]["high_flag_rate"] == pytest.approx((grade == 2).mean(), abs=0.01)
    assert "model_roc_auc" in result.flat()


def test_fingerprint_changes_with_data():
    a = {"t": pd.DataFrame({"x": [1, 2, 3]})}
    b = {"t": pd.DataFrame({"x": [1, 2, 4]})}
    assert fingerprint(a) == fingerprint({"t": a["t"].copy()})
    assert fingerprint(a) != fingerprint(b)
