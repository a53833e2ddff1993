"""CLI commands under ``audit``: the bias audit of a cohort's model, or of any scored table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.table import Table

from secondlook_cli.console import console, err_console

if TYPE_CHECKING:
    from audit import AuditConfig, AuditResult, ScorerSpec

app = typer.Typer(
    help="Bias audit: DASH, officer grade and model compared across groups.",
    no_args_is_help=True,
)

Boot = Annotated[int, typer.Option(min=20, help="Bootstrap draws for the intervals.")]
MinPeople = Annotated[
    int, typer.Option(min=1, help="Groups with fewer people are shown as suppressed.")
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
    from audit import ScorerSpec

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


def flagged_table(result: AuditResult) -> Table:
    """Render the flagged disparities (interval excludes parity after the family correction)."""
    flagged = result.flagged
    table = Table(title=f"{len(flagged)} flagged disparit{'y' if len(flagged) == 1 else 'ies'}")
    for heading in ("scorer", "grouping", "group", "vs", "metric", "difference", "95% CI"):
        table.add_column(heading)
    for d in flagged:
        low, high = d.difference_ci
        table.add_row(
            d.scorer,
            d.grouping,
            d.group,
            d.reference,
            d.metric,
            f"{d.difference:+.3f}",
            f"{low:+.3f} to {high:+.3f}",
        )
    return table


def audited_or_exit(
    frame: pd.DataFrame,
    outcome: str,
    scorers: list[ScorerSpec],
    groups: list[str],
    config: AuditConfig,
) -> AuditResult:
    """Run the audit with a spinner, or exit 2 naming the unusable column."""
    from audit import AuditInputError, run_audit

    try:
        with console.status(f"Auditing {len(frame):,} rows with {config.n_boot} draws..."):
            return run_audit(frame, outcome, scorers, groups, config)
    except AuditInputError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc


def report(result: AuditResult, out: Path) -> dict[str, Path]:
    """Write the HTML and JSON report and print the flagged disparities."""
    from audit import write_report

    paths = write_report(result, out)
    console.print(flagged_table(result))
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
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    out: Out = Path("out/audit"),
) -> None:
    """Audit any scored table: per-group metrics with intervals, disparities, suppression."""
    from audit import AuditConfig

    scorers = table_scorers(grade or [], score or [], binary or [])
    config = AuditConfig(
        n_boot=boot,
        min_people=min_people,
        seed=seed,
        person_column=person,
        reference=parse_pairs(reference or [], "--reference"),
        intersections=not no_intersections,
    )
    frame = read_table(path)
    report(audited_or_exit(frame, outcome, scorers, group, config), out)
