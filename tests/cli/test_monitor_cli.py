"""``secondlook replay`` and ``secondlook monitor``: files written, documented fields, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from secondlook_cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("replay")
    args = ["replay", str(out), "--months", "14", "--victims", "30000", "--seed", "2"]
    result = runner.invoke(app, [*args, "--drift", "fear-underrecorded"])
    assert result.exit_code == 0, result.output
    assert "fear-underrecorded in area_03 from 2025-11" in result.output
    return out


def test_monitor_writes_json_with_alerts_and_a_readable_page(
    replayed: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["monitor", str(replayed), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "monitor.json").read_text())
    assert doc["window"] == "month" and doc["source"]["drifts"][0]["area"] == "area_03"
    assert {w["window"] for w in doc["windows"]} == {
        f"{y}-{m:02d}" for y, m in [(2024, 11), (2024, 12)] + [(2025, k) for k in range(1, 13)]
    }
    q2 = [a for a in doc["alerts"] if a["question"] == "q2" and a["group"] == "area_03"]
    assert q2 and all(a["window"] >= "2025-11" for a in q2)
    page = (tmp_path / "monitor.html").read_text()
    assert "Model monitoring" in page and "fear-underrecorded in area_03 from 2025-11" in page


def test_weekly_windows(replayed: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["monitor", str(replayed), "--out", str(tmp_path), "--window", "week"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "monitor.json").read_text())
    assert doc["window"] == "week" and len({w["window"] for w in doc["windows"]}) > 55


def test_bad_window_and_drift_are_named(replayed: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["monitor", str(replayed), "--out", str(tmp_path), "--window", "day"]
    )
    assert result.exit_code == 2 and "--window" in result.output
    result = runner.invoke(app, ["replay", str(tmp_path), "--drift", "weather"])
    assert result.exit_code == 2 and "weather" in result.output


def test_a_folder_without_scored_cases_is_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "scored_cases.parquet" in result.output and "secondlook replay" in result.output


def test_the_page_summarises_each_alerted_input_by_area_and_windows() -> None:
    from monitoring.report import alert_summary

    base = {"kind": "input_drift", "metric": "psi", "feature": None, "question": "q2"}
    alerts = [
        {**base, "group": "area_03", "window": "2025-02", "value": 0.4},
        {**base, "group": "area_03", "window": "2025-01", "value": 0.6},
        {**base, "group": "all", "window": "2025-01", "value": 0.3},
    ]
    rows = alert_summary(alerts)
    assert [(r["group"], r["what"], sorted(r["windows"]), r["peak"]) for r in rows] == [
        ("all", "q2", ["2025-01"], 0.3),
        ("area_03", "q2", ["2025-01", "2025-02"], 0.6),
    ]


def test_matured_windows_report_performance_and_later_ones_say_so(
    replayed: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["monitor", str(replayed), "--out", str(tmp_path)]).exit_code == 0
    doc = json.loads((tmp_path / "monitor.json").read_text())
    overall = {w["window"]: w["performance"] for w in doc["windows"] if w["group"] == "all"}
    assert 0.5 < overall["2024-11"]["auc"] < 1.0 and overall["2024-11"]["n_matured"] > 100
    assert overall["2025-06"]["n_matured"] == 0 and overall["2025-06"]["auc"] is None
    assert "not yet matured" in (tmp_path / "monitor.html").read_text()
