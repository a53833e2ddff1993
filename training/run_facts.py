"""Typed hand-offs between the stages of a training run (what it is about, what logging made)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunInfo:
    """What a run is about, fixed before anything is logged."""

    target: str
    fingerprint: str
    metadata: dict[str, Any]
    experiment_id: str
    git_commit: str | None


@dataclass(frozen=True)
class LoggedRun:
    """What logging one run produced: the run, the registered version and its alias."""

    run_id: str
    model_name: str
    model_version: str
    alias: str
    alias_reason: str
    metrics: dict[str, float]
