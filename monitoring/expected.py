"""Split a replay's alerts into the injected changes it found and anything else (false alarms)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from monitoring import columns as col
from monitoring.alerts import Alert


def _explained(alert: Alert, drift: dict[str, Any]) -> bool:
    """Return whether an injected drift explains the alert: its area, from its start, its inputs.

    Score and decision alerts in the drifted area are consequences of the changed inputs.
    """
    if alert.window < drift["start_window"] or alert.group not in (drift["area"], col.ALL_GROUP):
        return False
    if alert.kind in ("score_drift", "decision_drift"):
        return True
    return alert.question in drift["questions"] or alert.feature in drift["features"]


def unexplained(alerts: Iterable[Alert], drifts: list[dict[str, Any]]) -> list[Alert]:
    """Return the alerts no injected drift explains (every alert when none was injected)."""
    return [a for a in alerts if not any(_explained(a, d) for d in drifts)]


def detected_windows(alerts: Iterable[Alert], drift: dict[str, Any]) -> list[str]:
    """Return the windows in which the drift's area raised an input alert on its inputs."""
    return sorted(
        {
            a.window
            for a in alerts
            if a.group == drift["area"]
            and a.window >= drift["start_window"]
            and (a.question in drift["questions"] or a.feature in drift["features"])
        }
    )
