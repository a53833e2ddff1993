"""LightGBM fitting with early stopping, and the capacity sweep (AUC vs explanation cost).

The sweep fits its capacities concurrently, each single-threaded, on ``num_threads`` worker
threads (LightGBM releases the GIL). On shared cores this avoids OpenMP's spin-waiting: a
2-thread fit slowed about tenfold when one other process kept a core busy, while
single-threaded fits only share the free core. The choice between capacities uses a
deterministic TreeSHAP cost (sum over trees of leaves x depth^2), not the measured time, so
the same data and seed always choose the same model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd

from features.engine.registry import categorical_features, monotone_constraints
from training.metrics import roc_auc
from training.settings import TrainingSettings

SMALL_DATA_ROWS = 20_000


@dataclass(frozen=True)
class Capacity:
    """Tree-shape limits for one point of the capacity sweep."""

    num_leaves: int
    max_depth: int


@dataclass(frozen=True)
class CapacityPoint:
    """One fitted capacity: its trees, AUCs, TreeSHAP cost (deterministic) and time per row."""

    capacity: Capacity
    n_trees: int
    selection_auc: float
    test_auc: float
    contrib_ms_per_row: float
    fit_seconds: float
    shap_cost: float = 0.0


def lgbm_params(capacity: Capacity, settings: TrainingSettings) -> dict[str, Any]:
    """Return deterministic LGBMClassifier parameters for a capacity."""
    return {
        "objective": "binary",
        "n_estimators": settings.max_trees,
        "learning_rate": settings.learning_rate,
        "num_leaves": capacity.num_leaves,
        "max_depth": capacity.max_depth,
        "min_child_samples": 50,
        "reg_lambda": 1.0,
        "subsample": 0.8,
        "subsample_freq": 1,
        "colsample_bytree": 0.8,
        "random_state": settings.seed,
        "n_jobs": settings.num_threads,
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
    }


def fit_lgbm(
    x_fit: pd.DataFrame,
    y_fit: npt.NDArray[Any],
    x_val: pd.DataFrame,
    y_val: npt.NDArray[Any],
    params: dict[str, Any],
    early_stopping_rounds: int = 50,
) -> lgb.LGBMClassifier:
    """Fit an LGBMClassifier, stopping early on the validation fold's log loss."""
    if len(x_fit) < SMALL_DATA_ROWS:  # threads only slow tiny fits down (OpenMP sync cost)
        params = {**params, "n_jobs": 1}
    params = {"monotone_constraints": monotone_constraints(x_fit.columns), **params}
    model = lgb.LGBMClassifier(**params)
    model.fit(
        x_fit,
        y_fit,
        categorical_feature=[c for c in categorical_features() if c in x_fit.columns] or "auto",
        eval_X=(x_val,),
        eval_y=(y_val,),
        eval_metric="binary_logloss",
        callbacks=[lgb.early_stopping(early_stopping_rounds, verbose=False)],
    )
    return model


def portable_booster(model: lgb.LGBMClassifier) -> lgb.Booster:
    """Return a standalone Booster holding only the best iteration's trees."""
    best = model.best_iteration_ or None
    return lgb.Booster(model_str=model.booster_.model_to_string(num_iteration=best))


def contrib_ms_per_row(booster: lgb.Booster, rows: npt.NDArray[np.float64]) -> float:
    """Return milliseconds per row of single-threaded TreeSHAP (``pred_contrib``)."""
    rows = np.ascontiguousarray(rows, dtype=np.float64)
    start = time.perf_counter()
    booster.predict(rows, pred_contrib=True, num_threads=1)
    return 1000.0 * (time.perf_counter() - start) / max(len(rows), 1)


def _leaf_depths(node: dict[str, Any], depth: int = 0) -> list[int]:
    """Return the depth of every leaf under a node of LightGBM's ``dump_model`` tree."""
    stack, depths = [(node, depth)], []
    while stack:
        current, d = stack.pop()
        if "leaf_index" in current or "split_index" not in current:
            depths.append(d)
        else:
            stack.extend(((current["left_child"], d + 1), (current["right_child"], d + 1)))
    return depths


def shap_cost(booster: lgb.Booster) -> float:
    """Return TreeSHAP's cost model, sum over trees of leaves x (max depth)^2 (O(T L D^2))."""
    total = 0.0
    for tree in booster.dump_model()["tree_info"]:
        depths = _leaf_depths(tree["tree_structure"])
        total += len(depths) * max(max(depths), 1) ** 2
    return total


