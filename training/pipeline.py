"""``train``: a cohort in, a registered, calibrated, explained model out (one MLflow run)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from features.cohort_frames import CohortFrames
from features.labels import LABELS, PRIMARY_LABEL
from training.baselines import (
    count_probability,
    fit_count_baseline,
    fit_logistic_baseline,
    grade_score,
    logistic_probability,
)
from training.calibration_check import NULL_DRAWS, calibration_noise
from training.data import ORACLE_COLUMN, ModelData, build_model_data, fingerprint
from training.evaluate import Evaluation, Scored, evaluate
from training.model import FittedModel, fit_model
from training.report import log_run
from training.run_facts import LoggedRun, RunInfo
from training.settings import TrainingSettings, get_settings
from training.split import TemporalSplit, temporal_split
from training.tracking import configure, git_commit, log_after_run

STAGES: tuple[str, ...] = ("features", "split", "fit", "evaluate", "log and register")

Progress = Callable[[str], None]


@runtime_checkable
class RichProgress(Protocol):
    """The part of ``rich.progress.Progress`` that ``train`` uses (no import of rich needed)."""

    def add_task(self, description: str, *args: Any, **kwargs: Any) -> Any:
        """Add a task and return its id."""
        ...

    def update(self, task_id: Any, *args: Any, **kwargs: Any) -> None:
        """Update a task (description, advance, completed)."""
        ...


@dataclass(frozen=True)
class TrainResult(LoggedRun):
    """What a training run produced: what logging it produced, and how it was fitted.

    ``metrics`` holds every test-period metric as ``{scorer}_{metric}`` (scorers: model,
    dash_count, statutory_grade, officer_grade, logistic_all, oracle) plus split counts and
    model costs; ``timings`` holds wall seconds per stage of :data:`STAGES`.
    """

    timings: dict[str, float] = field(default_factory=dict)
    tracking_uri: str = ""
    experiment_id: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)
    calibration_method: str = ""
    capacity_curve: tuple[dict[str, float], ...] = ()

    @property
    def model_uri(self) -> str:
        """Return the registry URI of this exact version (``models:/name/version``)."""
        return f"models:/{self.model_name}/{self.model_version}"


class _Stages:
    """Reports each stage to the progress hook and records its wall time.

    A plain callable is called with the stage name when the stage starts. A Rich-like
    progress (``add_task``/``update``) gets one task of ``len(STAGES)`` steps whose
    description names the running stage and which advances by one as each stage ends.
    """

    def __init__(self, progress: Progress | RichProgress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self._task: Any = None

    def _started(self, name: str) -> None:
        if isinstance(self.progress, RichProgress):
            if self._task is None:
                self._task = self.progress.add_task(f"train: {name}", total=len(STAGES))
            self.progress.update(self._task, description=f"train: {name}")
        elif self.progress is not None:
            self.progress(name)

    def _finished(self) -> None:
        if isinstance(self.progress, RichProgress) and self._task is not None:
            self.progress.update(self._task, advance=1)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self._started(name)
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        self._finished()


def baseline_scores(data: ModelData, split: TemporalSplit, target: str, seed: int) -> list[Scored]:
    """Fit the baselines on the training period and score the test period."""
    f, x = data.frame, data.x
    y_train = f.loc[split.train, target].to_numpy(dtype=bool)
    counts = f["yes_count"].to_numpy(dtype=np.float64)
    count_model = fit_count_baseline(counts[split.train], y_train)
    logistic = fit_logistic_baseline(x.loc[split.train], y_train, seed)
    test = f.loc[split.test]
    return [
        Scored("dash_count", count_probability(count_model, counts[split.test]), True),
        Scored(
            "statutory_grade",
            grade_score(test["statutory_grade"]),
            False,
            (test["statutory_grade"] == "high").to_numpy(),
        ),
        Scored(
            "officer_grade",
            grade_score(test["officer_grade"]),
            False,
            (test["officer_grade"] == "high").to_numpy(),
        ),
        Scored("logistic_all", logistic_probability(logistic, x.loc[split.test]), True),
    ]


def evaluate_all(
    data: ModelData, split: TemporalSplit, fitted: FittedModel, target: str, s: TrainingSettings
) -> Evaluation:
    """Evaluate the model and every baseline on the test period."""
    test = data.frame.loc[split.test]
    x_test = data.x.loc[split.test].to_numpy(dtype=np.float64)
    model = Scored("model", fitted.scorer.score(x_test, explain=False).probability, True)
    oracle_col = ORACLE_COLUMN.get(target)
    oracle = test[oracle_col].to_numpy(dtype=np.float64) if oracle_col in test else None
    if oracle is not None and np.isnan(oracle).any():
        oracle = None
    y = test[target].to_numpy(dtype=bool)
    evaluation = evaluate(
        y,
        [model, *baseline_scores(data, split, target, s.seed)],
        high_share=float((test["statutory_grade"] == "high").mean()),
        oracle=oracle,
        draws=s.bootstrap_draws,
        seed=s.seed,
    )
    x_cal = data.x.loc[split.calibration].to_numpy(dtype=np.float64)
    p_cal = fitted.scorer.score(x_cal, explain=False).probability
    method = fitted.calibration.calibration_map.method
    victims = test["victim_id"].to_numpy()
    noise = calibration_noise(y, model.score, NULL_DRAWS, s.seed, (p_cal, method), victims)
    evaluation.models["model"].update(noise)
    return evaluation


def split_data(data: ModelData, s: TrainingSettings) -> TemporalSplit:
    """Split the modelling table by assessment time with the settings' shares."""
    return temporal_split(
        data.frame["completed_at"],
        data.frame["outcome_window_complete"],
        s.train_share,
        s.calibration_share,
        s.early_stopping_share,
    )


