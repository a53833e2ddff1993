"""Serving fixtures: one tiny registered model per session, a cohort, and apps on each database.

Every app test runs on SQLite, and also on PostgreSQL when ``TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from serving.app import create_app
from serving.security import ROLES, create_key
from serving.settings import ServingSettings
from tests.serving import helpers
from tests.serving.cohort import random_tables
from tests.serving.model_factory import (
    MODEL_NAME,
    RegisteredModel,
    register_by_hand,
    register_by_training,
    tiny_scorer,
)

with warnings.catch_warnings():
    # starlette 1.10 deprecates httpx in its TestClient (wants httpx2); same client otherwise
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def tables() -> dict[str, pd.DataFrame]:
    return random_tables(n_victims=300, seed=0)


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A temp MLflow store for the session (never the repo's mlruns/)."""
    store = tmp_path_factory.mktemp("mlruns")
    old = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{store / 'mlflow.db'}"
    yield store
    if old is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = old


@pytest.fixture(scope="session")
def registered(mlflow_store: Path, tables: dict[str, pd.DataFrame]) -> RegisteredModel:
    """Register one model with alias champion: by training if possible, else by hand."""
    uri = f"sqlite:///{mlflow_store / 'mlflow.db'}"
    if os.environ.get("SECONDLOOK_SERVING_TEST_TRAIN", "1") == "1":
        version = register_by_training(mlflow_store)
        if version is not None:
            return RegisteredModel(uri, MODEL_NAME, version, "training")
    version = register_by_hand(uri, tiny_scorer(tables))
    return RegisteredModel(uri, MODEL_NAME, version, "hand")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return helpers.database_url(request.param, tmp_path / "serving.db")


@pytest.fixture
def settings(database_url: str, registered: RegisteredModel) -> ServingSettings:
    return ServingSettings(
        database_url=database_url,
        tracking_uri=registered.tracking_uri,
        model_name=registered.name,
        model_ref="champion",
    )


@pytest.fixture
def client(settings: ServingSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def keys(client: TestClient) -> dict[str, str]:
    """One API key (full token) per role."""
    store = client.app.state.services.store  # type: ignore[attr-defined]
    return {role: create_key(store, role)[1] for role in ROLES}
