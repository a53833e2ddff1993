"""Write the run's artifacts (plots, card, metrics JSON) and log everything to MLflow."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from features.model_format.scoring import MODEL_CARD_FILE, Scores
from features.rules import RULES_VERSION
from features.vocab import CONTRACT_VERSION
from training import plots
from training.card import render_model_card
from training.data import ModelData
from training.evaluate import Evaluation
from training.model import FittedModel
from training.registry import CHAMPION_RULE, promote
from training.run_facts import LoggedRun, RunInfo
from training.settings import TrainingSettings
from training.split import TemporalSplit
from training.tracking import (
    client,
    log_alias_decision,
    log_capacity_curve,
    log_pyfunc,
    log_report,
    log_run_facts,
    log_timings,
    model_name,
)
from training.tune import log_trials


def run_params(
    data: ModelData, split: TemporalSplit, fitted: FittedModel, info: RunInfo
) -> dict[str, Any]:
    """Return the run's parameters: data identity, split, capacity, calibration, bands."""
    cap = fitted.chosen.capacity
    return {
        "target": info.target,
        "data_fingerprint": info.fingerprint,
        "contract_version": CONTRACT_VERSION,
        "rules_version": RULES_VERSION,
        "git_commit": info.git_commit or "unknown",
        "n_features": len(data.feature_names),
        "num_leaves": cap.num_leaves,
        "max_depth": cap.max_depth,
        "n_trees": fitted.chosen.n_trees,
        "tune_trials": len(fitted.trials),
        "calibration_method": fitted.calibration.calibration_map.method,
        "band_medium": fitted.scorer.spec.bands.medium,
        "band_high": fitted.scorer.spec.bands.high,
        "observed_until": info.metadata.get("observed_until", "unknown"),
        "cohort_preset": info.metadata.get("preset", "none"),
        **{f"cohort_{k}": v for k, v in info.metadata.get("params", {}).items()},
        **{f"split_{k}": v for k, v in split.dates.items()},
        **{f"estimator_{k}": v for k, v in fitted.estimator.get_params().items()},
    }


def card_context(
    data: ModelData,
    split: TemporalSplit,
    fitted: FittedModel,
    ev: Evaluation,
    info: RunInfo,
    run_id: str,
    settings: TrainingSettings,
) -> dict[str, Any]:
    """Return the template context for the model card."""
    model = ev.models["model"]
    return {
        "target": info.target,
        "fingerprint": info.fingerprint,
        "git_commit": info.git_commit,
        "run_id": run_id,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "contract_version": CONTRACT_VERSION,
        "rules_version": RULES_VERSION,
        "n_assessments": len(data.frame),
        "observed_until": info.metadata.get("observed_until", "the last recorded incident"),
        "synthetic": bool(info.metadata.get("synthetic", "oracle" in ev.models)),
        **_cohort_and_rules(info, fitted, settings),
        "feature_names": data.feature_names,
        "counts": split.counts(),
        "dates": split.dates,
        "base_rate": float(np.mean(ev.y)),
        "capacity": {**fitted.chosen.capacity.__dict__, **fitted.chosen.__dict__},
        "curve": fitted.curve.to_dict(orient="records"),
        "tolerance": settings.capacity_auc_tolerance,
        "calibration_method": fitted.calibration.calibration_map.method,
        "calibration_losses": fitted.calibration.cv_log_loss,
        "bands": fitted.scorer.spec.bands,
        "models": ev.models,
        "model": model,
        "high_share": ev.high_share,
        "headroom": model.get("headroom_captured"),
        "oracle_auc": ev.models.get("oracle", {}).get("roc_auc"),
    }


def _cohort_and_rules(
    info: RunInfo, fitted: FittedModel, settings: TrainingSettings
) -> dict[str, Any]:
    """Return the card's facts about the cohort (preset, parameters) and the champion rule."""
    return {
        "preset": info.metadata.get("preset"),
        "cohort_params": info.metadata.get("params", {}),
        "context": fitted.scorer.spec.context,
        "champion_rule": CHAMPION_RULE.format(
            max_ece=settings.max_champion_ece, margin=settings.ece_margin
        ),
    }


