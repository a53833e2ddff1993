"""Train on a Dask cluster: ``lightgbm.dask`` on the partitions, calibrated on held-out rows.

The booster is grown by :class:`lightgbm.dask.DaskLGBMClassifier` (data-parallel trees, each
worker on the partitions it holds) on the training period, with a fixed capacity and number of
trees because ``lightgbm.dask`` has no early stopping. It is calibrated on the calibration
period's partitions (held out from fitting), given band thresholds there, scored on the test
period on the workers, and logged and registered in MLflow like a local run. The local pipeline
also sweeps capacities and stops early; :func:`local_peer` fits the same parameters in one
process on the same rows, so a difference between the two is the distributed fit's alone.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import dask.dataframe as dd
import lightgbm as lgb
import mlflow
import numpy as np
import pandas as pd
from distributed import Client, wait
from lightgbm.dask import DaskLGBMClassifier

from features.engine.registry import categorical_features, feature_names
from features.model_format.scoring import MODEL_CARD_FILE, CalibratedScorer, ScoringSpec
from training.calibration import band_thresholds, calibrate
from training.capacity import Capacity, lgbm_params
from training.dask_data import LABEL, model_rows, period_rows, periods
from training.metrics import expected_calibration_error, roc_auc
from training.registry import AUC_KEY, ECE_KEY, apply_alias, champion_metrics, decide_alias
from training.settings import TrainingSettings
from training.tracking import client, configure, log_flat_params, log_pyfunc, model_name

CAPACITY: Final[Capacity] = Capacity(num_leaves=16, max_depth=4)
TREES: Final[int] = 300


def dask_params(settings: TrainingSettings) -> dict[str, Any]:
    """Return the local pipeline's LightGBM parameters at the fixed capacity and tree count."""
    params = lgbm_params(CAPACITY, settings) | {"n_estimators": TREES}
    params.pop("n_jobs")  # lightgbm.dask sets the threads of each worker itself
    return params


@dataclass(frozen=True)
class DaskFit:
    """The calibrated scorer, its test metrics, the row counts and the stage timings."""

    scorer: CalibratedScorer
    estimator: lgb.LGBMClassifier
    metrics: dict[str, float]
    dates: dict[str, str]


