"""Monitoring of a deployed model: input, score and decision drift per time window, with alerts.

Pure functions over a frame of scored cases (see :mod:`monitoring.columns`) and a training
reference (:class:`monitoring.reference.Reference`); no serving or training code is imported.
"""

from __future__ import annotations

from monitoring.alerts import Alert, Thresholds
from monitoring.monitor import MonitorResult, run_monitor
from monitoring.reference import Reference, build_reference

__all__ = [
    "Alert",
    "MonitorResult",
    "Reference",
    "Thresholds",
    "build_reference",
    "run_monitor",
]
