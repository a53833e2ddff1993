import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from features.model_format.scoring import Bands, CalibratedScorer, ScoringSpec
from training.calibration import band_thresholds, calibrate, extract_map, fit_calibrator
from training.capacity import Capacity, fit_lgbm, lgbm_params, portable_booster
from training.settings import TrainingSettings


@pytest.fixture(scope="module")
def fitted():
    x, y = make_classification(
        n_samples=9000, n_features=8, n_informative=5, weights=[0.9], random_state=0
    )
    x[::7, 2] = np.nan
    cols = [f"f{i}" for i in range(x.shape[1])]
    frame = pd.DataFrame(x, columns=cols)
    settings = TrainingSettings(max_trees=80, num_threads=1)
    params = lgbm_params(Capacity(8, 3), settings)
    model = fit_lgbm(frame[:4000], y[:4000], frame[4000:5000], y[4000:5000], params, 10)
    return model, frame, y


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_extracted_map_equals_sklearn(fitted, method):
    model, frame, y = fitted
    cal = fit_calibrator(model, frame[5000:7500], y[5000:7500], method)
    assert len(cal.calibrated_classifiers_) == 1  # one calibrator, not a CV ensemble
    cmap = extract_map(cal)
    spec = ScoringSpec("t", tuple(frame.columns), cmap, Bands(0.1, 0.5))
    scorer = CalibratedScorer(portable_booster(model), spec)
    test = frame[7500:]
    ours = scorer.score(test.to_numpy(), explain=False).probability
    np.testing.assert_allclose(ours, cal.predict_proba(test)[:, 1], rtol=0, atol=1e-9)


def test_calibrate_chooses_by_log_loss(fitted):
    model, frame, y = fitted
    result = calibrate(model, frame[5000:7500], y[5000:7500])
    assert set(result.cv_log_loss) == {"isotonic", "sigmoid"}
    best = min(result.cv_log_loss, key=result.cv_log_loss.__getitem__)
    assert result.calibration_map.method == best == result.calibrator.method


def test_band_thresholds_flag_statutory_shares():
    p = np.linspace(0, 1, 1000)
    grade = pd.Series(["standard"] * 700 + ["medium"] * 200 + ["high"] * 100)
    bands = band_thresholds(p, grade)
    assert (p >= bands.high).sum() == 100
    assert (p >= bands.medium).sum() == 300
