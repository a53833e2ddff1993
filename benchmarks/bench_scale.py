"""Scale-out benchmarks on Dask; print JSON (one object per run, every figure measured).

* ``scaling``: generate a partitioned cohort of about N assessments, then features + grades +
  batch scores (each written as Parquet parts) three ways on the same cohort: the
  single-process path (the whole cohort read into one process), Dask with 1 worker and Dask
  with 2 workers. Ratios: 1 -> 2 workers (target >= 1.6x) and single process -> 2 workers.
* ``big``: the same through Dask only, generation included, at as many assessments as asked
  (target 10M), with the peak RSS of every worker process (target < 6 GiB).
* ``train``: lightgbm.dask on 2 workers against single-process LightGBM, same parameters, same
  rows (training period of the partitions), calibrated on the same held-out rows: wall time,
  test AUC and ECE of both.

The load average is recorded before and after: other people share the machine's 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from distributed import Client, LocalCluster

from features.contracts import check_tables
from features.distributed.cluster import run_parts, worker_peak_rss
from features.distributed.generation import part_sizes, partitioned_metadata
from features.distributed.jobs import BatchJob, GenerateJob
from features.distributed.layout import PartRef, partition_count
from features.engine import FeatureConfig, build_features
from features.io import METADATA_FILE, read_cohort, read_metadata
from features.model_format.scoring import Bands, CalibratedScorer, CalibrationMap, ScoringSpec

ASSESSMENTS_PER_VICTIM = 1.89  # measured on the default generator (50k victims: 94.6k)
GIB = 1024**3


def _warm() -> None:
    import features.distributed.jobs  # noqa: F401 - imports are not part of the timed work


def cluster(workers: int) -> tuple[LocalCluster, Client]:
    """Start a LocalCluster of single-threaded worker processes with our modules imported."""
    local = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = Client(local)
    client.run(_warm)
    return local, client


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_scorer(cohort: Path) -> CalibratedScorer:
    """A small model of a size the capacity sweep picks (100 trees, 8 leaves), fit on part 0."""
    tables = PartRef(str(cohort), 0).read()
    x = build_features(tables, FeatureConfig())
    p = tables["oracle"].set_index("assessment_id").loc[x.index, "p_serious_harm_365d"]
    y = np.random.default_rng(0).random(len(p)) < p.to_numpy()
    model = lgb.LGBMClassifier(n_estimators=100, num_leaves=8, max_depth=3, verbose=-1)
    model.fit(x.astype(np.float64), y)
    spec = ScoringSpec(
        target="serious_harm_365d",
        feature_names=tuple(x.columns),
        calibration=CalibrationMap("isotonic", x=(0.0, 1.0), y=(0.0, 1.0)),
        bands=Bands(medium=0.05, high=0.15),
    )
    return CalibratedScorer(model.booster_, spec)


def generate(client: Client | None, out: Path, assessments: int, part_victims: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    sizes = part_sizes(int(assessments / ASSESSMENTS_PER_VICTIM), part_victims)
    seconds, parts = timed(lambda: run_parts(client, GenerateJob(str(out), seed=2026), sizes))
    metadata = partitioned_metadata(2026, sizes, parts)
    (out / METADATA_FILE).write_text(json.dumps(metadata))
    return {
        "seconds": round(seconds, 2),
        "victims": sum(sizes),
        "partitions": len(sizes),
        "assessments": metadata["rows"]["dash_assessments"],
    }


def dask_stages(client: Client, cohort: Path, out: Path, scorer: CalibratedScorer) -> dict:
    """Features, grades and batch scores of every part through Dask (one read per part)."""
    refs = [PartRef(str(cohort), k) for k in range(partition_count(cohort) or 0)]
    shutil.rmtree(out, ignore_errors=True)
    seconds, parts = timed(lambda: run_parts(client, BatchJob(str(out), scorer), refs))
    rows = sum(p["rows"] for p in parts)
    return {"rows": rows, "total_seconds": round(seconds, 2), "partitions": len(refs)}


def single_process(cohort: Path, out: Path, scorer: CalibratedScorer) -> dict:
    """The in-memory path: the whole cohort read (and checked) in this process, one job."""
    shutil.rmtree(out, ignore_errors=True)
    read_s, tables = timed(lambda: read_cohort(cohort))
    check_s, (_, failures) = timed(lambda: check_tables(tables))  # as each Dask part does
    seconds, result = timed(lambda: BatchJob(str(out), scorer)(tables, 0))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "rows": result["rows"],
        "total_seconds": round(read_s + check_s + seconds, 2),
        "read_seconds": round(read_s, 2),
        "check_seconds": round(check_s, 2),
        "contract_failures": len(failures),
        "peak_rss_gib": round(peak / GIB, 2),
    }


def scaling(args: argparse.Namespace) -> dict:
    root = Path(args.work)
    cohort = root / "cohort"
    local, client = cluster(2)
    gen2 = generate(client, cohort, args.assessments, args.part_victims)
    client.close()
    local.close()
    scorer = bench_scorer(cohort)
    runs: dict[str, Any] = {"generate_2_workers": gen2}
    for workers in (1, 2):
        start_s, (local, client) = timed(lambda w=workers: cluster(w))
        run = dask_stages(client, cohort, root / f"out{workers}", scorer)
        run["cluster_start_seconds"] = round(start_s, 2)
        run["peak_rss_gib_per_worker"] = {
            k: round(v / GIB, 2) for k, v in worker_peak_rss(client).items()
        }
        runs[f"dask_{workers}_workers"] = run
        client.close()
        local.close()
    runs["single_process"] = single_process(cohort, root / "single", scorer)
    one, two = runs["dask_1_workers"]["total_seconds"], runs["dask_2_workers"]["total_seconds"]
    runs["speedup_1_to_2_workers"] = round(one / two, 2)
    runs["speedup_single_to_2_workers"] = round(runs["single_process"]["total_seconds"] / two, 2)
    return runs


def big(args: argparse.Namespace) -> dict:
    root = Path(args.work)
    cohort = root / "big"
    local, client = cluster(2)
    gen = generate(client, cohort, args.assessments, args.part_victims)
    scorer = bench_scorer(cohort)
    run = dask_stages(client, cohort, root / "big_out", scorer)
    run["generate"] = gen
    run["wall_seconds"] = round(gen["seconds"] + run["total_seconds"], 2)
    run["peak_rss_gib_per_worker"] = {
        k: round(v / GIB, 2) for k, v in worker_peak_rss(client).items()
    }
    client.close()
    local.close()
    return run


def train(args: argparse.Namespace) -> dict:
    from training.dask_fit import fit_on_dask, local_peer
    from training.report import AUC_KEY, ECE_KEY
    from training.settings import TrainingSettings

    cohort = Path(args.cohort)
    refs = [PartRef(str(cohort), k) for k in range(partition_count(cohort) or 0)]
    settings = TrainingSettings()
    local, client = cluster(2)
    fit, sets = fit_on_dask(client, refs, read_metadata(cohort), "serious_harm_365d", settings)
    peer_s, peer = timed(lambda: local_peer(sets, "serious_harm_365d", settings))
    client.close()
    local.close()
    m = fit.metrics
    return {
        "rows_train": int(m["n_train"]),
        "rows_test": int(m["n_test"]),
        "dask_2_workers": {"auc": round(m[AUC_KEY], 4), "ece": round(m[ECE_KEY], 4),
                           "seconds_fit": round(m["seconds_fit"], 1),
                           "seconds_rows_on_workers": round(m["seconds_rows"], 1),
                           "seconds_total": round(m["seconds_total"], 1)},
        "single_process": {"auc": round(peer[AUC_KEY], 4), "ece": round(peer[ECE_KEY], 4),
                           "seconds_fit": round(peer["seconds_fit"], 1),
                           "seconds_with_calibration_and_test": round(peer_s, 1)},
        "fit_speedup_single_to_dask": round(peer["seconds_fit"] / m["seconds_fit"], 2),
        "auc_difference": round(m[AUC_KEY] - peer[AUC_KEY], 4),
        "ece_difference": round(m[ECE_KEY] - peer[ECE_KEY], 4),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", default="scaling", choices=("scaling", "big", "train"))
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--part-victims", type=int, default=50_000)
    parser.add_argument("--work", default="/tmp/secondlook-bench-scale")
    parser.add_argument("--cohort", default="/tmp/secondlook-bench-scale/cohort")
    args = parser.parse_args()
    load_before = os.getloadavg()
    seconds, result = timed(
        lambda: {"scaling": scaling, "big": big, "train": train}[args.mode](args)
    )
    print(json.dumps({"benchmark": f"scale-{args.mode}", "cpus": os.cpu_count(),
                      "load_before": load_before, "load_after": os.getloadavg(),
                      "wall_seconds": round(seconds, 1), **result}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
