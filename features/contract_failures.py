"""What a broken contract reports: one failure per table, row, column and rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class ContractFailure:
    """One broken rule: which table, row, column and rule, and the offending value."""

    table: str
    row: str
    column: str
    rule: str
    value: str

    def __str__(self) -> str:
        return f"{self.table}[row {self.row}].{self.column}: {self.rule} (value: {self.value})"


class ContractError(ValueError):
    """Raised when one or more tables break their contract; carries every failure."""

    def __init__(self, failures: list[ContractFailure]) -> None:
        self.failures = failures
        shown = "\n".join(f"  - {f}" for f in failures[:20])
        more = f"\n  ... and {len(failures) - 20} more" if len(failures) > 20 else ""
        super().__init__(f"{len(failures)} contract failure(s):\n{shown}{more}")


def row_label(index: Any) -> str:
    """Return a failure's row label: the index as text, or '-' when there is none."""
    return "-" if index is None or pd.isna(index) else str(index)


def failures_from_pandera(
    table: str,
    frame: pd.DataFrame,
    cases: pd.DataFrame,
    frame_check_columns: Mapping[str, tuple[str, ...]],
) -> list[ContractFailure]:
    """Turn pandera's failure cases into failures naming table, row, column(s), rule, value."""
    out: list[ContractFailure] = []
    seen_frame_checks: set[tuple[str, str]] = set()
    for rec in cases.to_dict("records"):
        rule, row = str(rec.get("check")), row_label(rec.get("index"))
        columns = frame_check_columns.get(rule)
        if columns is not None:
            if (row, rule) in seen_frame_checks:
                continue  # pandera reports a frame-wide check once per column; keep one
            seen_frame_checks.add((row, rule))
            values = frame.loc[rec["index"], list(columns)].to_dict()
            out.append(ContractFailure(table, row, ", ".join(columns), rule, str(values)))
            continue
        column = rec.get("column")
        name = "(table)" if column is None or column == table else str(column)
        out.append(ContractFailure(table, row, name, rule, str(rec.get("failure_case"))))
    return out
