"""MLflow plumbing: tracking URI, experiment, git commit, and logging the pyfunc model."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import subprocess
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import ModelSignature, infer_signature
from mlflow.tracking import MlflowClient
from mlflow.types import ColSpec, DataType, Schema

from features.model_format.scoring import BOOSTER_FILE, MODEL_CARD_FILE, SCORING_FILE
from training.registry import AliasDecision
from training.settings import TrainingSettings

PYFUNC_MODULE = "features.model_format.mlflow_pyfunc"


def configure(settings: TrainingSettings) -> str:
    """Point MLflow at the settings' store, create the experiment if needed; return its id."""
    uri = settings.resolved_tracking_uri()
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    experiment = mlflow.get_experiment_by_name(settings.experiment_name)
    if experiment is not None:
        return str(experiment.experiment_id)
    return str(
        mlflow.create_experiment(
            settings.experiment_name, artifact_location=settings.artifact_root()
        )
    )


def model_name(settings: TrainingSettings, target: str) -> str:
    """Return the registered model name for a target."""
    return f"{settings.model_name_prefix}-{target}"


def git_commit(directory: Path | None = None) -> str | None:
    """Return the current git commit hash, or None outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory or Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def pyfunc_code_path() -> str:
    """Return the path of the models-from-code file without importing it."""
    spec = importlib.util.find_spec(PYFUNC_MODULE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"cannot locate {PYFUNC_MODULE}")
    return spec.origin


def pip_requirements() -> list[str]:
    """Return pinned requirements of the pyfunc (declared, so MLflow need not infer them)."""
    names = ("mlflow", "lightgbm", "numpy", "pandas", "pyyaml", "secondlook")
    found = []
    for name in names:
        try:
            found.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def _signature(example: pd.DataFrame, output: pd.DataFrame) -> ModelSignature:
    """Return a signature of float columns that may be missing (NaN), and the output frame's."""
    inputs = Schema([ColSpec(DataType.double, str(c), required=False) for c in example.columns])
    return ModelSignature(inputs=inputs, outputs=infer_signature(example, output).outputs)


def log_pyfunc(
    model_dir: Path, example: pd.DataFrame, output: pd.DataFrame, registered_name: str
) -> str:
    """Log the booster + scoring spec + card as a models-from-code pyfunc; return the version."""
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=pyfunc_code_path(),
        artifacts={
            "booster": str(model_dir / BOOSTER_FILE),
            "scoring": str(model_dir / SCORING_FILE),
            "model_card": str(model_dir / MODEL_CARD_FILE),
        },
        signature=_signature(example, output),
        input_example=example,
        registered_model_name=registered_name,
        pip_requirements=pip_requirements(),
    )
    if info.registered_model_version is None:
        raise RuntimeError("model registration returned no version")
    return str(info.registered_model_version)


def client() -> MlflowClient:
    """Return a client on the configured tracking and registry URIs."""
    return MlflowClient()


def log_flat_params(params: dict[str, Any]) -> None:
    """Log params, stringifying values and truncating long ones to MLflow's limit."""
    mlflow.log_params({k: str(v)[:6000] for k, v in params.items()})


def log_after_run(run_id: str, metrics: dict[str, float]) -> None:
    """Add metrics to a finished run (e.g. the wall time of the stage that logged it)."""
    mlflow_client = client()
    for key, value in metrics.items():
        mlflow_client.log_metric(run_id, key, value)


def log_run_facts(params: dict[str, Any], tags: dict[str, str], metrics: dict[str, float]) -> None:
    """Log the active run's params, tags and finite metrics."""
    log_flat_params(params)
    mlflow.set_tags(tags)
    mlflow.log_metrics({k: v for k, v in metrics.items() if np.isfinite(v)})


def log_capacity_curve(curve: pd.DataFrame, tolerance: float) -> None:
    """Log the capacity curve as step metrics (step = grid position) and the choice rule."""
    names = (
        "selection_auc",
        "test_auc",
        "contrib_ms_per_row",
        "n_trees",
        "num_leaves",
        "max_depth",
    )
    rows = curve.to_numpy(dtype=np.float64)
    columns = [curve.columns.get_loc(n) for n in names]
    for step, row in enumerate(rows):
        mlflow.log_metrics(
            {f"capacity_{n}": float(row[c]) for n, c in zip(names, columns, strict=True)},
            step=step,
        )
    leaves, depth = curve["num_leaves"].to_numpy(), curve["max_depth"].to_numpy()
    mlflow.log_params(
        {
            "capacity_grid": ";".join(
                f"{int(n)}x{int(d)}" for n, d in zip(leaves, depth, strict=True)
            ),
            "capacity_chosen_step": int(np.flatnonzero(curve["chosen"].to_numpy() > 0)[0]),
            "capacity_rule": (
                f"cheapest TreeSHAP cost among capacities within {tolerance} of the best "
                "calibration-period AUC"
            ),
        }
    )


def log_alias_decision(decision: AliasDecision, record: dict[str, Any]) -> None:
    """Record the alias decision on the active run (tags, a line of text and the inputs)."""
    mlflow.set_tags({"alias_decision": decision.alias, "alias_reason": decision.reason})
    mlflow.log_text(f"{decision.alias}: {decision.reason}\n", "alias_decision.txt")
    mlflow.log_dict(record, "alias_decision.json")


def log_report(directory: Path) -> None:
    """Log a directory of report artifacts under ``report/`` of the active run."""
    mlflow.log_artifacts(str(directory), artifact_path="report")


def log_timings(timings: dict[str, float]) -> None:
    """Log wall seconds per stage on the active run as ``seconds_{stage}``."""
    mlflow.log_metrics({f"seconds_{k}": v for k, v in timings.items()})