def train(
    tables: dict[str, pd.DataFrame],
    metadata: dict[str, Any],
    target: str = PRIMARY_LABEL,
    settings: TrainingSettings | None = None,
    progress: Progress | RichProgress | None = None,
    tune: int | None = None,
    frames: CohortFrames | None = None,
) -> TrainResult:
    """Build features, split by time, fit + calibrate + evaluate, log and register the model.

    ``progress`` is either a callable taking the name of each stage of :data:`STAGES` as it
    starts, or a Rich ``Progress`` (one task advanced per stage). ``tune`` > 0 runs that many
    Optuna trials at the chosen capacity (nested MLflow runs). ``frames`` are the cohort's
    grades and features when the caller built them already.
    """
    if target not in LABELS:
        raise ValueError(f"unknown target {target!r}; expected one of {LABELS}")
    s = settings or get_settings()
    if tune is not None:
        s = s.model_copy(update={"tune_trials": tune})
    stage = _Stages(progress)
    with stage("features"):
        data = build_model_data(tables, metadata, frames)
    with stage("split"):
        split = split_data(data, s)
    with stage("fit"):
        fitted = fit_model(data, split, target, s)
    with stage("evaluate"):
        evaluation = evaluate_all(data, split, fitted, target, s)
    with stage("log and register"):
        info = RunInfo(target, fingerprint(tables), metadata, configure(s), git_commit())
        logged = log_run(data, split, fitted, evaluation, info, s, stage.timings)
    log_after_run(
        logged.run_id,
        {
            "seconds_log and register": stage.timings["log and register"],
            "seconds_total": sum(stage.timings.values()),
        },
    )
    return _result(logged, info, fitted, stage.timings, s)


def _result(
    logged: LoggedRun,
    info: RunInfo,
    fitted: FittedModel,
    timings: dict[str, float],
    s: TrainingSettings,
) -> TrainResult:
    """Return the run's result from what logging produced and the fitted model."""
    bands = fitted.scorer.spec.bands
    return TrainResult(
        **{f.name: getattr(logged, f.name) for f in fields(LoggedRun)},
        timings=timings,
        tracking_uri=s.resolved_tracking_uri(),
        experiment_id=info.experiment_id,
        thresholds={"medium": float(bands.medium), "high": float(bands.high)},
        calibration_method=fitted.calibration.calibration_map.method,
        capacity_curve=curve_records(fitted.curve),
    )


def curve_records(curve: pd.DataFrame) -> tuple[dict[str, float], ...]:
    """Return the capacity curve as one plain dict per capacity (chosen one flagged)."""
    return tuple(
        {str(k): float(v) for k, v in row.items()} for row in curve.to_dict(orient="records")
    )
