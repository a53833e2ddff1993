"""Register a tiny model in a temp MLflow store: by the training pipeline when the generator is
available, else a small LightGBM booster + ScoringSpec logged by hand in the same format."""

from __future__ import annotations

import importlib.util
import tempfile
from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import mlflow
import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

from features.engine import build_features
from features.engine.registry import feature_names
from features.model_format.scoring import (
    BOOSTER_FILE,
    MODEL_CARD_FILE,
    SCORING_FILE,
    Bands,
    CalibratedScorer,
    CalibrationMap,
    OutcomeContext,
    ScoringSpec,
)

MODEL_NAME = "secondlook-serious_harm_365d"
HAND_METRICS = {
    "model_roc_auc": 0.71,
    "model_ece": 0.012,
    "model_brier": 0.031,
    "dash_count_roc_auc": 0.60,
    "dash_count_brier": 0.034,
    "officer_grade_roc_auc": 0.58,
    "n_train": 600.0,
}


@dataclass(frozen=True)
class RegisteredModel:
    tracking_uri: str
    name: str
    version: str
    via: str  # "training" or "hand"


def _label(x: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    logit = (
        -2.0
        + 0.5 * x["dyad_incidents_365d"].to_numpy()
        + 0.15 * x["dash_yes_count"].fillna(0).to_numpy()
        + 0.6 * x["strangulation"].to_numpy()
    )
    return rng.random(len(x)) < 1 / (1 + np.exp(-logit))


def tiny_scorer(
    tables: dict[str, pd.DataFrame],
    seed: int = 0,
    trees: int = 30,
    leaves: int = 8,
    depth: int = 3,
) -> CalibratedScorer:
    """Fit a small booster on the cohort's features with a synthetic label."""
    x = build_features(tables)
    y = _label(x, np.random.default_rng(seed))
    params = {
        "objective": "binary",
        "num_leaves": leaves,
        "max_depth": depth,
        "learning_rate": 0.1,
        "min_data_in_leaf": 10,
        "verbose": -1,
        "num_threads": 1,
        "seed": seed,
        "deterministic": True,
    }
    data = lgb.Dataset(x.to_numpy(np.float64), label=y, feature_name=list(feature_names()))
    booster = lgb.train(params, data, num_boost_round=trees)
    spec = ScoringSpec(
        target="serious_harm_365d",
        feature_names=feature_names(),
        calibration=CalibrationMap(method="sigmoid", a=-4.0, b=2.0),
        bands=Bands(medium=0.3, high=0.6),
        metadata={"synthetic": True, "seed": seed},
        context=OutcomeContext(
            definition="serious harm to the same victim by the same perpetrator",
            base_rate=0.36,
            supported_low=0.2,
            supported_high=0.75,
            support_rule="synthetic test range",
        ),
    )
    return CalibratedScorer(booster, spec)


def register_by_hand(tracking_uri: str, scorer: CalibratedScorer, alias: str = "champion") -> str:
    """Log the scorer as the models-from-code pyfunc, register it and set ``alias``."""
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    code = importlib.util.find_spec("features.model_format.mlflow_pyfunc")
    assert code is not None and code.origin is not None
    with tempfile.TemporaryDirectory() as tmp, mlflow.start_run() as run:
        d = Path(tmp)
        scorer.save(d)
        (d / MODEL_CARD_FILE).write_text("# Model card\n\nA tiny test model (synthetic).\n")
        mlflow.log_metrics(HAND_METRICS)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=code.origin,
            artifacts={
                "booster": str(d / BOOSTER_FILE),
                "scoring": str(d / SCORING_FILE),
                "model_card": str(d / MODEL_CARD_FILE),
            },
            registered_model_name=MODEL_NAME,
            pip_requirements=["mlflow", "lightgbm", "numpy", "pandas"],
        )
        del run
    version = str(info.registered_model_version)
    MlflowClient(tracking_uri, tracking_uri).set_registered_model_alias(MODEL_NAME, alias, version)
    return version


def register_by_training(store: Path) -> str | None:
    """Train with ``training.pipeline.train`` on a small generated cohort, if it can."""
    try:
        from features.synthetic import generate_cohort  # type: ignore[attr-defined]
    except ImportError:
        return None
    from training.pipeline import train
    from training.settings import TrainingSettings

    cohort = generate_cohort(n_victims=2000, seed=0)
    settings = TrainingSettings(
        mlruns_dir=store,
        tracking_uri=f"sqlite:///{store / 'mlflow.db'}",
        capacity_grid=((4, 2), (8, 3)),
        max_trees=150,
        num_threads=1,
        bootstrap_draws=50,
        shap_sample=100,
        timing_rows=100,
        max_champion_ece=1.0,
    )
    target = MODEL_NAME.removeprefix("secondlook-")  # the hand-built model's target, too
    result = train(dict(cohort.tables), dict(cohort.metadata), target, settings=settings)
    return result.model_version
