"""Partitioned cohorts and outputs on disk: one Parquet file per partition.

A partitioned cohort directory holds, per table, a directory ``<table>.parquet/`` of files
``part-00000.parquet``, ``part-00001.parquet``, ... (part ``k`` of every table is one closed
cohort), plus the usual ``cohort.json``. Parquet readers (pandas, pyarrow, Dask) read such a
directory as one table with the parts in order, so the single-process commands read a
partitioned cohort as they read a flat one. Outputs (features, grades, scores) use the same
form: a directory of ``part-NNNNN.parquet`` files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from features.vocab import OPTIONAL_TABLES, TABLES

PART_GLOB: Final[str] = "part-*.parquet"


def part_name(k: int) -> str:
    """Return the file name of part ``k``."""
    return f"part-{k:05d}.parquet"


def table_dir(directory: Path, table: str) -> Path:
    """Return the directory holding a partitioned table's parts."""
    return directory / f"{table}.parquet"


def partition_count(directory: Path) -> int | None:
    """Return the number of parts of a partitioned cohort, or None for a flat one."""
    incidents = table_dir(directory, "incidents")
    if not incidents.is_dir():
        return None
    return len(list(incidents.glob(PART_GLOB)))


@dataclass(frozen=True)
class PartRef:
    """Part ``index`` of the partitioned cohort in ``directory`` (what a worker is handed)."""

    directory: str
    index: int

    def read(self) -> dict[str, pd.DataFrame]:
        """Read this part of every required table and of any optional one present."""
        root = Path(self.directory)
        names = [*TABLES, *(t for t in OPTIONAL_TABLES if table_dir(root, t).is_dir())]
        return {t: pd.read_parquet(table_dir(root, t) / part_name(self.index)) for t in names}


def write_part(tables: dict[str, pd.DataFrame], directory: Path, k: int) -> None:
    """Write part ``k`` of every table under ``directory``."""
    for name, frame in tables.items():
        folder = table_dir(directory, name)
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(folder / part_name(k), index=False, compression="zstd")


def write_output(frame: pd.DataFrame, directory: Path, k: int, *, index: bool) -> Path:
    """Write part ``k`` of an output (features, grades, scores) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / part_name(k)
    frame.to_parquet(path, index=index)
    return path


def read_output(directory: Path) -> pd.DataFrame:
    """Read every part of an output directory, in part order, as one frame."""
    parts = sorted(directory.glob(PART_GLOB))
    if not parts:
        raise FileNotFoundError(f"{directory} holds no {PART_GLOB} files")
    return pd.concat([pd.read_parquet(p) for p in parts])


def clear_output(directory: Path) -> None:
    """Remove the part files of an earlier run, so a smaller run leaves no stale parts."""
    for path in directory.glob(PART_GLOB):
        path.unlink()
