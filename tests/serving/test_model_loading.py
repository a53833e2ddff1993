"""Model loading by alias or version, refusal without a model, /v1/model and hot reload."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from mlflow.tracking import MlflowClient

from features.engine.registry import feature_names
from features.rules import RULES_VERSION
from serving.app import create_app
from serving.model_loader import ModelNotAvailableError, load_model
from serving.settings import ServingSettings
from tests.serving.helpers import bearer
from tests.serving.model_factory import RegisteredModel, register_by_hand, tiny_scorer
from tests.serving.requests_util import case_request


def test_refuses_to_start_without_a_registered_model(tmp_path: Path) -> None:
    settings = ServingSettings(
        database_url=f"sqlite:///{tmp_path / 's.db'}",
        tracking_uri=f"sqlite:///{tmp_path / 'empty-mlflow.db'}",
    )
    with (
        pytest.raises(ModelNotAvailableError, match="secondlook train"),
        TestClient(create_app(settings)),
    ):
        pass


def test_unknown_alias_is_refused(registered: RegisteredModel) -> None:
    settings = ServingSettings(
        tracking_uri=registered.tracking_uri, model_name=registered.name, model_ref="nope"
    )
    with pytest.raises(ModelNotAvailableError, match="'nope'"):
        load_model(settings)


def test_loads_by_version_number(registered: RegisteredModel) -> None:
    settings = ServingSettings(
        tracking_uri=registered.tracking_uri,
        model_name=registered.name,
        model_ref=registered.version,
    )
    loaded = load_model(settings)
    assert loaded.version == registered.version
    assert loaded.scorer.spec.feature_names == tuple(feature_names()[i] for i in loaded.columns)


def test_model_endpoint_describes_the_model(
    client: TestClient, keys: dict[str, str], registered: RegisteredModel
) -> None:
    info = client.get("/v1/model", headers=bearer(keys["researcher"])).json()
    assert info["name"] == registered.name and info["alias"] == "champion"
    assert info["rules_version"] == RULES_VERSION
    assert info["model_card"].strip()
    assert info["features"] and all(f["description"] for f in info["features"])
    assert "roc_auc" in info["metrics"]["model"] and "roc_auc" in info["metrics"]["dash_count"]
    expected = info["metrics"]["model"]["roc_auc"] - info["metrics"]["dash_count"]["roc_auc"]
    assert info["versus_dash"]["roc_auc"] == pytest.approx(expected)
    assert client.get("/v1/model").status_code == 401


def test_reload_follows_the_alias_without_dropping_requests(
    client: TestClient,
    keys: dict[str, str],
    registered: RegisteredModel,
    tables: dict[str, pd.DataFrame],
) -> None:
    body = case_request(tables, "A5")
    headers = bearer(keys["case_system"])
    before = client.post("/v1/score", json=body, headers=headers).json()["model_version"]
    new_version = register_by_hand(registered.tracking_uri, tiny_scorer(tables, seed=1, trees=12))
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        for _ in range(500):  # bounded
            if stop.is_set():
                break
            statuses.append(client.post("/v1/score", json=body, headers=headers).status_code)

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        assert client.post("/v1/admin/reload", headers=headers).status_code == 403
        res = client.post("/v1/admin/reload", headers=bearer(keys["admin"]))
    finally:
        stop.set()
        worker.join(timeout=60)
        # put the champion back for the other tests
        MlflowClient(registered.tracking_uri, registered.tracking_uri).set_registered_model_alias(
            registered.name, "champion", registered.version
        )
    assert res.status_code == 200, res.text
    out = res.json()
    assert (out["previous_version"], out["version"], out["changed"]) == (before, new_version, True)
    after = client.post("/v1/score", json=body, headers=headers).json()["model_version"]
    assert after == new_version
    assert statuses and set(statuses) == {200}


def test_loads_from_the_configured_store_without_mlflow_environment(
    registered: RegisteredModel, tmp_path: Path
) -> None:
    """A fresh process with no MLFLOW_* variables (as under ``make run``) loads from settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    code = (
        "from serving.model_loader import load_model; from serving.settings import "
        "ServingSettings as S; import sys; "
        f"m = load_model(S(tracking_uri={registered.tracking_uri!r}, "
        f"model_name={registered.name!r})); print(m.version)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == registered.version
