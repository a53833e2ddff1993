"""CLI command ``train``: a cohort in, a registered, calibrated, explained model out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from features.labels import LABELS, PRIMARY_LABEL
from secondlook_cli.cohort import load_valid_cohort
from secondlook_cli.console import console, err_console, stage_reporter
from secondlook_cli.scale_cmds import DaskOption, train_partitioned

if TYPE_CHECKING:
    from features.cohort_frames import CohortFrames
    from training.pipeline import TrainResult

MODELS = (
    ("model", "model"),
    ("logistic_all", "logistic"),
    ("dash_count", "DASH count"),
    ("statutory_grade", "statutory"),
    ("officer_grade", "officer"),
    ("oracle", "oracle"),
)
COLUMNS = (
    ("roc_auc", "AUC"),
    ("auc_minus_dash", "vs DASH"),
    ("pr_auc", "PR AUC"),
    ("ece", "ECE"),
    ("high_sensitivity", "sens."),
    ("high_negative_prediction_rate", "NPR"),
    ("headroom_captured", "headroom"),
)


def comparison_table(metrics: dict[str, float], target: str) -> Table:
    """Render the test-period metrics of the model and every baseline side by side."""
    table = Table(
        title=f"Test period, target {target}",
        caption="sens. and NPR at the operating point flagging as many as statutory 'high'; "
        "oracle = the synthetic cohort's true risk",
    )
    table.add_column("scorer")
    for _, heading in COLUMNS:
        table.add_column(heading, justify="right")
    for key, label in MODELS:
        if f"{key}_roc_auc" not in metrics:
            continue
        cells = [metrics.get(f"{key}_{metric}") for metric, _ in COLUMNS]
        table.add_row(label, *("" if v is None else f"{v:.3f}" for v in cells))
    return table


def auc_gain_line(metrics: dict[str, float]) -> str:
    """Return the model's AUC gain over DASH with its bootstrap interval, in words."""
    gain = metrics.get("model_auc_minus_dash")
    low, high = metrics.get("model_auc_diff_ci_low"), metrics.get("model_auc_diff_ci_high")
    if gain is None or low is None or high is None:
        return "AUC gain over DASH: not computed"
    verdict = "interval excludes 0" if low > 0 or high < 0 else "interval includes 0"
    interval = f"95% CI {low:+.3f} to {high:+.3f}"
    return f"AUC gain over DASH yes-count: {gain:+.3f} ({interval}; {verdict})"


def run_training(
    tables: dict[str, pd.DataFrame],
    metadata: dict[str, Any],
    target: str,
    tune: int | None,
    seed: int | None,
    frames: CohortFrames | None = None,
) -> TrainResult:
    """Train on a validated cohort with a progress bar and return the result."""
    from training.pipeline import STAGES
    from training.pipeline import train as train_pipeline
    from training.settings import TrainingSettings

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    settings = TrainingSettings() if seed is None else TrainingSettings(seed=seed)
    with stage_reporter(STAGES, f"Training {target}") as progress:
        return train_pipeline(tables, metadata, target, settings, progress, tune, frames)


def print_result(result: TrainResult, target: str) -> None:
    """Print the comparison with DASH, the registry decision and where the run is logged."""
    console.print(comparison_table(result.metrics, target))
    console.print(auc_gain_line(result.metrics))
    console.print(
        f"Registered {result.model_name} version {result.model_version} as "
        f"[bold]{result.alias}[/bold]: {result.alias_reason}"
    )
    console.print(f"MLflow run {result.run_id} ({sum(result.timings.values()):.1f} s)")


def train(
    directory: Annotated[Path, typer.Argument(help="Cohort directory (Parquet or CSV tables).")],
    target: Annotated[
        str, typer.Option(help=f"Outcome to predict: {', '.join(LABELS)}.")
    ] = PRIMARY_LABEL,
    tune: Annotated[
        int | None, typer.Option(min=1, help="Optuna trials on the temporal validation fold.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default from settings).")] = None,
    dask: DaskOption = None,
) -> None:
    """Train, calibrate and evaluate against DASH; log to MLflow and register the model."""
    if target not in LABELS:
        raise typer.BadParameter(f"choose one of {', '.join(LABELS)}", param_hint="--target")
    if dask is not None:
        return train_partitioned(directory, target, seed, dask, tune)
    tables, metadata = load_valid_cohort(directory)
    result = run_training(tables, metadata, target, tune, seed)
    print_result(result, target)


def promote(
    version: Annotated[str, typer.Argument(help="Registered model version number to promote.")],
    target: Annotated[
        str, typer.Option(help=f"Outcome of the model: {', '.join(LABELS)}.")
    ] = PRIMARY_LABEL,
) -> None:
    """Point the 'champion' alias at a registered version by hand (the reason is recorded)."""
    from mlflow.exceptions import MlflowException

    from training.registry import AliasDecision, apply_alias
    from training.settings import TrainingSettings
    from training.tracking import client, configure, model_name

    if target not in LABELS:
        raise typer.BadParameter(f"choose one of {', '.join(LABELS)}", param_hint="--target")
    settings = TrainingSettings()
    configure(settings)
    name = model_name(settings, target)
    decision = AliasDecision("champion", "promoted by hand with `secondlook promote`")
    try:
        apply_alias(client(), name, version, decision)
    except MlflowException as exc:
        err_console.print(f"[red]Cannot promote {name} version {version}: {exc.message}[/red]")
        raise typer.Exit(code=1) from exc
    console.print(f"{name} version {version} is now the [bold]champion[/bold].")
