"""Load a cohort directory for a command: read it, check every contract, stop on any failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import typer

from features.contracts import check_tables
from features.io import CohortNotFoundError, read_cohort, read_metadata
from secondlook_cli.console import err_console, failures_table


def load_valid_cohort(directory: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Return the cohort's tables and metadata, or exit 1 listing every contract failure.

    Commands never work on data that fails its contracts: nothing is dropped or repaired
    silently. ``secondlook validate DIR --report FILE`` writes the full list.
    """
    try:
        tables = read_cohort(directory)
    except CohortNotFoundError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc
    _, failures = check_tables(tables)
    if failures:
        err_console.print(failures_table(failures))
        err_console.print(f"[red]{directory} fails its contracts; nothing was processed.[/red]")
        raise typer.Exit(code=1)
    return dict(tables), read_metadata(directory)
