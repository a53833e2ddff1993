"""Capacity sweep: deterministic TreeSHAP cost, grid order kept, same choice on every run."""

import numpy as np
import pandas as pd
import pytest

from training.capacity import (
    Capacity,
    CapacityPoint,
    capacity_sweep,
    choose_capacity,
    fit_lgbm,
    lgbm_params,
    portable_booster,
    shap_cost,
)
from training.settings import TrainingSettings


@pytest.fixture(scope="module")
def sets() -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.normal(size=(4000, 5)), columns=[f"f{i}" for i in range(5)])
    logit = 1.5 * x["f0"] - x["f1"] * x["f2"] - 2.0
    y = rng.random(4000) < 1 / (1 + np.exp(-logit.to_numpy()))
    parts = np.array_split(np.arange(4000), 4)
    names = ("fit", "early_stop", "selection", "test")
    return {n: (x.iloc[p], y[p]) for n, p in zip(names, parts, strict=True)}


def test_shap_cost_counts_leaves_times_depth_squared(sets):
    settings = TrainingSettings(max_trees=20, early_stopping_rounds=20)
    model = fit_lgbm(*sets["fit"], *sets["early_stop"], lgbm_params(Capacity(4, 2), settings))
    booster = portable_booster(model)
    trees = booster.trees_to_dataframe()
    expected = 0.0
    for _, tree in trees.groupby("tree_index"):
        leaves = tree[tree["split_feature"].isna()]
        depth = max(int(leaves["node_depth"].max()) - 1, 1)
        expected += len(leaves) * depth**2
    assert shap_cost(booster) == expected


def point(cost: float, auc: float, trees: int = 10) -> CapacityPoint:
    return CapacityPoint(
        Capacity(4, 2),
        trees,
        auc,
        auc,
        contrib_ms_per_row=1.0 / cost,
        fit_seconds=0.0,
        shap_cost=cost,
    )


def test_choice_uses_the_cost_model_not_the_measured_time():
    cheap, dear = point(100.0, 0.800), point(1000.0, 0.803)
    assert choose_capacity([dear, cheap], tolerance=0.005) is cheap
    assert choose_capacity([dear, cheap], tolerance=0.001) is dear


def test_sweep_keeps_grid_order_and_is_repeatable(sets):
    settings = TrainingSettings(
        capacity_grid=((16, 4), (4, 2), (8, 3)), max_trees=60, num_threads=2
    )
    first = capacity_sweep(sets, settings)
    second = capacity_sweep(sets, settings)
    assert [p.capacity for p in first[2]] == [Capacity(16, 4), Capacity(4, 2), Capacity(8, 3)]
    assert [(p.n_trees, p.selection_auc, p.shap_cost) for p in first[2]] == [
        (p.n_trees, p.selection_auc, p.shap_cost) for p in second[2]
    ]
    assert first[0].capacity == second[0].capacity