def _xy(rows: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    return rows[list(feature_names())], rows[LABEL].to_numpy(dtype=bool)


def _categorical() -> list[str]:
    return list(categorical_features())


def _test_scores(test: dd.DataFrame, scorer: CalibratedScorer) -> pd.DataFrame:
    """Score the test rows on the workers; return only the label and probability."""

    def score(part: pd.DataFrame) -> pd.DataFrame:
        x = part[list(scorer.spec.feature_names)].to_numpy(dtype=np.float64)
        p = scorer.score(x, explain=False).probability if len(part) else np.zeros(0)
        return pd.DataFrame({LABEL: part[LABEL].to_numpy(dtype=bool), "p": p})

    meta = pd.DataFrame({LABEL: pd.Series([], dtype=bool), "p": pd.Series([], dtype=float)})
    return pd.DataFrame(test.map_partitions(score, meta=meta).compute())


def calibrated_scorer(
    estimator: lgb.LGBMClassifier, calibration: pd.DataFrame, target: str, seed: int
) -> CalibratedScorer:
    """Calibrate a fitted estimator on the calibration rows and build the portable scorer."""
    x_cal, y_cal = _xy(calibration)
    result = calibrate(estimator, x_cal, y_cal, seed=seed)
    p_cal = result.calibrator.predict_proba(x_cal)[:, 1]
    spec = ScoringSpec(
        target=target,
        feature_names=tuple(feature_names()),
        calibration=result.calibration_map,
        bands=band_thresholds(p_cal, calibration["statutory_grade"]),
        metadata={"num_leaves": CAPACITY.num_leaves, "max_depth": CAPACITY.max_depth},
    )
    return CalibratedScorer(lgb.Booster(model_str=estimator.booster_.model_to_string()), spec)


def fit_on_dask(
    client: Client, units: list[Any], metadata: dict[str, Any], target: str, s: TrainingSettings
) -> tuple[DaskFit, dict[str, dd.DataFrame]]:
    """Fit, calibrate and test on the cluster; return the result and the period rows."""
    start = time.perf_counter()
    rows = client.persist(model_rows(units, metadata, target))
    cut = periods(rows, s)
    sets = period_rows(rows, cut)
    train = client.persist(sets["train"])
    wait(train)
    built = time.perf_counter()
    model = DaskLGBMClassifier(client=client, **dask_params(s))
    with warnings.catch_warnings():
        # lightgbm.dask always passes its own n_jobs (None) on and then warns that it ignores it
        warnings.filterwarnings("ignore", "Parameter n_jobs will be ignored", UserWarning)
        model.fit(train[list(feature_names())], train[LABEL], categorical_feature=_categorical())
    fitted = time.perf_counter()
    estimator = model.to_local()
    scorer = calibrated_scorer(estimator, sets["calibration"].compute(), target, s.seed)
    test = _test_scores(sets["test"], scorer)
    y, p = test[LABEL].to_numpy(dtype=bool), test["p"].to_numpy()
    metrics = {
        AUC_KEY: roc_auc(y, p),
        ECE_KEY: expected_calibration_error(y, p),
        "n_train": float(len(train)),
        "n_test": float(len(test)),
        "seconds_rows": built - start,
        "seconds_fit": fitted - built,
        "seconds_total": time.perf_counter() - start,
    }
    return DaskFit(scorer, estimator, metrics, cut.dates), sets


def local_peer(sets: dict[str, dd.DataFrame], target: str, s: TrainingSettings) -> dict[str, float]:
    """Fit the same parameters in one process on the same rows: test AUC, ECE, fit seconds."""
    x, y = _xy(sets["train"].compute())
    estimator = lgb.LGBMClassifier(**(dask_params(s) | {"n_jobs": s.num_threads}))
    start = time.perf_counter()
    estimator.fit(x, y, categorical_feature=_categorical())
    seconds = time.perf_counter() - start
    scorer = calibrated_scorer(estimator, sets["calibration"].compute(), target, s.seed)
    test = _test_scores(sets["test"], scorer)
    y_test, p = test[LABEL].to_numpy(dtype=bool), test["p"].to_numpy()
    auc, ece = roc_auc(y_test, p), expected_calibration_error(y_test, p)
    return {AUC_KEY: auc, ECE_KEY: ece, "seconds_fit": seconds}


CARD: Final[str] = """# Model card (trained on a Dask cluster)

Target: {target}. LightGBM grown by lightgbm.dask (data-parallel) on {workers} workers over
{parts} cohort partitions; {trees} trees of at most {leaves} leaves (depth {depth}), no early
stopping. Calibrated ({method}) on the calibration period, held out from fitting. Test period
from {test_start}: AUC {auc:.4f}, ECE {ece:.4f}. The statutory grade and its actions come from
the rules and always apply; the model can only suggest a review.
"""


def _log_model(fit: DaskFit, target: str, info: dict[str, Any], name: str) -> str:
    """Write the scorer and its card, log them as the pyfunc and register it; return the version."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        fit.scorer.save(directory)
        card = CARD.format(
            target=target,
            trees=TREES,
            leaves=CAPACITY.num_leaves,
            depth=CAPACITY.max_depth,
            method=fit.scorer.spec.calibration.method,
            test_start=fit.dates["test_start"],
            auc=fit.metrics[AUC_KEY],
            ece=fit.metrics[ECE_KEY],
            **info,
        )
        (directory / MODEL_CARD_FILE).write_text(card)
        example = pd.DataFrame(np.zeros((2, len(feature_names()))), columns=feature_names())
        scores = fit.scorer.score(example.to_numpy(), explain=False)
        output = pd.DataFrame(
            {"probability": scores.probability, "band": scores.band, "raw_score": scores.raw}
        )
        return log_pyfunc(directory, example, output, name)


def register(
    fit: DaskFit, target: str, info: dict[str, Any], s: TrainingSettings
) -> dict[str, Any]:
    """Log the run (params, metrics, card, pyfunc) and register it; move the alias as locally."""
    name = model_name(s, target)
    experiment_id = configure(s)
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"{target}-dask") as run:
        log_flat_params({**info, **dask_params(s), "target": target, **fit.dates})
        mlflow.set_tags({"target": target, "trainer": "lightgbm.dask"})
        mlflow.log_metrics(fit.metrics)
        version = _log_model(fit, target, info, name)
        champion = champion_metrics(client(), name, AUC_KEY, ECE_KEY)
        auc, ece = fit.metrics[AUC_KEY], fit.metrics[ECE_KEY]
        decision = decide_alias(auc, ece, champion, s.max_champion_ece, s.ece_margin)
        apply_alias(client(), name, version, decision)
        mlflow.set_tags({"alias_decision": decision.alias, "alias_reason": decision.reason})
    return {"run_id": run.info.run_id, "model_name": name, "model_version": version,
            "alias": decision.alias, "alias_reason": decision.reason}  # fmt: skip
