"""Benchmark ``training.pipeline.train`` end to end on a synthetic cohort; print JSON.

Peer in the same run: scikit-learn's HistGradientBoostingClassifier fitted on the same
training period (fit time and test AUC), reported as ratios against our LightGBM model.

    .venv/bin/python benchmarks/bench_train.py --victims 100000 --seed 0 --out bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from training.data import build_model_data
from training.metrics import roc_auc
from training.pipeline import split_data, train
from training.settings import TrainingSettings


def peer(tables: dict[str, Any], metadata: dict[str, Any], target: str, s: TrainingSettings):
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--victims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default="serious_harm_365d")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from features.synthetic import generate_cohort

    start = time.perf_counter()
    cohort = generate_cohort(n_victims=args.victims, seed=args.seed)
    gen_seconds = time.perf_counter() - start
    tables, metadata = dict(cohort.tables), dict(cohort.metadata)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp)
        uri = os.environ.get("MLFLOW_TRACKING_URI", f"sqlite:///{store / 'mlflow.db'}")
        s = TrainingSettings(mlruns_dir=store, tracking_uri=uri, seed=args.seed)
        start = time.perf_counter()
        result = train(tables, metadata, target=args.target, settings=s)
        total = time.perf_counter() - start
    m = result.metrics
    ours_fit = float(m.get("model_fit_seconds", float("nan")))
    other = peer(tables, metadata, args.target, s)
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "cohort": {
            "victims": args.victims,
            "seed": args.seed,
            "assessments": len(tables["dash_assessments"]),
            "generate_seconds": gen_seconds,
        },
        "train_seconds_total": total,
        "stage_seconds": result.timings,
        "alias": result.alias,
        "alias_reason": result.alias_reason,
        "metrics": m,
        "targets": {
            "auc_gain_vs_dash": m["model_auc_minus_dash"],
            "auc_gain_ci": [m["model_auc_diff_ci_low"], m["model_auc_diff_ci_high"]],
            "auc_gain_ok": bool(
                m["model_auc_minus_dash"] >= 0.08 and m["model_auc_diff_ci_low"] > 0
            ),
            "ece": m["model_ece"],
            "ece_ok": bool(m["model_ece"] <= 0.02),
            "headroom_captured": m.get("model_headroom_captured"),
            "headroom_ok": bool(m.get("model_headroom_captured", 0.0) >= 0.6),
            "under_3_minutes": total < 180,
        },
        "peer_hist_gradient_boosting": {
            **other,
            "auc_ratio_ours_over_peer": m["model_roc_auc"] / other["test_auc"],
            "fit_time_ratio_ours_over_peer": ours_fit / other["fit_seconds"],
        },
    }
    text = json.dumps(_finite(report), indent=2, sort_keys=True, default=float, allow_nan=False)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
