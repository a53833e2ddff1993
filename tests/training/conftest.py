"""Training fixtures: one small generated cohort and one MLflow store in a temp dir per session."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from rich.console import Console
from rich.progress import Progress

from features.synthetic import generate_cohort
from training.pipeline import TrainResult, train
from training.settings import TrainingSettings

N_VICTIMS = 3000


@pytest.fixture(scope="session")
def small_cohort() -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Return the tables and metadata of a 3k-victim generated cohort (seed 0)."""
    cohort = generate_cohort(n_victims=N_VICTIMS, seed=0)
    return dict(cohort.tables), dict(cohort.metadata)


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point MLflow (env and settings) at a temp store; never the repo's mlruns/."""
    store = tmp_path_factory.mktemp("mlruns")
    old = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{store / 'mlflow.db'}"
    yield store
    if old is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = old


@pytest.fixture(scope="session")
def fast_settings(mlflow_store: Path) -> TrainingSettings:
    return TrainingSettings(
        mlruns_dir=mlflow_store,
        tracking_uri=f"sqlite:///{mlflow_store / 'mlflow.db'}",
        capacity_grid=((4, 2), (8, 3), (16, 4)),
        max_trees=300,
        num_threads=1,
        learning_rate=0.08,
        bootstrap_draws=200,
        shap_sample=300,
        timing_rows=300,
        # a tiny cohort is noisy; the alias rule itself is tested with crafted metrics
        max_champion_ece=0.05,
    )


@pytest.fixture(scope="session")
def rich_progress() -> Progress:
    """Return a Rich progress writing to a string (the CLI passes a real one)."""
    return Progress(console=Console(file=io.StringIO(), force_terminal=False))


@pytest.fixture(scope="session")
def two_runs(
    small_cohort: tuple[dict[str, pd.DataFrame], dict[str, Any]],
    fast_settings: TrainingSettings,
    rich_progress: Progress,
) -> tuple[TrainResult, TrainResult, list[str]]:
    """Train twice on the same data and seed (the second must not displace the first).

    The first run reports stages to a plain callable, the second to a Rich progress.
    """
    tables, metadata = small_cohort
    stages: list[str] = []
    first = train(tables, metadata, settings=fast_settings, progress=stages.append)
    with rich_progress:
        second = train(tables, metadata, settings=fast_settings, progress=rich_progress)
    return first, second, stages
