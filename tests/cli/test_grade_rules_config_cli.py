"""``secondlook grade`` with a force's rules configuration: less protective needs a reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from features.io import write_cohort
from secondlook_cli.main import app

runner = CliRunner()


def _grade(tmp_path: Path, tables: dict[str, pd.DataFrame], config: str) -> tuple[int, str]:
    write_cohort(tables, tmp_path / "c")
    (tmp_path / "force.yaml").write_text(config)
    out = tmp_path / "g.csv"
    args = ["grade", str(tmp_path / "c"), "--out", str(out), "--rules-config"]
    result = runner.invoke(app, [*args, str(tmp_path / "force.yaml")])
    return result.exit_code, result.output


def test_a_less_protective_threshold_without_a_reason_exits_2_naming_it(
    tmp_path: Path, minimal_tables: dict[str, pd.DataFrame]
) -> None:
    code, output = _grade(tmp_path, minimal_tables, "vhr_min_yes: 20\n")
    assert code == 2 and "vhr_min_yes" in output and "14" in output
    assert not (tmp_path / "g.csv").exists()


def test_a_recorded_reason_is_accepted_and_written_on_every_row(
    tmp_path: Path, minimal_tables: dict[str, pd.DataFrame]
) -> None:
    config = "vhr_min_yes: 20\nless_protective: {vhr_min_yes: agreed by the board}\n"
    code, output = _grade(tmp_path, minimal_tables, config)
    assert code == 0, output
    assert "Less protective than the default: vhr_min_yes" in output
    rows = pd.read_csv(tmp_path / "g.csv")
    assert rows["less_protective"].str.contains("agreed by the board").all()
    high = rows[rows["statutory_grade"] == "high"]
    assert high["actions"].str.contains("marac_referral").all()
    assert high["actions"].str.contains("idva_referral").all()
