"""CLI commands under ``features``: build the point-in-time feature table of a cohort."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from features.engine import FeatureConfig, build_features, feature_summary
from secondlook_cli.cohort import load_valid_cohort
from secondlook_cli.console import console, stage_reporter
from secondlook_cli.scale_cmds import DaskOption, features_partitioned

app = typer.Typer(help="Point-in-time features for every DASH assessment.", no_args_is_help=True)

FEATURE_STAGES = (
    "encoding tables",
    "incident history",
    "earlier assessments",
    "history events",
    "current incident and DASH",
    "validating output",
)


def missing_table(summary: dict[str, Any]) -> Table:
    """Render the missing share per feature family."""
    table = Table(title=f"{summary['rows']:,} rows x {summary['features']} features")
    table.add_column("family")
    table.add_column("missing share", justify="right")
    for family, share in summary["missing_share_by_family"].items():
        table.add_row(str(family), f"{float(share):.1%}")
    return table


@app.command("build")
def build(
    directory: Annotated[Path, typer.Argument(help="Cohort directory (Parquet or CSV tables).")],
    out: Annotated[
        Path, typer.Option(help="Output file, .parquet or .csv, one row per assessment.")
    ] = Path("out/features.parquet"),
    dask: DaskOption = None,
) -> None:
    """Build every registered feature for every assessment from strictly earlier data."""
    if out.suffix not in (".parquet", ".csv"):
        raise typer.BadParameter("use a .parquet or .csv suffix", param_hint="--out")
    if dask is not None:
        console.print(missing_table(features_partitioned(directory, out, dask)))
        return console.print(f"[green]Wrote feature partitions to {out}[/green]")
    tables, _ = load_valid_cohort(directory)
    with stage_reporter(FEATURE_STAGES, "Features") as progress:
        frame = build_features(tables, FeatureConfig(), progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        frame.to_parquet(out)
    else:
        frame.to_csv(out)
    console.print(missing_table(feature_summary(frame)))
    console.print(f"[green]Wrote {len(frame):,} feature rows to {out}[/green]")
