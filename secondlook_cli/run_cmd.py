"""CLI command ``run``: the main job on the embedded default, end to end, ending in a server.

generate -> validate -> grade -> train (features, split, fit, evaluate, register) -> bias
audit of the model's test period (attached to its run) -> score sample cases into the audit
log -> serve the API and reviewer page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from features.cohort_frames import CohortFrames, build_cohort_frames
from features.io import write_cohort
from features.labels import PRIMARY_LABEL
from features.rules import grade_cohort_to_file
from secondlook_cli.audit_cmds import audit_model_on_cohort, load_registered, print_model_audit
from secondlook_cli.cohort import load_valid_cohort
from secondlook_cli.console import console, err_console
from secondlook_cli.grade_cmds import summary_tables
from secondlook_cli.serve_cmds import Workers, serve_with, serving_settings, start_services
from secondlook_cli.train_cmds import print_result, run_training

if TYPE_CHECKING:
    from training.pipeline import TrainResult

TARGET = PRIMARY_LABEL


def served_model_ref(result: TrainResult) -> str:
    """Return 'champion' if the registry has one, else the version just trained.

    A first model that misses the champion rule (e.g. ECE above 0.02 on a small cohort) is
    registered as challenger; the demo then serves that version by number and says so.
    """
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    settings = serving_settings()
    uri = settings.resolved_tracking_uri()
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    try:
        client.get_model_version_by_alias(result.model_name, "champion")
    except MlflowException:
        err_console.print(
            f"[yellow]No champion registered: serving challenger version "
            f"{result.model_version} for this demo ({result.alias_reason}).[/yellow]"
        )
        return result.model_version
    return "champion"


def sample_requests(tables: dict[str, pd.DataFrame], n: int) -> list[dict[str, Any]]:
    """Return scoring requests for the ``n`` most recent assessments of the cohort."""
    from serving.cohort_requests import case_request

    latest = tables["dash_assessments"].nlargest(n, "completed_at")["assessment_id"]
    return [case_request(tables, str(a)) for a in latest]


def run(
    victims: Annotated[
        int, typer.Option(min=500, help="Victims in the synthetic cohort.")
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed for the cohort and the model.")] = 0,
    data: Annotated[Path, typer.Option(help="Where to write the cohort.")] = Path("data"),
    out: Annotated[Path, typer.Option(help="Where to write grades and reports.")] = Path("out"),
    samples: Annotated[
        int, typer.Option(min=0, help="Recent cases to score into the reviewer queue.")
    ] = 500,
    boot: Annotated[int, typer.Option(min=20, help="Bootstrap draws in the bias audit.")] = 1000,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    serve: Annotated[bool, typer.Option(help="Start the server at the end.")] = True,
    workers: Workers = 1,
) -> None:
    """Run the whole job on a synthetic cohort and serve the result on HOST:PORT."""
    tables, metadata = _cohort(victims, seed, data)
    console.rule("2. Statutory grades and features (built once, used by every step below)")
    with console.status("Grading every assessment and building its features..."):
        frames = build_cohort_frames(tables)
    summary = grade_cohort_to_file(tables, out / "grades.parquet", grades=frames.grades)
    for table in summary_tables(summary):
        console.print(table)
    console.rule("3. Model (temporal split, calibrated LightGBM, MLflow)")
    result = run_training(tables, metadata, TARGET, None, seed, frames)
    print_result(result, TARGET)
    ref = _audit(tables, metadata, result, AuditInputs(frames, boot, seed, out))
    services, reviewer_key = _seed_queue(tables, ref, samples)
    console.rule("6. Serving")
    console.print(f"Reviewer page: [bold]http://{host}:{port}/[/bold]")
    console.print(f"API docs:      http://{host}:{port}/docs")
    console.print("Reviewer key (shown once, stored only as a hash):")
    console.print(reviewer_key, soft_wrap=True, highlight=False)
    if serve:
        serve_with(services, host, port, workers)
    else:
        services.close()


def _cohort(victims: int, seed: int, data: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    from features.synthetic import generate_cohort

    console.rule("1. Synthetic cohort")
    with console.status(f"Simulating {victims:,} victims (seed {seed})..."):
        cohort = generate_cohort(victims, seed)
    write_cohort(cohort.tables, data, metadata=cohort.metadata)
    tables, metadata = load_valid_cohort(data)
    console.print(f"{len(tables['dash_assessments']):,} assessments; all tables meet contracts")
    return tables, metadata


@dataclass(frozen=True)
class AuditInputs:
    """What the bias-audit step needs besides the cohort and the trained model."""

    frames: CohortFrames
    boot: int
    seed: int
    out: Path


def _audit(
    tables: dict[str, pd.DataFrame],
    metadata: dict[str, Any],
    result: TrainResult,
    inputs: AuditInputs,
) -> str:
    from bias_audit import AuditConfig

    console.rule("4. Bias audit (test period, attached to the model's run)")
    ref = served_model_ref(result)
    model = load_registered(None, ref)
    config = AuditConfig(n_boot=inputs.boot, person_column="victim_id", seed=inputs.seed)
    output = audit_model_on_cohort(
        tables, metadata, model, config, inputs.out / "audit", frames=inputs.frames
    )
    print_model_audit(output, server_running=False)
    return ref


def _seed_queue(tables: dict[str, pd.DataFrame], ref: str, samples: int) -> tuple[Any, str]:
    from serving.security import create_key
    from serving.web import record_cases

    console.rule("5. Scoring sample cases into the audit log")
    services = start_services(serving_settings(model_ref=ref))
    seeded = record_cases(
        sample_requests(tables, samples),
        services.holder.model,
        services.store,
        services.rules,
        services.settings.top_contributions,
    )
    console.print(
        f"Scored {seeded.n_ok:,} recent cases as a case system would; "
        f"{seeded.review_suggested:,} with a review suggested"
    )
    for reason in seeded.rejections:
        err_console.print(f"[yellow]rejected {reason}[/yellow]")
    _, reviewer_key = create_key(services.store, "reviewer")
    return services, reviewer_key
