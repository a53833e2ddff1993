"""CLI commands under ``audit``: the bias audit of a cohort's model, or of any scored table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import pandas as pd
import typer

from secondlook_cli.audit_output import disclosure_line, flagged_table
from secondlook_cli.cohort import load_valid_cohort
from secondlook_cli.console import console, err_console
from secondlook_cli.serve_cmds import ModelName, ModelRef, serving_settings

if TYPE_CHECKING:
    from bias_audit import AuditConfig, AuditResult, ScorerSpec
    from bias_audit.model_audit import ModelAuditOutput
    from features.cohort_frames import CohortFrames
    from serving.model_loader import LoadedModel

app = typer.Typer(
    help="Bias audit: DASH, officer grade and model compared across groups.",
    no_args_is_help=True,
)

Boot = Annotated[int, typer.Option(min=20, help="Bootstrap draws for the intervals.")]
MinPeople = Annotated[
    int, typer.Option(min=1, help="Groups (and officers) with fewer people are withheld.")
]
MinEvents = Annotated[
    int,
    typer.Option(min=1, help="Groups with fewer outcome events (or non-events) are withheld."),
]
Out = Annotated[Path, typer.Option(help="Directory for audit_report.html and .json.")]


def parse_pairs(values: list[str], option: str) -> dict[str, str]:
    """Parse ``NAME=VALUE`` options into a dict, or fail naming the option and value."""
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            raise typer.BadParameter(f"{value!r} is not NAME=VALUE", param_hint=option)
        pairs[name] = rest
    return pairs


def table_scorers(grades: list[str], scores: list[str], binaries: list[str]) -> list[ScorerSpec]:
    """Return scorer specs for grade columns, ``COLUMN=THRESHOLD`` scores and 0/1 flags."""
    from bias_audit import ScorerSpec

    specs = [ScorerSpec(c, c, "grade") for c in grades]
    for column, threshold in parse_pairs(scores, "--score").items():
        try:
            cut = float(threshold)
        except ValueError as exc:
            message = f"{threshold!r} is not a number"
            raise typer.BadParameter(message, param_hint="--score") from exc
        specs.append(ScorerSpec(column, column, "probability", threshold=cut))
    specs += [ScorerSpec(c, c, "binary") for c in binaries]
    if not specs:
        raise typer.BadParameter("name at least one --grade, --score or --binary column")
    return specs


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet table, or exit 2 saying why it cannot be read."""
    if not path.exists():
        err_console.print(f"[red]{path} does not exist[/red]")
        raise typer.Exit(code=2)
    if path.suffix not in (".csv", ".parquet"):
        err_console.print(f"[red]{path}: use a .csv or .parquet file[/red]")
        raise typer.Exit(code=2)
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def audited_or_exit(
    frame: pd.DataFrame,
    outcome: str,
    scorers: list[ScorerSpec],
    groups: list[str],
    config: AuditConfig,
) -> AuditResult:
    """Run the audit with a spinner, or exit 2 naming the unusable column."""
    from bias_audit import AuditInputError, run_audit

    try:
        with console.status(f"Auditing {len(frame):,} rows with {config.n_boot} draws..."):
            return run_audit(frame, outcome, scorers, groups, config)
    except AuditInputError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc


def report(result: AuditResult, out: Path) -> dict[str, Path]:
    """Write the HTML and JSON report and print the flagged disparities."""
    from bias_audit import write_report

    paths = write_report(result, out)
    console.print(flagged_table(result))
    console.print(disclosure_line(result))
    console.print(f"[green]Report: {paths['html']} (figures: {paths['json']})[/green]")
    return paths


@app.command("table")
def audit_table(
    path: Annotated[Path, typer.Argument(help="A .csv or .parquet table, one row per case.")],
    outcome: Annotated[str, typer.Option(help="Binary outcome column (0/1 or true/false).")],
    group: Annotated[list[str], typer.Option(help="Group column; repeat for several.")],
    grade: Annotated[
        list[str] | None, typer.Option(help="Grade column (standard/medium/high); repeatable.")
    ] = None,
    score: Annotated[
        list[str] | None, typer.Option(help="Probability column as COLUMN=THRESHOLD; repeatable.")
    ] = None,
    binary: Annotated[list[str] | None, typer.Option(help="0/1 flag column; repeatable.")] = None,
    reference: Annotated[
        list[str] | None, typer.Option(help="Reference group as GROUPING=VALUE; repeatable.")
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="Person id column: resample people, not rows.")
    ] = None,
    no_intersections: Annotated[
        bool, typer.Option("--no-intersections", help="Skip pairwise intersections.")
    ] = False,
    boot: Boot = 1000,
    min_people: MinPeople = 10,
    min_events: MinEvents = 5,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    out: Out = Path("out/audit"),
) -> None:
    """Audit any scored table: per-group metrics with intervals, disparities, disclosure control."""
    from bias_audit import AuditConfig

    scorers = table_scorers(grade or [], score or [], binary or [])
    config = AuditConfig(
        n_boot=boot,
        min_people=min_people,
        min_events=min_events,
        seed=seed,
        person_column=person,
        reference=parse_pairs(reference or [], "--reference"),
        intersections=not no_intersections,
    )
    frame = read_table(path)
    report(audited_or_exit(frame, outcome, scorers, group, config), out)


