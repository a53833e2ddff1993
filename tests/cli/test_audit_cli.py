"""``secondlook audit table``: any scored table, clear errors for bad columns and options."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from secondlook_cli.main import app

runner = CliRunner()


def _scored_table(path: Path, n: int = 600, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "tiny"], size=n, p=[0.6, 0.39, 0.01])
    outcome = rng.random(n) < 0.2
    frame = pd.DataFrame(
        {
            "person": [f"P{i // 2}" for i in range(n)],
            "harm": outcome.astype(int),
            "risk": np.clip(0.2 + 0.3 * outcome + rng.normal(0, 0.2, n), 0, 1),
            "tool_grade": rng.choice(["standard", "medium", "high"], size=n),
            "region": group,
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_audit_table_writes_html_and_json_with_suppression(tmp_path: Path) -> None:
    table = _scored_table(tmp_path / "scores.csv")
    args = [
        "audit", "table", str(table), "--outcome", "harm", "--group", "region",
        "--score", "risk=0.4", "--grade", "tool_grade", "--person", "person",
        "--boot", "50", "--out", str(tmp_path / "report"),
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report" / "audit_report.html").read_text()
    figures = json.loads((tmp_path / "report" / "audit_report.json").read_text())
    assert "<html" in html.lower()
    assert "tiny" in json.dumps(figures) and "suppress" in json.dumps(figures).lower()
    assert "Disclosure control:" in result.output and figures["settings"]["min_events"] == 5


def test_audit_table_names_a_missing_column(tmp_path: Path) -> None:
    table = _scored_table(tmp_path / "scores.csv")
    args = ["audit", "table", str(table), "--outcome", "harm", "--group", "postcode",
            "--grade", "tool_grade", "--boot", "50", "--out", str(tmp_path / "r")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "postcode" in result.output


def test_audit_table_rejects_malformed_options(tmp_path: Path) -> None:
    table = _scored_table(tmp_path / "scores.csv")
    base = ["audit", "table", str(table), "--outcome", "harm", "--group", "region"]
    no_scorer = runner.invoke(app, base)
    assert no_scorer.exit_code == 2
    bad_threshold = runner.invoke(app, [*base, "--score", "risk=high"])
    assert bad_threshold.exit_code == 2
    assert "risk=high" in bad_threshold.output or "'high'" in bad_threshold.output
