"""Benchmark ``training.pipeline.train`` end to end on a synthetic cohort; print JSON.

Trains twice on the same data and seed in one temporary MLflow store (never the repo's
``mlruns/``): the second run checks determinism (every non-timing metric equal) and the
champion rule (an equal model must not take the alias). Reports wall time and peak RSS per
stage (Linux: VmHWM, reset between stages through ``/proc/self/clear_refs``) and the load
average, since the 2 cores are shared.

Peer in the same run: scikit-learn's HistGradientBoostingClassifier fitted on the same
training period (fit time and test AUC), reported as ratios against our LightGBM model.

    .venv/bin/python benchmarks/bench_train.py --victims 100000 --seed 0 --out bench.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from features.labels import PRIMARY_LABEL
from training.data import build_model_data
from training.metrics import roc_auc
from training.pipeline import TrainResult, split_data, train
from training.settings import TrainingSettings

TIMING_KEYS = ("seconds", "_ms_per_row")
STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def peak_rss_mb() -> float | None:
    """Return the peak resident set size since the last reset (VmHWM), in MB; None off Linux."""
    try:
        match = re.search(r"VmHWM:\s+(\d+) kB", STATUS.read_text())
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


def current_rss_mb() -> float | None:
    """Return the current resident set size (VmRSS) in MB; None off Linux."""
    try:
        match = re.search(r"VmRSS:\s+(\d+) kB", STATUS.read_text())
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); return whether it worked."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


class StageMemory:
    """Progress hook recording each stage's peak RSS (reset at every stage start).

    ``peaks`` is the whole process's peak during the stage (the cohort tables included);
    ``growth`` is that peak minus the RSS when the stage started.
    """

    def __init__(self) -> None:
        self.peaks: dict[str, float | None] = {}
        self.growth: dict[str, float | None] = {}
        self.current: str | None = None
        self.start_rss: float | None = None
        self.resettable = reset_peak_rss()

    def __call__(self, stage: str) -> None:
        """Close the previous stage's peak and start measuring ``stage``."""
        self.finish()
        self.current = stage
        self.resettable = reset_peak_rss() and self.resettable
        self.start_rss = current_rss_mb()

    def finish(self) -> None:
        """Record the running stage's peak."""
        if self.current is None:
            return
        peak = peak_rss_mb() if self.resettable else None
        self.peaks[self.current] = peak
        start = self.start_rss
        self.growth[self.current] = None if peak is None or start is None else peak - start
        self.current = None


def load() -> dict[str, float]:
    """Return the 1, 5 and 15 minute load averages."""
    one, five, fifteen = os.getloadavg()
    return {"1m": one, "5m": five, "15m": fifteen}


def timed_train(
    tables: dict[str, Any], metadata: dict[str, Any], target: str, s: TrainingSettings
) -> tuple[TrainResult, dict[str, Any]]:
    """Train once; return the result and its wall time, per-stage peak RSS and load."""
    memory = StageMemory()
    before = load()
    start = time.perf_counter()
    result = train(tables, metadata, target=target, settings=s, progress=memory)
    total = time.perf_counter() - start
    memory.finish()
    return result, {
        "seconds_total": total,
        "stage_seconds": result.timings,
        "stage_peak_rss_mb": memory.peaks,
        "stage_rss_growth_mb": memory.growth,
        "load_before": before,
        "load_after": load(),
    }


def metric_differences(a: dict[str, float], b: dict[str, float]) -> dict[str, list[float]]:
    """Return the non-timing metrics that differ between two runs (NaN equals NaN)."""
    out = {}
    for key in sorted(set(a) | set(b)):
        if any(t in key for t in TIMING_KEYS):
            continue
        x, y = a.get(key, math.nan), b.get(key, math.nan)
        if not (x == y or (math.isnan(x) and math.isnan(y))):
            out[key] = [x, y]
    return out


def determinism(first: TrainResult, second: TrainResult) -> dict[str, Any]:
    """Compare two runs on the same data and seed: metrics, capacity curve, thresholds."""
    diffs = metric_differences(first.metrics, second.metrics)
    curve_keys = ("n_trees", "selection_auc", "test_auc")
    curves_equal = [{k: r[k] for k in curve_keys} for r in first.capacity_curve] == [
        {k: r[k] for k in curve_keys} for r in second.capacity_curve
    ]
    return {
        "same_metrics": not diffs,
        "n_metrics_compared": sum(1 for k in first.metrics if not any(t in k for t in TIMING_KEYS)),
        "differences": diffs,
        "same_capacity_curve": curves_equal,
        "same_thresholds": first.thresholds == second.thresholds,
        "second_run_alias": second.alias,
        "second_run_alias_reason": second.alias_reason,
    }


