"""Benchmark the bias audit on a 100k-victim cohort with 1,000 bootstrap draws; print JSON.

Ours: ``bias_audit.run_audit`` (MetricFrame point estimates + vectorised person-level bootstrap)
over 3 scorers x 4 group columns + 6 pairwise intersections. Peers, on the same table:
fairlearn ``MetricFrame(n_boot=...)`` and a naive per-draw pandas groupby loop, each timed on
a few draws of one (scorer, grouping) block and expressed per draw per block, as a ratio.
The cohort comes from the generator (``features.synthetic``); its oracle probability stands
in for a model score. "The whole audit" is what ``bias_audit.run_model_audit`` does after the
model has scored: build the audit table, run the audit, the officer effect, and write the
HTML and JSON report; each stage is timed, and the load average is recorded before and after
(other people share the machine). Disclosure control (primary and secondary suppression) runs
inside the audit; it is also timed on its own. ``--baseline-s`` is an earlier run's whole-audit
wall time to report a ratio against (31 s before disclosure control, with four group columns
and 1,000 draws). ``api_summary_bytes`` is what ``GET /v1/audit`` serves before paging.
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
import pandas as pd
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate, selection_rate

from bias_audit import AuditConfig, ScorerSpec, run_audit, write_report
from bias_audit.cohort import GROUPS, cohort_audit_frame, cohort_officer_effect
from bias_audit.disclosure import suppress
from bias_audit.prepare import encode
from features.labels import PRIMARY_LABEL as OUTCOME
from features.synthetic import generate_cohort
from serving.api.bias_audit import audit_summary

SCORERS = [
    ScorerSpec("statutory grade", "statutory_grade"),
    ScorerSpec("officer grade", "officer_grade"),
    ScorerSpec("model", "model", "probability", threshold=0.1),
]


def cohort_frame(victims: int, seed: int) -> tuple[pd.DataFrame, dict[str, Any], Any]:
    """Generate the cohort (not timed as audit) and build the audit table (timed)."""
    t = time.perf_counter()
    cohort = generate_cohort(victims, seed)
    gen = time.perf_counter() - t
    t = time.perf_counter()
    oracle = cohort.tables["oracle"][["assessment_id", "p_serious_harm_365d"]]
    scores = oracle.rename(columns={"p_serious_harm_365d": "model"})  # stands in for a model
    until = cohort.metadata.get("observed_until")
    frame = cohort_audit_frame(cohort.tables, scores, observed_until=until)
    info = {
        "source": "features.synthetic",
        "generate_s": round(gen, 1),
        "frame_s": round(time.perf_counter() - t, 2),
    }
    return frame, info, cohort.tables


def fairlearn_peer(frame: pd.DataFrame, draws: int) -> float:
    metrics = {"sel": selection_rate, "fpr": false_positive_rate, "fnr": false_negative_rate}
    t = time.perf_counter()
    MetricFrame(
        metrics=metrics,
        y_true=frame[OUTCOME].to_numpy(),
        y_pred=frame["statutory_grade"].eq("high").to_numpy(),
        sensitive_features=frame[["ethnicity", "area"]],
        n_boot=draws,
        ci_quantiles=[0.025, 0.975],
        random_state=0,
    )
    return (time.perf_counter() - t) / draws


def naive_peer(frame: pd.DataFrame, draws: int) -> float:
    person = pd.factorize(frame["victim_id"])[0]
    y = frame[OUTCOME].to_numpy()
    flag = frame["statutory_grade"].eq("high").to_numpy()
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for _ in range(draws):
        w = rng.poisson(1.0, person.max() + 1)[person]
        sample = frame.loc[np.repeat(np.arange(len(frame)), w), ["ethnicity", "area"]]
        sample = sample.assign(tp=np.repeat(y & flag, w), fp=np.repeat(~y & flag, w))
        sample = sample.assign(pos=np.repeat(y, w), neg=np.repeat(~y, w))
        c = sample.groupby(["ethnicity", "area"])[["tp", "fp", "pos", "neg"]].sum()
        _ = ((c.tp + c.fp) / (c.pos + c.neg), c.fp / c.neg, 1 - c.tp / c.pos)
    return (time.perf_counter() - t) / draws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--victims", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--peer-draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="report folder (default: temp)")
    parser.add_argument("--baseline-s", type=float, default=31.0)
    args = parser.parse_args()
    load_before = os.getloadavg()
    frame, info, tables = cohort_frame(args.victims, args.seed)
    config = AuditConfig(n_boot=args.draws, person_column="victim_id", seed=args.seed)
    t = time.perf_counter()
    result = run_audit(frame, OUTCOME, SCORERS, GROUPS, config)
    audit_s = time.perf_counter() - t
    t = time.perf_counter()
    enc = encode(frame, OUTCOME, SCORERS, GROUPS, config)
    suppression = suppress(enc.groupings, enc.y, config.min_people, config.min_events)
    suppress_s = time.perf_counter() - t
    t = time.perf_counter()
    result.officer_effect = cohort_officer_effect(tables, seed=args.seed)
    officer_s = time.perf_counter() - t
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_report(result, args.out or Path(tmp))
        sizes = {k: p.stat().st_size for k, p in paths.items()}
    report_s = time.perf_counter() - t
    load_after = os.getloadavg()
    whole = info["frame_s"] + audit_s + officer_s + report_s
    blocks = len(result.blocks)
    ours = audit_s / (args.draws * blocks)
    fl, nv = fairlearn_peer(frame, args.peer_draws), naive_peer(frame, args.peer_draws)
    out = {
        **info,
        "victims": args.victims,
        "rows": len(frame),
        "people": result.n_people,
        "scorers": len(SCORERS),
        "groupings": blocks // len(SCORERS),
        "blocks": blocks,
        "groups_total": sum(len(b.groups) for b in result.blocks),
        "draws": args.draws,
        "audit_s": round(audit_s, 2),
        "officer_effect_s": round(officer_s, 2),
        "report_s": round(report_s, 2),
        "whole_audit_s": round(whole, 1),
        "baseline_whole_audit_s": args.baseline_s,
        "whole_audit_vs_baseline": round(whole / args.baseline_s, 2),
        "suppress_s_incl_encode": round(suppress_s, 2),
        "disclosure": suppression.summary(),
        "report_bytes": sizes,
        "api_summary_bytes": len(json.dumps(audit_summary(result.to_dict()))),
        "officer_icc": round(result.officer_effect["icc"], 4),
        "officer_sd": round(result.officer_effect["officer_sd"], 3),
        "tests": result.family["family_size"],
        "flagged": result.family["flagged"],
        "ours_ms_per_draw_per_block": round(ours * 1e3, 4),
        "fairlearn_n_boot_ms_per_draw_per_block": round(fl * 1e3, 1),
        "naive_groupby_ms_per_draw_per_block": round(nv * 1e3, 1),
        "speedup_vs_fairlearn": round(fl / ours, 1),
        "speedup_vs_naive": round(nv / ours, 1),
        "fairlearn_estimate_full_audit_s": round(fl * args.draws * blocks, 0),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15_before": [round(x, 2) for x in load_before],
        "loadavg_1_5_15_after": [round(x, 2) for x in load_after],
        "python": platform.python_version(),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