def choose_capacity(points: list[CapacityPoint], tolerance: float) -> CapacityPoint:
    """Return the cheapest point (TreeSHAP cost) whose selection AUC is within ``tolerance``."""
    best = max(p.selection_auc for p in points)
    near = [p for p in points if p.selection_auc >= best - tolerance]
    return min(near, key=lambda p: (p.shap_cost, p.n_trees))


def curve_table(points: list[CapacityPoint], chosen: Capacity | None = None) -> pd.DataFrame:
    """Return the capacity curve as a table; ``chosen`` marks the selected capacity."""
    return pd.DataFrame(
        {
            "num_leaves": [p.capacity.num_leaves for p in points],
            "max_depth": [p.capacity.max_depth for p in points],
            "n_trees": [p.n_trees for p in points],
            "selection_auc": [p.selection_auc for p in points],
            "test_auc": [p.test_auc for p in points],
            "shap_cost": [p.shap_cost for p in points],
            "contrib_ms_per_row": [p.contrib_ms_per_row for p in points],
            "fit_seconds": [p.fit_seconds for p in points],
            "chosen": [float(p.capacity == chosen) for p in points],
        }
    )


def _predictor(booster: lgb.Booster) -> Callable[[pd.DataFrame], npt.NDArray[np.float64]]:
    """Return a function giving the booster's probability for a feature frame."""

    def predict(x: pd.DataFrame) -> npt.NDArray[np.float64]:
        rows = x.to_numpy(dtype=np.float64)
        return np.asarray(booster.predict(rows, num_threads=1), dtype=np.float64)

    return predict


def evaluate_point(
    capacity: Capacity,
    model: lgb.LGBMClassifier,
    data: dict[str, tuple[pd.DataFrame, npt.NDArray[Any]]],
    settings: TrainingSettings,
    fit_seconds: float,
) -> CapacityPoint:
    """Score a fitted model on the 'selection' and 'test' sets and time its TreeSHAP."""
    booster = portable_booster(model)
    predict = _predictor(booster)
    sel_x, sel_y = data["selection"]
    test_x, test_y = data["test"]
    timing = test_x.to_numpy(dtype=np.float64)[: settings.timing_rows]
    return CapacityPoint(
        capacity=capacity,
        n_trees=booster.num_trees(),
        selection_auc=roc_auc(sel_y, predict(sel_x)),
        test_auc=roc_auc(test_y, predict(test_x)),
        contrib_ms_per_row=contrib_ms_per_row(booster, timing),
        fit_seconds=fit_seconds,
        shap_cost=shap_cost(booster),
    )


def sweep_point(
    capacity: Capacity,
    data: dict[str, tuple[pd.DataFrame, npt.NDArray[Any]]],
    settings: TrainingSettings,
) -> tuple[CapacityPoint, lgb.LGBMClassifier]:
    """Fit one capacity with early stopping and evaluate it."""
    start = time.perf_counter()
    model = fit_lgbm(
        *data["fit"],
        *data["early_stop"],
        lgbm_params(capacity, settings),
        settings.early_stopping_rounds,
    )
    seconds = time.perf_counter() - start
    return evaluate_point(capacity, model, data, settings, seconds), model


def capacity_sweep(
    data: dict[str, tuple[pd.DataFrame, npt.NDArray[Any]]],
    settings: TrainingSettings,
) -> tuple[CapacityPoint, lgb.LGBMClassifier, list[CapacityPoint]]:
    """Fit every capacity in the grid; return the chosen point, its model and the whole curve.

    Capacities are fitted single-threaded, ``settings.num_threads`` at a time; the curve
    keeps the grid's order whatever order the fits finish in.
    """
    grid = [Capacity(leaves, depth) for leaves, depth in settings.capacity_grid]
    single = settings.model_copy(update={"num_threads": 1})
    workers = max(1, min(settings.num_threads, len(grid)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="capacity") as pool:
        fitted = list(pool.map(lambda c: sweep_point(c, data, single), grid))
    points = [p for p, _ in fitted]
    chosen = choose_capacity(points, settings.capacity_auc_tolerance)
    model = next(m for p, m in fitted if p is chosen)
    return chosen, model, points
