from monitoring.alerts import Alert
from monitoring.expected import detected_windows, unexplained

DRIFT = {"area": "area_03", "start_window": "2025-01", "questions": ["q2"], "features": ["x"]}


def _alert(
    kind: str = "input_drift", q: str | None = "q2", group: str = "area_03", window: str = "2025-02"
) -> Alert:
    return Alert(kind, "psi", None, q, group, window, 0.5, 0.25)  # type: ignore[arg-type]


def test_only_the_drifts_inputs_in_its_area_from_its_start_are_explained() -> None:
    explained = [_alert(), _alert(group="all"), _alert("decision_drift", q=None)]
    wrong = [_alert(q="q3"), _alert(group="area_04"), _alert(window="2024-12")]
    assert unexplained(explained + wrong, [DRIFT]) == wrong
    assert unexplained(explained, []) == explained


def test_detected_windows_are_the_areas_windows_on_its_inputs() -> None:
    alerts = [
        _alert(window="2025-03"),
        _alert(window="2025-01"),
        _alert(group="all"),
        _alert(q="q9"),
    ]
    assert detected_windows(alerts, DRIFT) == ["2025-01", "2025-03"]
