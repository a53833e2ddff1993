"""The README's path with its defaults: generate -> train -> serve, on 2k and 5k victims.

A newcomer's `serve` must start after `train`, and when only a challenger exists it must say
which version, why, and the exact commands to serve or promote it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from features.labels import PRIMARY_LABEL
from secondlook_cli import serve_cmds
from secondlook_cli.main import app

runner = CliRunner()
MODEL = f"secondlook-{PRIMARY_LABEL}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory with its own MLflow store and audit database; no real server."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'audit.db'}")
    monkeypatch.setattr(serve_cmds, "serve_with", lambda services, *_: services.close())
    return tmp_path


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
@pytest.mark.parametrize("victims", [2_000, 5_000])
def test_generate_train_serve_with_readme_defaults(workdir: Path, victims: int) -> None:
    _ok(["generate", "--victims", str(victims), "--seed", "0", "--out", "data"])
    trained = _ok(["train", "data"])
    assert "champion" in trained
    served = _ok(["serve", "--port", "8000"])
    assert f"Serving model {MODEL} v1 (champion)" in served


@pytest.mark.slow
def test_serve_explains_a_challenger_and_promote_makes_it_servable(workdir: Path) -> None:
    _ok(["generate", "--victims", "1500", "--seed", "3", "--out", "data"])
    _ok(["train", "data"])
    client = MlflowClient()
    client.delete_registered_model_alias(MODEL, "champion")
    client.set_model_version_tag(MODEL, "1", "alias_decision", "challenger")
    client.set_model_version_tag(MODEL, "1", "alias_reason", "ECE 0.0900 exceeds the limit")
    refused = runner.invoke(app, ["serve"])
    assert refused.exit_code == 1
    text = " ".join(refused.output.split())
    assert "version 1 is registered as challenger because ECE 0.0900 exceeds the limit" in text
    assert "`secondlook serve --model-ref 1`" in text
    assert "`secondlook promote 1`" in text
    assert f"Serving model {MODEL} v1 " in _ok(["serve", "--model-ref", "1"])
    _ok(["promote", "1"])
    assert "v1 (champion)" in _ok(["serve"])


def test_generate_records_the_preset_and_rejects_an_unknown_one(workdir: Path) -> None:
    import json

    from features.synthetic.presets import PRESETS

    _ok(["generate", "--victims", "200", "--preset", "strong-signal", "--out", "strong"])
    _ok(["generate", "--victims", "200", "--bias", "ethnicity=asian", "--out", "biased"])
    strong = json.loads((workdir / "strong" / "cohort.json").read_text())
    biased = json.loads((workdir / "biased" / "cohort.json").read_text())
    assert strong["preset"] == "strong-signal"
    assert strong["params"] == PRESETS["strong-signal"].to_dict()
    assert biased["preset"] == "published"
    assert biased["params"]["bias_group"] == ["ethnicity", "asian"]
    assert biased["params"]["violent_logit"] == PRESETS["published"].violent_logit
    bad = runner.invoke(app, ["generate", "--victims", "200", "--preset", "weak"])
    assert bad.exit_code == 2
    assert "published" in bad.output and "strong-signal" in bad.output
