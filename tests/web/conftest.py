"""Reviewer-page fixtures: a hand-registered tiny model, apps on SQLite (and PostgreSQL when
``TEST_DATABASE_URL`` is set), keys per role, signed-in clients and scored cases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import SecretStr

from serving.api.deps import Services
from serving.app import create_app
from serving.db.session import init_db, make_engine
from serving.db.store import Store
from serving.metrics import ServiceMetrics
from serving.model_loader import LoadedModel, ModelHolder, load_model
from serving.security import ROLES, KeyVerifier, create_key
from serving.settings import ServingSettings
from tests.serving.cohort import random_tables
from tests.serving.helpers import database_url
from tests.serving.model_factory import MODEL_NAME, RegisteredModel, register_by_hand, tiny_scorer
from tests.serving.requests_util import case_request
from tests.web.web_util import TestClient, login, score_cases

N_CASES = 40
BASE_URL = "https://testserver"  # Secure cookies travel only over https, as in a browser


@pytest.fixture(scope="session")
def web_tables() -> dict[str, pd.DataFrame]:
    return random_tables(n_victims=200, seed=3)


@pytest.fixture(scope="session")
def web_model(
    tmp_path_factory: pytest.TempPathFactory, web_tables: dict[str, pd.DataFrame]
) -> Iterator[RegisteredModel]:
    """A tiny model registered by hand in a temp MLflow store (no training run: fast)."""
    store = tmp_path_factory.mktemp("web-mlruns")
    uri = f"sqlite:///{store / 'mlflow.db'}"
    old = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = uri
    version = register_by_hand(uri, tiny_scorer(web_tables))
    yield RegisteredModel(uri, MODEL_NAME, version, "hand")
    if old is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = old


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path / "web.db")


@pytest.fixture
def web_settings(web_database_url: str, web_model: RegisteredModel) -> ServingSettings:
    return ServingSettings(
        database_url=web_database_url,
        tracking_uri=web_model.tracking_uri,
        model_name=web_model.name,
        model_ref="champion",
        web_page_size=5,
        web_session_secret=SecretStr("test-secret-not-for-production"),
    )


@pytest.fixture(scope="session")
def loaded_model(web_model: RegisteredModel) -> LoadedModel:
    """The registered model, loaded once for the session (apps share it)."""
    settings = ServingSettings(tracking_uri=web_model.tracking_uri, model_name=web_model.name)
    return load_model(settings)


@pytest.fixture(scope="session")
def web_cases(web_tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Request bodies of the first 40 assessments (built once)."""
    ids = web_tables["dash_assessments"]["assessment_id"].tolist()[:N_CASES]
    return [case_request(web_tables, a) for a in ids]


@pytest.fixture
def app_client(web_settings: ServingSettings, loaded_model: LoadedModel) -> Iterator[TestClient]:
    """A client of a fresh app on a fresh database, sharing the session's loaded model."""
    engine = make_engine(web_settings.database_url, 2)
    init_db(engine)
    store = Store(engine)
    services = Services(
        settings=web_settings,
        holder=ModelHolder(web_settings, loaded_model),
        store=store,
        verifier=KeyVerifier(store, web_settings.key_cache_seconds),
        metrics=ServiceMetrics(),
        rules=None,
    )
    app = create_app(web_settings, services=services)
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client
    engine.dispose()


@pytest.fixture
def web_keys(app_client: TestClient) -> dict[str, str]:
    """One API key (full token) per role."""
    store = app_client.app.state.services.store  # type: ignore[attr-defined]
    return {role: create_key(store, role)[1] for role in ROLES}


@pytest.fixture
def reviewer_client(app_client: TestClient, web_keys: dict[str, str]) -> TestClient:
    """The app's client, signed in as a reviewer."""
    login(app_client, web_keys["reviewer"])
    return app_client


@pytest.fixture
def scored_ids(
    app_client: TestClient, web_keys: dict[str, str], web_cases: list[dict[str, Any]]
) -> list[int]:
    """Audit ids of 40 cases scored through the API (in request order)."""
    return score_cases(app_client, web_keys["case_system"], web_cases)
