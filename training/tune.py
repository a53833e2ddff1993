"""Optional Optuna search of LightGBM regularisation at the chosen capacity (temporal fold)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import mlflow
import numpy as np
import numpy.typing as npt
import pandas as pd

from training.capacity import fit_lgbm
from training.metrics import roc_auc

Sets = dict[str, tuple[pd.DataFrame, npt.NDArray[Any]]]


@dataclass(frozen=True)
class Trial:
    """One tuning trial: the parameters tried and the early-stopping fold's AUC."""

    number: int
    params: dict[str, float]
    auc: float
    n_trees: int


def _suggest(trial: Any) -> dict[str, float]:
    """Return the searched parameters (capacity stays fixed so explanation cost does not grow)."""
    return {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.2, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 10, 400, log=True),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 30.0, log=True),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
        "subsample": trial.suggest_float("subsample", 0.5, 1.0),
    }


def tune(
    sets: Sets, base: dict[str, Any], trials: int, seed: int, rounds: int
) -> tuple[lgb.LGBMClassifier, list[Trial]]:
    """Search ``trials`` parameter sets by AUC on the early-stopping fold; refit the best."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    x_val, y_val = sets["early_stop"]
    history: list[Trial] = []

    def objective(trial: Any) -> float:
        searched = _suggest(trial)
        model = fit_lgbm(*sets["fit"], x_val, y_val, {**base, **searched}, rounds)
        proba = np.asarray(model.predict_proba(x_val), dtype=np.float64)
        auc = roc_auc(y_val, proba[:, 1])
        history.append(Trial(trial.number, searched, auc, int(model.best_iteration_)))
        return auc

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    best = {**base, **study.best_params}
    return fit_lgbm(*sets["fit"], x_val, y_val, best, rounds), history


def log_trials(history: list[Trial]) -> None:
    """Log each trial as a nested MLflow run under the active run."""
    parent = mlflow.active_run()
    experiment_id = parent.info.experiment_id if parent is not None else None
    for t in history:
        name = f"tune-{t.number:03d}"
        with mlflow.start_run(experiment_id=experiment_id, run_name=name, nested=True):
            mlflow.log_params(t.params)
            mlflow.log_metrics({"early_stop_auc": t.auc, "n_trees": float(t.n_trees)})