def load_registered(model_name: str | None, model_ref: str | None) -> LoadedModel:
    """Load a registered model the way serving does, or exit 1 saying how to train one."""
    from serving.model_loader import ModelNotAvailableError, load_model

    try:
        with console.status("Loading the registered model..."):
            return load_model(serving_settings(model_name, model_ref))
    except ModelNotAvailableError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=1) from exc


def model_scores(
    tables: dict[str, pd.DataFrame], model: LoadedModel, features: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Score every assessment of a cohort with the model (batch features, no SHAP)."""
    from features.engine import FeatureConfig, build_features

    with console.status("Building features and scoring every assessment..."):
        if features is None:
            features = build_features(tables, FeatureConfig(validate_output=False))
        rows = features.to_numpy(dtype=np.float64)[:, model.columns]
        probability = model.scorer.score(rows, explain=False, num_threads=2).probability
    return pd.DataFrame({"assessment_id": features.index.to_numpy(), "model": probability})


def audit_start(since: str, model: LoadedModel, tracking_uri: str) -> pd.Timestamp | None:
    """Resolve ``--since``: 'test' (the model's test period), 'all', or an ISO date."""
    if since == "all":
        return None
    if since != "test":
        try:
            return pd.Timestamp(since)
        except ValueError as exc:
            raise typer.BadParameter("use 'test', 'all' or a date", param_hint="--since") from exc
    from mlflow.tracking import MlflowClient

    params = MlflowClient(tracking_uri=tracking_uri).get_run(str(model.run_id)).data.params
    if "split_test_start" not in params:
        err_console.print("[red]the model's run logs no split_test_start; pass --since[/red]")
        raise typer.Exit(code=2)
    return pd.Timestamp(params["split_test_start"])


def audit_model_on_cohort(
    tables: dict[str, pd.DataFrame],
    metadata: dict[str, object],
    model: LoadedModel,
    config: AuditConfig,
    out: Path,
    since: str = "test",
    attach: bool = True,
    frames: CohortFrames | None = None,
) -> ModelAuditOutput:
    """Audit the statutory grade, officer grade and model on a cohort; attach to the model's run.

    ``frames`` are the cohort's grades and features when the caller built them already.
    """
    from bias_audit import AuditInputError
    from bias_audit.model_audit import run_model_audit

    uri = serving_settings().resolved_tracking_uri()
    start = audit_start(since, model, uri)
    scores = model_scores(tables, model, None if frames is None else frames.features)
    until = metadata.get("observed_until")
    try:
        with console.status(f"Auditing with {config.n_boot} bootstrap draws..."):
            return run_model_audit(
                tables,
                scores,
                {"model": model.scorer.spec.bands.high},
                out,
                run_id=model.run_id if attach else None,
                tracking_uri=uri,
                config=config,
                observed_until=None if until is None else str(until),
                audited={"model_name": model.name, "model_version": model.version},
                since=start,
                outcome=model.scorer.spec.target,
                frames=frames,
            )
    except AuditInputError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc


def print_model_audit(output: ModelAuditOutput, server_running: bool = True) -> None:
    """Print the flagged disparities, the officer effect and where the report went."""
    console.print(flagged_table(output.result))
    console.print(disclosure_line(output.result))
    officer = output.result.officer_effect or {}
    if "icc" in officer:
        low, high = officer.get("icc_ci", [float("nan"), float("nan")])
        console.print(
            f"Officer effect on the DASH yes-count: ICC {officer['icc']:.3f} "
            f"(95% CI {low:.3f} to {high:.3f}) after case history"
        )
    console.print(f"[green]Report: {output.paths['html']}[/green]")
    if output.artifact_uri:
        console.print(f"Attached to {output.artifact_uri}: served at GET /v1/audit")
        if server_running:
            console.print("A server already running shows it after POST /v1/admin/reload.")


@app.command("cohort")
def audit_cohort(
    directory: Annotated[Path, typer.Argument(help="Cohort directory (Parquet or CSV tables).")],
    model_name: ModelName = None,
    model_ref: ModelRef = None,
    since: Annotated[
        str, typer.Option(help="'test' (the model's test period), 'all', or a date.")
    ] = "test",
    attach: Annotated[
        bool, typer.Option(help="Attach the report to the model's MLflow run.")
    ] = True,
    boot: Boot = 1000,
    min_people: MinPeople = 10,
    min_events: MinEvents = 5,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    out: Out = Path("out/audit"),
) -> None:
    """Audit statutory grade, officer grade and the registered model across groups."""
    from bias_audit import AuditConfig

    tables, metadata = load_valid_cohort(directory)
    model = load_registered(model_name, model_ref)
    config = AuditConfig(
        n_boot=boot,
        min_people=min_people,
        min_events=min_events,
        seed=seed,
        person_column="victim_id",
    )
    output = audit_model_on_cohort(tables, metadata, model, config, out, since, attach)
    print_model_audit(output)
