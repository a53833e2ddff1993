"""Load a cohort directory for a command: read it, check every contract, stop on any failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import typer

from features.contracts import check_tables
from features.io import CohortNotFoundError, read_cohort, read_metadata
from secondlook_cli.console import err_console, failures_table


def read_cohort_or_exit(directory: Path) -> dict[str, pd.DataFrame]:
    """Read every table of a cohort directory, or exit 2 naming the missing table."""
    try:
        return dict(read_cohort(directory))
    except CohortNotFoundError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc


def load_valid_cohort(directory: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Return the cohort's tables and metadata, or exit 1 listing every contract failure.

    Commands never work on data that fails its contracts: nothing is dropped or repaired
    silently. ``secondlook validate DIR --report FILE`` writes the full list.
    """
    tables = read_cohort_or_exit(directory)
    _, failures = check_tables(tables)
    if failures:
        err_console.print(failures_table(failures))
        err_console.print(f"[red]{directory} fails its contracts; nothing was processed.[/red]")
        raise typer.Exit(code=1)
    return tables, read_metadata(directory)
