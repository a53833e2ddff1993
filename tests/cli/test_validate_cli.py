from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from features.io import write_cohort
from secondlook_cli.main import app

runner = CliRunner()


def test_validate_accepts_a_valid_cohort(
    tmp_path: Path, minimal_tables: dict[str, pd.DataFrame]
) -> None:
    write_cohort(minimal_tables, tmp_path)
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "meet their contracts" in result.output


def test_validate_lists_every_failure_and_exits_non_zero(
    tmp_path: Path, minimal_tables: dict[str, pd.DataFrame]
) -> None:
    assessments = minimal_tables["dash_assessments"].copy()
    assessments.loc[0, "q3"] = "perhaps"
    assessments.loc[2, "incident_id"] = "I404"
    minimal_tables["dash_assessments"] = assessments
    people = minimal_tables["people"].copy()
    people.loc[0, "ethnicity"] = "martian"
    minimal_tables["people"] = people
    write_cohort(minimal_tables, tmp_path, "csv")
    report = tmp_path / "failures.csv"
    result = runner.invoke(app, ["validate", str(tmp_path), "--report", str(report)])
    assert result.exit_code == 1
    with report.open() as handle:
        rows = {(r["table"], r["row"], r["column"]) for r in csv.DictReader(handle)}
    assert rows == {
        ("dash_assessments", "0", "q3"),
        ("people", "0", "ethnicity"),
        ("dash_assessments", "2", "incident_id"),
    }


def test_validate_names_a_missing_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "incidents" in result.output or "people" in result.output
