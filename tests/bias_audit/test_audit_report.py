"""The HTML report is self-contained and accessible; JSON carries every figure; MLflow hook."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bias_audit import AuditConfig, ScorerSpec, run_audit
from bias_audit.report import attach_to_mlflow, render_html, write_report


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(11)
    n = 3_000
    group = rng.choice(["a", "b", "c"], n)
    p = rng.beta(2, 8, n)
    table = pd.DataFrame(
        {
            "y": rng.random(n) < p,
            "p": p,
            # group c is flagged far less often for the same risk: a real disparity
            "grade": np.where(
                (p > 0.3) & ((group != "c") | (rng.random(n) < 0.3)), "high", "standard"
            ),
            "group": group,
            "band": rng.choice(["x", "y"], n),
        }
    )
    scorers = [ScorerSpec("grade", "grade"), ScorerSpec("model", "p", "probability", threshold=0.3)]
    return run_audit(table, "y", scorers, ["group", "band"], AuditConfig(n_boot=200, seed=3))


def test_real_disparity_is_flagged_and_shown(result) -> None:  # type: ignore[no-untyped-def]
    flagged = {(d.scorer, d.grouping, d.group, d.metric) for d in result.flagged}
    assert ("grade", "group", "c", "selection_rate") in flagged
    assert ("grade", "group", "c", "fnr") in flagged
    assert not any(d.scorer == "model" and d.grouping == "group" for d in result.flagged)
    html = render_html(result)
    assert "Flagged disparities" in html and "Benjamini–Hochberg" in html


def test_html_is_self_contained_and_accessible(result) -> None:  # type: ignore[no-untyped-def]
    html = render_html(result)
    assert not re.search(r"(src|href)=\"https?://", html)
    assert '<html lang="en">' in html and "<caption>" in html and "<h1>" in html
    figures = re.findall(r"<svg [^>]*>", html)
    assert figures and all('role="img"' in f and 'aria-label="' in f for f in figures)
    assert "<text" in html and "<img" not in html  # figure text is text, not pixels


def test_report_reads_in_words_with_contents_and_the_rule_first(result) -> None:  # type: ignore[no-untyped-def]
    html = render_html(result)
    assert html.index("Disclosure control") < html.index("Contents") < html.index("Flagged")
    assert "at least 10 people" in html and "are withheld under the rule" in html
    for section in ("by-group", "by-band", "by-group-band"):
        assert f'href="#{section}"' in html and f'id="{section}"' in html
    for abbreviation in ("FPR", "FNR", "AUC", "ECE"):  # spelled out, abbreviated once
        assert html.count(f"({abbreviation})") == 1
        assert abbreviation not in html.replace(f"({abbreviation})", "")
    assert "run_id" not in html and ", ;" not in html and "None" not in html
    assert "@media print" in html


def test_write_report_and_attach(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = write_report(result, tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert data["n_rows"] == 3_000 and len(data["groups"]) == 2 * 3
    assert paths["html"].read_text().startswith("<!DOCTYPE html>")

    class Client:
        def __init__(self) -> None:
            self.logged: list[tuple[str, str, str]] = []

        def log_artifact(self, run_id: str, path: str, artifact_path: str) -> None:
            self.logged.append((run_id, path, artifact_path))

    client = Client()
    attach_to_mlflow(paths, "run-1", client)
    assert {p for _, p, _ in client.logged} == {str(paths["html"]), str(paths["json"])}
    assert {a for _, _, a in client.logged} == {"audit"}
