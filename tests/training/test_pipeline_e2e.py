import json
import math
from pathlib import Path

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from training.pipeline import STAGES, train


def test_first_run_registers_a_champion(two_runs):
    first, _, stages = two_runs
    assert first.alias == "champion", first.alias_reason
    client = MlflowClient()
    version = client.get_model_version_by_alias(first.model_name, "champion")
    assert str(version.version) == first.model_version
    assert stages == list(STAGES) == ["features", "split", "fit", "evaluate", "log and register"]


def test_rich_progress_gets_one_task_advanced_per_stage(two_runs, rich_progress):
    _, second, _ = two_runs
    (task,) = rich_progress.tasks
    assert task.total == len(STAGES)
    assert task.completed == len(STAGES)
    assert task.description == "train: log and register"
    assert list(second.timings) == list(STAGES)


def test_result_carries_what_the_cli_and_audit_need(two_runs, mlflow_store):
    first, _, _ = two_runs
    assert first.tracking_uri == f"sqlite:///{mlflow_store / 'mlflow.db'}"
    assert first.experiment_id == mlflow.get_run(first.run_id).info.experiment_id
    assert first.model_uri == f"models:/{first.model_name}/{first.model_version}"
    assert 0 < first.thresholds["medium"] <= first.thresholds["high"] < 1
    params = mlflow.get_run(first.run_id).data.params
    assert float(params["band_high"]) == pytest.approx(first.thresholds["high"])
    assert first.calibration_method in ("isotonic", "sigmoid")
    assert sum(r["chosen"] for r in first.capacity_curve) == 1
    assert len(first.capacity_curve) == 3


def test_capacity_curve_is_logged_as_step_metrics(two_runs):
    first, _, _ = two_runs
    client = MlflowClient()
    history = client.get_metric_history(first.run_id, "capacity_test_auc")
    assert sorted(h.step for h in history) == [0, 1, 2]
    assert [h.value for h in sorted(history, key=lambda h: h.step)] == pytest.approx(
        [r["test_auc"] for r in first.capacity_curve]
    )
    params = mlflow.get_run(first.run_id).data.params
    assert params["capacity_grid"] == "4x2;8x3;16x4"
    chosen = int(params["capacity_chosen_step"])
    assert first.capacity_curve[chosen]["chosen"] == 1.0
    assert "within" in params["capacity_rule"]
    card = mlflow.artifacts.load_text(f"runs:/{first.run_id}/report/model_card.md")
    assert "Capacity curve" in card


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
    record = mlflow.artifacts.load_dict(f"runs:/{second.run_id}/alias_decision.json")
    assert record["alias"] == "challenger" and "does not beat" in record["reason"]
    assert record["champion_before"]["test_auc"] == pytest.approx(first.metrics["model_roc_auc"])
    assert "ECE is at most 0.05" in record["rule"]
    assert "seconds_total" in mlflow.get_run(second.run_id).data.metrics
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


def test_run_records_the_cohort_preset_and_the_calibration_rule(two_runs, small_cohort):
    first = two_runs[0]
    params = mlflow.get_run(first.run_id).data.params
    metadata = small_cohort[1]
    assert params["cohort_preset"] == metadata["preset"] == "published"
    assert params["cohort_violent_logit"] == str(metadata["params"]["violent_logit"])
    assert params["target"] == "repeat_violent_365d"
    card = mlflow.artifacts.load_text(f"runs:/{first.run_id}/report/model_card.md")
    assert "preset **published**" in card and "violent_logit=" in card
    assert "Champion rule: calibrated if the test ECE" in card
    assert "95th percentile" in card and "Spiegelhalter" in card
    m = first.metrics
    assert m["dash_count_auc_ci_low"] < m["dash_count_roc_auc"] < m["dash_count_auc_ci_high"]
    assert 0.0 < m["test_base_rate"] < 1.0
    assert m["model_ece_null_q95"] > 0.0


def test_scoring_spec_carries_the_outcome_context(two_runs):
    from features.model_format.scoring import CalibratedScorer

    first = two_runs[0]
    local = mlflow.artifacts.download_artifacts(f"runs:/{first.run_id}/report/model")
    context = CalibratedScorer.load(Path(local)).spec.context
    assert "violent" in context.definition and "365 days" in context.definition
    assert context.base_rate is not None and 0.0 < context.base_rate < 1.0
    assert 0.0 < context.supported_low < context.supported_high < 1.0
    assert "calibration-period cases" in context.support_rule
