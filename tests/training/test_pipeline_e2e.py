import json
import math

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from training.pipeline import train


def test_first_run_registers_a_champion(two_runs):
    first, _, stages = two_runs
    assert first.alias == "champion", first.alias_reason
    client = MlflowClient()
    version = client.get_model_version_by_alias(first.model_name, "champion")
    assert str(version.version) == first.model_version
    assert stages == ["features", "split", "fit", "evaluate", "log and register"]


def test_same_data_and_seed_give_same_metrics_and_no_promotion(two_runs):
    first, second, _ = two_runs
    timing = ("seconds", "_ms_per_row")
    for key, value in first.metrics.items():
        if any(t in key for t in timing):
            continue
        other = second.metrics[key]
        assert (math.isnan(value) and math.isnan(other)) or value == pytest.approx(other, abs=1e-12)
    assert second.alias == "challenger"
    assert "does not beat" in second.alias_reason
    client = MlflowClient()
    champion = client.get_model_version_by_alias(first.model_name, "champion")
    challenger = client.get_model_version_by_alias(first.model_name, "challenger")
    assert str(champion.version) == first.model_version
    assert str(challenger.version) == second.model_version


def test_run_logs_params_metrics_and_artifacts(two_runs):
    first, _, _ = two_runs
    run = mlflow.get_run(first.run_id)
    params, metrics, tags = run.data.params, run.data.metrics, run.data.tags
    for key in (
        "data_fingerprint",
        "rules_version",
        "contract_version",
        "split_test_start",
        "split_calibration_start",
        "num_leaves",
        "calibration_method",
    ):
        assert key in params
    for prefix in ("model", "dash_count", "statutory_grade", "officer_grade", "logistic_all"):
        assert f"{prefix}_roc_auc" in metrics
    assert metrics["n_excluded_incomplete_window"] > 0
    assert metrics["calibration_map_max_abs_diff"] <= 1e-9
    assert tags["alias_decision"] == "champion"
    names = {a.path for a in MlflowClient().list_artifacts(first.run_id, "report")}
    for expected in (
        "calibration.png",
        "roc_pr.png",
        "capacity_curve.png",
        "capacity_curve.csv",
        "shap_beeswarm.png",
        "shap_importance.png",
        "metrics.json",
        "model_card.md",
        "features.json",
    ):
        assert f"report/{expected}" in names
    card = mlflow.artifacts.load_text(f"runs:/{first.run_id}/report/model_card.md")
    assert "must **never**" in card and "log-odds" in card and "synthetic" in card.lower()
    decision = mlflow.artifacts.load_text(f"runs:/{first.run_id}/alias_decision.txt")
    assert decision.startswith("champion")
    metrics_json = json.loads(
        mlflow.artifacts.load_text(f"runs:/{first.run_id}/report/metrics.json")
    )
    assert "oracle" in metrics_json


def test_split_dates_are_ordered(two_runs):
    params = mlflow.get_run(two_runs[0].run_id).data.params
    order = [
        "split_train_start",
        "split_early_stop_start",
        "split_calibration_start",
        "split_test_start",
        "split_test_end",
    ]
    stamps = [params[k] for k in order]
    assert stamps == sorted(stamps)


def test_unknown_target_is_rejected(small_cohort, fast_settings):
    with pytest.raises(ValueError, match="unknown target"):
        train(*small_cohort, target="nope", settings=fast_settings)


def test_tune_logs_nested_trials(small_cohort, fast_settings):
    settings = fast_settings.model_copy(
        update={"experiment_name": "secondlook-tune", "model_name_prefix": "tuned"}
    )
    result = train(*small_cohort, settings=settings, tune=3)
    run = mlflow.get_run(result.run_id)
    assert run.data.params["tune_trials"] == "3"
    children = mlflow.search_runs(
        experiment_ids=[run.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{result.run_id}'",
    )
    assert len(children) == 3
    assert "metrics.early_stop_auc" in children
