import json

import numpy as np
import pandas as pd
import pytest

from monitoring import Reference, Thresholds, build_reference, run_monitor
from monitoring import columns as col
from tests.monitoring.scored import scored_cases


@pytest.fixture(scope="module")
def reference() -> Reference:
    return build_reference(scored_cases(20_000, seed=0, start="2023-01-01", days=365))


def _keys(alerts: list) -> set[tuple]:
    return {(a.kind, a.metric, a.feature or a.question, a.group, a.window) for a in alerts}


def test_the_reference_survives_json(reference: Reference) -> None:
    again = Reference.from_json(reference.to_json())
    assert again == reference
    assert set(again.groups) == {"all", "area_01", "area_02"}


def test_no_alert_when_nothing_changed(reference: Reference) -> None:
    result = run_monitor(scored_cases(6_000, seed=1), reference)
    assert result.alerts == []
    assert {w["window"] for w in result.windows} == {f"2024-0{m}" for m in range(1, 7)}


def test_a_shifted_feature_in_one_area_is_flagged_there_and_only_from_the_shift() -> None:
    ref = build_reference(scored_cases(20_000, seed=0, start="2023-01-01", days=365))
    live = scored_cases(6_000, seed=2)
    name = col.MONITORED_FEATURES[0]
    moved = (live[col.AREA] == "area_02") & (live[col.TIME] >= pd.Timestamp("2024-04-01"))
    live.loc[moved, name] += 1.5
    keys = _keys(run_monitor(live, ref).alerts)
    flagged = {k for k in keys if k[0] == "input_drift"}
    assert {(g, w) for *_, g, w in flagged} == {
        (g, w) for g in ("area_02", "all") for w in ("2024-04", "2024-05", "2024-06")
    }
    assert {k[2] for k in keys} == {name}


def test_question_recoding_raises_psi_and_missingness_alerts(reference: Reference) -> None:
    live = scored_cases(6_000, seed=3)
    q = col.QUESTIONS[4]
    area = live[col.AREA] == "area_01"
    live.loc[area & (live[q] == "yes"), q] = "dont_know"
    alerts = run_monitor(live, reference).alerts
    assert {(a.kind, a.metric) for a in alerts} == {
        ("input_drift", "psi"),
        ("missingness", "dont_know_rate"),
    }
    assert {a.question for a in alerts} == {q} and {a.group for a in alerts} == {"area_01", "all"}
    rate = next(a for a in alerts if a.metric == "dont_know_rate" and a.group == "area_01")
    assert rate.value == pytest.approx(0.40, abs=0.05) and rate.threshold == 0.10


def test_decision_drift_names_the_share_and_its_reference(reference: Reference) -> None:
    live = scored_cases(3_000, seed=4)
    live[col.REVIEW] = np.random.default_rng(0).random(len(live)) < 0.3
    alerts = run_monitor(live, reference).alerts
    assert alerts and {(a.kind, a.metric) for a in alerts} == {("decision_drift", "review_rate")}
    assert all(a.reference == pytest.approx(0.1, abs=0.01) for a in alerts)


def test_small_windows_raise_nothing_and_thresholds_are_configurable(reference: Reference) -> None:
    live = scored_cases(6_000, seed=5)
    live[col.REVIEW] = True
    assert run_monitor(live, reference, Thresholds(min_cases=10_000)).alerts == []
    assert run_monitor(live, reference, Thresholds(share_change=0.95)).alerts == []


def test_the_result_is_json_with_the_documented_alert_fields(reference: Reference) -> None:
    live = scored_cases(2_000, seed=6)
    live[col.REVIEW] = True
    doc = json.loads(json.dumps(run_monitor(live, reference).to_dict(), allow_nan=False))
    assert doc["alerts"]
    for alert in doc["alerts"]:
        fields = ("kind", "metric", "feature", "question", "group", "window", "value")
        assert all(key in alert for key in (*fields, "threshold"))


def test_missing_columns_are_named(reference: Reference) -> None:
    with pytest.raises(ValueError, match="probability"):
        run_monitor(scored_cases(100, seed=7).drop(columns=[col.PROBABILITY]), reference)


def test_a_one_window_burst_is_not_drift_but_two_windows_are(reference: Reference) -> None:
    live = scored_cases(6_000, seed=8)
    month = live[col.TIME].dt.month
    live.loc[month == 2, col.REVIEW] = True
    assert run_monitor(live, reference).alerts == []
    assert {a.window for a in run_monitor(live, reference, Thresholds(persistence=1)).alerts} == {
        "2024-02"
    }
    live.loc[month == 3, col.REVIEW] = True
    assert {a.window for a in run_monitor(live, reference).alerts} == {"2024-02", "2024-03"}
