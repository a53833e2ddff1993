"""Run the monitor: every window, overall and per area, against the training reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from monitoring import columns as col
from monitoring.alert_rules import window_alerts
from monitoring.alerts import Alert, Thresholds, persistent
from monitoring.reference import Reference
from monitoring.window_metrics import window_metrics
from monitoring.windows import Window, window_labels


@dataclass(frozen=True)
class MonitorResult:
    """Metrics per window and group, and the alerts they raised."""

    window: Window
    thresholds: Thresholds
    windows: list[dict[str, Any]]
    alerts: list[Alert] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (the monitor.json document)."""
        return {
            "window": self.window,
            "thresholds": vars(self.thresholds),
            "windows": self.windows,
            "alerts": [a.to_dict() for a in self.alerts],
        }


def _check_columns(scored: pd.DataFrame, ref: Reference) -> None:
    needed = [*col.CASE_COLUMNS, *col.QUESTIONS, *ref.edges]
    missing = [c for c in needed if c not in scored.columns]
    if missing:
        raise ValueError(f"scored cases lack columns: {', '.join(missing[:5])}")


def _groups(part: pd.DataFrame, ref: Reference) -> list[tuple[str, pd.DataFrame]]:
    out = [(col.ALL_GROUP, part)]
    for area, rows in part.groupby(col.AREA, sort=True, observed=True):
        if str(area) in ref.groups:  # an area without a reference cannot drift from it
            out.append((str(area), rows))
    return out


def run_monitor(
    scored: pd.DataFrame,
    reference: Reference,
    thresholds: Thresholds | None = None,
    window: Window = "month",
) -> MonitorResult:
    """Compute drift metrics and alerts per window, overall and by area."""
    _check_columns(scored, reference)
    th = thresholds or Thresholds()
    labels = window_labels(scored[col.TIME], window)
    windows: list[dict[str, Any]] = []
    alerts: list[Alert] = []
    labels_seen: list[str] = []
    for label, part in scored.groupby(labels.to_numpy(), sort=True):
        labels_seen.append(str(label))
        for group, rows in _groups(part, reference):
            metrics = window_metrics(rows, reference, group)
            windows.append({"window": str(label), "group": group, **metrics})
            alerts += window_alerts(metrics, reference.groups[group], th, group, str(label))
    kept = persistent(alerts, labels_seen, th.persistence)
    return MonitorResult(window=window, thresholds=th, windows=windows, alerts=kept)