def peer(
    tables: dict[str, Any], metadata: dict[str, Any], target: str, s: TrainingSettings
) -> dict[str, Any]:
    """Fit scikit-learn's HistGradientBoostingClassifier on the same split; time and score it."""
    data = build_model_data(tables, metadata)
    split = split_data(data, s)
    y = data.frame[target].to_numpy(dtype=bool)
    # scikit-learn's binning fails on an all-missing column: give the peer only usable columns
    usable = data.x.columns[data.x.loc[split.train].notna().any()]
    model = HistGradientBoostingClassifier(random_state=s.seed)
    start = time.perf_counter()
    model.fit(data.x.loc[split.train, usable].to_numpy(), y[split.train])
    seconds = time.perf_counter() - start
    p = model.predict_proba(data.x.loc[split.test, usable].to_numpy())[:, 1]
    return {
        "fit_seconds": seconds,
        "test_auc": roc_auc(y[split.test], p),
        "n_iter": int(model.n_iter_),
    }


def _finite(value: Any) -> Any:
    """Replace NaN and infinities with None so the output is strict JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def figures(result: TrainResult, first: dict[str, Any], det: dict[str, Any]) -> dict[str, Any]:
    """Return the headline figures the issue's targets are judged on."""
    m = result.metrics
    gain, low, high = (
        m["model_auc_minus_dash"],
        m["model_auc_diff_ci_low"],
        m["model_auc_diff_ci_high"],
    )
    headroom = m.get("model_headroom_captured", math.nan)
    return {
        "auc": {
            "model": m["model_roc_auc"],
            "model_ci": [m["model_auc_ci_low"], m["model_auc_ci_high"]],
            "dash_count": m["dash_count_roc_auc"],
            "statutory_grade": m["statutory_grade_roc_auc"],
            "officer_grade": m["officer_grade_roc_auc"],
            "logistic_all": m["logistic_all_roc_auc"],
            "oracle": m.get("oracle_roc_auc"),
        },
        "auc_gain_vs_dash": gain,
        "auc_gain_ci95": [low, high],
        "ece": m["model_ece"],
        "headroom_captured": headroom,
        "deterministic": det["same_metrics"] and det["same_capacity_curve"],
        "seconds_total": first["seconds_total"],
        "stage_seconds": first["stage_seconds"],
        "stage_peak_rss_mb": first["stage_peak_rss_mb"],
        "stage_rss_growth_mb": first["stage_rss_growth_mb"],
        "load_before": first["load_before"],
        "load_after": first["load_after"],
        "targets_met": {
            "auc_gain_ge_0.08_ci_excludes_0": bool(gain >= 0.08 and low > 0),
            "ece_le_0.02": bool(m["model_ece"] <= 0.02),
            "headroom_ge_0.6": bool(headroom >= 0.6),
            "deterministic": bool(det["same_metrics"] and det["same_capacity_curve"]),
            "under_180_seconds": bool(first["seconds_total"] < 180),
        },
    }


def main() -> None:
    """Generate the cohort, train twice, fit the peer and print (and optionally save) JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--victims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default=PRIMARY_LABEL)
    parser.add_argument("--threads", type=int, help="LightGBM threads (default from settings)")
    parser.add_argument("--no-repeat", action="store_true", help="skip the determinism run")
    parser.add_argument("--no-peer", action="store_true", help="skip the scikit-learn peer")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from features.synthetic import generate_cohort

    start = time.perf_counter()
    cohort = generate_cohort(n_victims=args.victims, seed=args.seed)
    gen_seconds = time.perf_counter() - start
    generate_peak = peak_rss_mb()
    tables, metadata = dict(cohort.tables), dict(cohort.metadata)
    with tempfile.TemporaryDirectory(prefix="bench_train_") as tmp:
        store = Path(tmp)
        # a store of our own even if MLFLOW_TRACKING_URI is set: the rule check needs it empty
        options: dict[str, Any] = {"seed": args.seed}
        if args.threads:
            options["num_threads"] = args.threads
        s = TrainingSettings(
            mlruns_dir=store, tracking_uri=f"sqlite:///{store / 'mlflow.db'}", **options
        )
        result, first = timed_train(tables, metadata, args.target, s)
        second_result, second = (None, None)
        if not args.no_repeat:
            second_result, second = timed_train(tables, metadata, args.target, s)
    det = (
        determinism(result, second_result)
        if second_result is not None
        else {"same_metrics": None, "same_capacity_curve": None}
    )
    m = result.metrics
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": {"num_threads": s.num_threads, "bootstrap_draws": s.bootstrap_draws},
        "cohort": {
            "victims": args.victims,
            "seed": args.seed,
            "assessments": len(tables["dash_assessments"]),
            "generate_seconds": gen_seconds,
            "generate_peak_rss_mb": generate_peak,
        },
        "figures": figures(result, first, det),
        "first_run": first,
        "second_run": second,
        "determinism": det,
        "alias": result.alias,
        "alias_reason": result.alias_reason,
        "thresholds": result.thresholds,
        "calibration_method": result.calibration_method,
        "capacity_curve": list(result.capacity_curve),
        "metrics": m,
        "process_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if not args.no_peer:
        other = peer(tables, metadata, args.target, s)
        report["peer_hist_gradient_boosting"] = {
            **other,
            "auc_ratio_ours_over_peer": m["model_roc_auc"] / other["test_auc"],
            "fit_time_ratio_ours_over_peer": m["model_fit_seconds"] / other["fit_seconds"],
        }
    text = json.dumps(_finite(report), indent=2, sort_keys=True, default=float, allow_nan=False)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