def write_artifacts(
    directory: Path,
    data: ModelData,
    split: TemporalSplit,
    fitted: FittedModel,
    ev: Evaluation,
    context: dict[str, Any],
    settings: TrainingSettings,
) -> Path:
    """Write plots, tables, metrics JSON, card and the portable model; return the model dir."""
    plots.roc_pr_figure(ev, directory / "roc_pr.png")
    plots.calibration_figure(ev, directory / "calibration.png")
    chosen = int(np.flatnonzero(fitted.curve["chosen"].to_numpy() > 0)[0])
    plots.capacity_figure(fitted.curve, chosen, directory / "capacity_curve.png")
    fitted.curve.to_csv(directory / "capacity_curve.csv", index=False)
    test_x = data.x.loc[split.test]
    sample = test_x.sample(min(settings.shap_sample, len(test_x)), random_state=settings.seed)
    plots.shap_figures(fitted.booster, sample, directory)
    (directory / "metrics.json").write_text(json.dumps(ev.models, indent=2, sort_keys=True))
    (directory / "features.json").write_text(json.dumps(list(data.feature_names), indent=1))
    model_dir = directory / "model"
    fitted.scorer.save(model_dir)
    card = render_model_card(context)
    (model_dir / MODEL_CARD_FILE).write_text(card)
    (directory / MODEL_CARD_FILE).write_text(card)
    return model_dir


def run_metrics(split: TemporalSplit, fitted: FittedModel, ev: Evaluation) -> dict[str, float]:
    """Return every metric of the run: all models' test metrics, counts and model costs."""
    return {
        **ev.flat(),
        "test_base_rate": float(np.mean(ev.y)),
        **{k: float(v) for k, v in split.counts().items()},
        "calibration_map_max_abs_diff": fitted.map_max_abs_diff,
        "model_fit_seconds": fitted.chosen.fit_seconds,
        "model_contrib_ms_per_row": fitted.chosen.contrib_ms_per_row,
        "model_n_trees": float(fitted.chosen.n_trees),
        "capacity_sweep_fit_seconds": float(fitted.curve["fit_seconds"].sum()),
    }


def _report_and_model(
    data: ModelData,
    split: TemporalSplit,
    fitted: FittedModel,
    ev: Evaluation,
    context: dict[str, Any],
    settings: TrainingSettings,
) -> str:
    """Write and log the report artifacts, then log and register the pyfunc; return the version."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        model_dir = write_artifacts(directory, data, split, fitted, ev, context, settings)
        log_report(directory)
        example = data.x.loc[split.test].head(5)
        output = fitted.scorer.score(example.to_numpy(dtype=np.float64), explain=False)
        name = model_name(settings, context["target"])
        return log_pyfunc(model_dir, example, _output_frame(output), name)


def log_run(
    data: ModelData,
    split: TemporalSplit,
    fitted: FittedModel,
    ev: Evaluation,
    info: RunInfo,
    settings: TrainingSettings,
    timings: dict[str, float],
) -> LoggedRun:
    """Log one MLflow run with params, metrics, artifacts and the registered pyfunc model."""
    name = model_name(settings, info.target)
    metrics = run_metrics(split, fitted, ev)
    run_name = f"{info.target}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    tolerance = settings.capacity_auc_tolerance
    with mlflow.start_run(experiment_id=info.experiment_id, run_name=run_name) as run:
        tags = {"target": info.target, "data_fingerprint": info.fingerprint}
        log_run_facts(run_params(data, split, fitted, info), tags, metrics)
        log_capacity_curve(fitted.curve, tolerance)
        if fitted.trials:
            log_trials(fitted.trials)
        context = card_context(data, split, fitted, ev, info, run.info.run_id, settings)
        version = _report_and_model(data, split, fitted, ev, context, settings)
        decision, record = promote(client(), name, version, ev.models["model"], settings)
        log_alias_decision(decision, record)
        log_timings(timings)
    return LoggedRun(
        run_id=run.info.run_id,
        model_name=name,
        model_version=version,
        alias=decision.alias,
        alias_reason=decision.reason,
        metrics=metrics,
    )


def _output_frame(scores: Scores) -> pd.DataFrame:
    """Return the pyfunc's output frame for a batch of scores (for the signature)."""
    return pd.DataFrame(
        {"probability": scores.probability, "band": scores.band, "raw_score": scores.raw}
    )
