"""The model page tells the truth about itself: metrics in words with intervals, engineering
figures in an appendix, the Fairness section from the attached audit, the cited plots, and a
plain statement when the served model is a challenger."""

from __future__ import annotations

import base64
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from mlflow.tracking import MlflowClient

from bias_audit.disparity import Disparity
from serving.model_loader import LoadedModel
from serving.schemas_out import ModelInfo
from serving.web.fairness import fill_fairness
from serving.web.metric_rows import metric_rows, scorer_columns
from serving.web.model_view import build_model_view, exact_percent, registry_facts
from tests.serving.model_factory import MODEL_NAME, register_by_hand, tiny_scorer
from tests.web.web_util import TestClient

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _disparity(group: str, diff: float, flagged: bool) -> dict[str, object]:
    return asdict(
        Disparity(
            "model",
            "sex",
            "fnr",
            group,
            "female",
            diff,
            (diff - 0.02, diff + 0.02),
            1.1,
            (1.0, 1.2),
            0.01,
            0.01,
            True,
            p_adjusted=0.02,
            flagged=flagged,
        )
    )


AUDIT = {
    "outcome": "serious_harm_365d",
    "n_people": 1234,
    "disparities": [_disparity("male", 0.012, False), _disparity("other", -0.051, True)],
    "multiple_comparisons": {"family_size": 40},
}


def test_the_fairness_section_is_filled_from_the_attached_audit() -> None:
    card = "# Card\n\n## Calibration\nfine\n\n## Fairness\n*Placeholder*\n\n## After\nkept\n"
    out = fill_fairness(card, AUDIT)
    assert "Placeholder" not in out and "## After\nkept" in out and "## Calibration\nfine" in out
    assert "1 of 40 disparity tests are flagged" in out and "1234 people" in out
    first, second = out.index("other against female"), out.index("male against female")
    assert first < second  # flagged first, then by size
    assert "-0.051 (-0.071 to -0.031)" in out and "**flagged**" in out
    assert "/v1/audit/report" in out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(table) == 3 and not any("_" in line for line in table)  # words, not codes
    missing = fill_fairness(card, None)
    assert "No bias audit is attached" in missing and "secondlook audit" in missing


def test_metrics_are_in_words_with_intervals_and_engineering_goes_to_the_appendix() -> None:
    metrics = {
        "model": {
            "roc_auc": 0.86,
            "auc_ci_low": 0.85,
            "auc_ci_high": 0.87,
            "brier": 0.03,
            "fit_seconds": 2.5,
            "n_trees": 120.0,
            "contrib_ms_per_row": 0.02,
        },
        "dash_count": {"roc_auc": 0.61, "brier": 0.04},
    }
    info = ModelInfo(
        name="m",
        version="1",
        alias="champion",
        run_id=None,
        target="t",
        loaded_at=datetime.now(UTC),
        bands={"medium": 0.0384, "high": 0.1},
        metrics=metrics,
        versus_dash={"roc_auc": 0.25, "brier": -0.01},
        features=[],
        rules_version="r",
        model_card="",
    )
    rows, appendix = metric_rows(info, scorer_columns(metrics))
    auc = next(r for r in rows if "ROC AUC" in r.name)
    assert auc.values == ["0.860 (0.850–0.870)", "0.610"] and auc.versus_dash == "+0.250"
    assert all("_" not in r.name for r in rows)
    assert {r.name for r in appendix} == {
        "Fit time (seconds)",
        "Number of trees",
        "TreeSHAP time per case (milliseconds)",
    }
    assert exact_percent(0.0384) == "3.84%" and exact_percent(0.1) == "10%"


def test_the_model_page_shows_thresholds_exactly_and_the_fairness_state(
    reviewer_client: TestClient,
) -> None:
    html = reviewer_client.get("/reviewer/model").text
    assert "bands applied: medium from 30%, high from 60%" in html
    assert "No bias audit is attached" in html
    assert "challenger" not in html.lower()


def test_a_challenger_says_why_and_what_an_admin_can_do(
    tmp_path: Path, loaded_model: LoadedModel, web_tables: dict[str, pd.DataFrame]
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    version = register_by_hand(uri, tiny_scorer(web_tables), alias="challenger")
    client = MlflowClient(uri, uri)
    client.set_model_version_tag(MODEL_NAME, version, "alias_decision", "challenger")
    client.set_model_version_tag(
        MODEL_NAME, version, "alias_reason", "ECE 0.0201 exceeds the limit 0.0200"
    )
    run_id = client.get_model_version(MODEL_NAME, version).run_id
    png = tmp_path / "calibration.png"
    png.write_bytes(PNG)
    client.log_artifact(run_id, str(png), "report")
    model = replace(loaded_model, version=version, run_id=run_id, alias="challenger")
    view = build_model_view(model, uri)
    assert view.challenger and view.facts.reason == "ECE 0.0201 exceeds the limit 0.0200"
    assert [c for c, _ in view.facts.plots] == [
        "Calibration on the test period: predicted against observed"
    ]
    assert view.facts.plots[0][1].startswith("data:image/png;base64,")
    registry_facts.cache_clear()
