"""CLI command ``grade``: the statutory grade, actions and reasons for every assessment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from features.rules import GradeSummary, RulesConfig, grade_cohort_to_file, load_config
from secondlook_cli.cohort import load_valid_cohort
from secondlook_cli.console import console, err_console
from secondlook_cli.scale_cmds import DaskOption, grades_partitioned


def summary_tables(summary: GradeSummary) -> tuple[Table, Table]:
    """Render the counts by statutory grade and by required action."""
    grades = Table(title=f"{summary.n_assessments:,} assessments by statutory grade")
    grades.add_column("grade")
    grades.add_column("assessments", justify="right")
    grades.add_column("share", justify="right")
    for grade, count in summary.by_grade.items():
        share = count / summary.n_assessments if summary.n_assessments else 0.0
        grades.add_row(grade, f"{count:,}", f"{share:.1%}")
    actions = Table(title=f"Required actions (rules {summary.rules_version})")
    actions.add_column("action")
    actions.add_column("assessments", justify="right")
    for action, count in summary.by_action.items():
        actions.add_row(action, f"{count:,}")
    return grades, actions


def read_rules_config(path: Path | None) -> RulesConfig | None:
    """Load a force's rules configuration, or exit 2 naming what is wrong with it."""
    if path is None:
        return None
    try:
        return load_config(path)
    except (OSError, ValidationError, ValueError) as exc:
        err_console.print(f"[red]rules config {path}: {exc}[/red]")
        raise typer.Exit(code=2) from exc


def grade(
    directory: Annotated[Path, typer.Argument(help="Cohort directory (Parquet or CSV tables).")],
    out: Annotated[
        Path, typer.Option(help="Output file, .parquet or .csv: one row per assessment.")
    ] = Path("out/grades.parquet"),
    rules_config: Annotated[
        Path | None, typer.Option(help="YAML with the force's threshold overrides.")
    ] = None,
    dask: DaskOption = None,
) -> None:
    """Grade every assessment by the statutory rules: grade, actions, reasons and sources."""
    if out.suffix not in (".parquet", ".csv"):
        raise typer.BadParameter("use a .parquet or .csv suffix", param_hint="--out")
    config = read_rules_config(rules_config)
    if dask is not None:
        summary = grades_partitioned(directory, out, config, dask)
    else:
        tables, _ = load_valid_cohort(directory)
        with console.status("Grading assessments..."):
            summary = grade_cohort_to_file(tables, out, config)
    for table in summary_tables(summary):
        console.print(table)
    if summary.non_default_thresholds:
        console.print(f"Non-default thresholds: {summary.non_default_thresholds}")
    for name, why in summary.less_protective.items():
        console.print(f"[yellow]Less protective than the default: {name} ({why})[/yellow]")
    console.print(f"[green]Wrote {summary.n_assessments:,} graded assessments to {out}[/green]")
