"""Read and write a cohort: one file per table (Parquet by default, CSV on request)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from features.vocab import OPTIONAL_TABLES, TABLES

TableFormat = Literal["parquet", "csv"]
METADATA_FILE = "cohort.json"
_DATE_COLUMNS = {
    "incidents": ["occurred_at"],
    "dash_assessments": ["completed_at"],
    "history_events": ["event_date", "end_date"],
}


class CohortNotFoundError(FileNotFoundError):
    """Raised when a directory lacks a required table."""


def _table_path(directory: Path, table: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        path = directory / f"{table}{suffix}"
        if path.exists():
            return path
    return None


def read_table(directory: Path, table: str) -> pd.DataFrame:
    """Read one table from ``directory`` (Parquet or CSV), without validating it."""
    path = _table_path(directory, table)
    if path is None:
        raise CohortNotFoundError(f"{directory} has no {table}.parquet or {table}.csv")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    dates = _DATE_COLUMNS.get(table, [])
    return pd.read_csv(path, parse_dates=dates, keep_default_na=True)


def read_cohort(directory: Path) -> dict[str, pd.DataFrame]:
    """Read every required table and any optional ones present (e.g. the oracle)."""
    tables = {name: read_table(directory, name) for name in TABLES}
    for name in OPTIONAL_TABLES:
        if _table_path(directory, name) is not None:
            tables[name] = read_table(directory, name)
    return tables


def write_cohort(
    tables: dict[str, pd.DataFrame],
    directory: Path,
    fmt: TableFormat = "parquet",
    metadata: dict[str, Any] | None = None,
) -> list[Path]:
    """Write each table to ``directory`` deterministically; return the written paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False, compression="zstd")
        else:
            frame.to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        written.append(path)
    if metadata is not None:
        meta_path = directory / METADATA_FILE
        meta_path.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
        written.append(meta_path)
    return written


def read_metadata(directory: Path) -> dict[str, Any]:
    """Return the cohort's metadata (generator parameters, observation end) or an empty dict."""
    path = directory / METADATA_FILE
    return dict(json.loads(path.read_text())) if path.exists() else {}
