"""Benchmark the statutory rules engine; prints JSON.

- vectorised ``grade_table`` on N synthetic assessments (default 1M), grading time only;
- ``grade_case`` single-case p50/p99 over ~10k calls;
- peer in the same run: a straightforward row-by-row pandas ``.apply`` computing the same
  grade (yes-count, officer grade, DVDS floor) on a sample, extrapolated to N;
- a fixed plain-Python reference loop, timed like ``grade_case``: the machine is shared, so
  ``grade_case`` p50 is also reported as a multiple of the reference's p50.

The tables are random but meet the contracts' shapes (they are not validated here; columns
added by later contract versions are ignored by earlier code, so one script times both: run it
with ``PYTHONPATH`` at an older checkout for the "before" figures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
import pandas as pd

from features.case import case_from_tables
from features.dash import ANSWERS, QUESTION_IDS
from features.rules import grade_case, grade_table
from features.vocab import GRADES, HISTORY_KINDS, OFFENCE_CATEGORIES

DAY = np.int64(86_400_000_000_000)


def synthetic_tables(n: int, seed: int = 0, per_victim: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_victims = max(n // per_victim, 1)
    victim = rng.integers(0, n_victims, n)
    perp = n_victims + (victim * 7 + rng.integers(0, 2, n)) % max(n_victims // 2, 1)
    start = np.datetime64("2019-01-01", "ns").astype(np.int64)
    occurred = start + rng.integers(0, 5 * 365, n) * DAY + rng.integers(0, DAY, n)
    category = rng.choice(np.array(OFFENCE_CATEGORIES, dtype=object), n)
    incidents = pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(n)],
            "occurred_at": pd.to_datetime(occurred.view("M8[ns]")),
            "victim_id": [f"P{v}" for v in victim],
            "perpetrator_id": [f"P{p}" for p in perp],
            "officer_id": "OFF1",
            "area": "area_01",
            "crime_recorded": category != "non_crime",
            "offence_category": category,
            "severity": rng.integers(1, 6, n),
            **{
                f: rng.random(n) < 0.1
                for f in (
                    "injury",
                    "weapon",
                    "strangulation",
                    "alcohol_or_drugs",
                    "child_involved",
                    "child_called_police",
                    "victim_pregnant",
                    "child_abuse_marker_at_address",
                    "honour_based_abuse",
                    "adult_at_risk",
                )
            },
            "children_present": rng.random(n) < 0.5,
            "children_resident": rng.random(n) < 0.5,
        }
    )
    answers = np.array(ANSWERS, dtype=object)
    p_yes = rng.beta(2, 4, n)[:, None]
    u = rng.random((n, len(QUESTION_IDS)))
    idx = np.where(u < p_yes, 0, np.where(u < p_yes + 0.05, 2, np.where(u > 0.98, 3, 1)))
    assessments = pd.DataFrame(
        {
            "assessment_id": [f"A{i}" for i in range(n)],
            "incident_id": incidents["incident_id"],
            "completed_at": incidents["occurred_at"] + pd.Timedelta(hours=2),
            "officer_id": "OFF1",
            **{q: answers[idx[:, j]] for j, q in enumerate(QUESTION_IDS)},
            "officer_grade": rng.choice(np.array(GRADES, dtype=object), n, p=[0.6, 0.3, 0.1]),
            "referred_to_marac": rng.random(n) < 0.08,
            "dvds_concern": rng.random(n) < 0.05,
            "marac_consent": rng.choice(np.array(["given", "refused", "not_sought"]), n),
        }
    )
    m = n // 2
    person = rng.integers(0, n_victims + n_victims // 2, m)
    kind = rng.choice(np.array(HISTORY_KINDS, dtype=object), m)
    ev_date = start - 365 * DAY + rng.integers(0, 6 * 365, m) * DAY
    end = ev_date + rng.integers(30, 1000, m) * DAY
    has_end = np.isin(kind, ["dvpn_dvpo", "protective_order", "licence_or_community_order"])
    events = pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(m)],
            "person_id": [f"P{p}" for p in person],
            "event_date": pd.to_datetime(ev_date.view("M8[ns]")),
            "kind": kind,
            "end_date": pd.to_datetime(
                np.where(has_end, end, np.iinfo(np.int64).min).view("M8[ns]")
            ),
            "counterpart_id": np.where(  # referrals name their perpetrator half the time
                rng.random(m) < 0.5, [f"P{p}" for p in (person * 7) % (n_victims + 1)], None
            ),
        }
    )
    return {
        "people": pd.DataFrame(),
        "incidents": incidents,
        "dash_assessments": assessments,
        "history_events": events,
    }


def apply_grade(row: pd.Series) -> str:
    """Peer: the same grade, row by row (yes-count, officer floor, DVDS floor)."""
    yes = sum(row[q] == "yes" for q in QUESTION_IDS)
    rank = GRADES.index(row["officer_grade"])
    if yes >= 14:
        rank = 2
    if row["dvds_concern"]:
        rank = max(rank, 1)
    return GRADES[rank]


def bench_table(tables: dict[str, pd.DataFrame], repeats: int) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        frame = grade_table(tables)
        times.append(time.perf_counter() - t0)
    best = min(times)
    n = len(frame)
    return {"rows": n, "seconds_best": best, "seconds_all": times, "rows_per_s": n / best}


def bench_case(tables: dict[str, pd.DataFrame], calls: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    ids = tables["dash_assessments"]["assessment_id"].to_numpy()
    cases = [case_from_tables(tables, str(a)) for a in rng.choice(ids, 200, replace=False)]
    for c in cases:
        grade_case(c)  # warm-up
    lat = np.empty(calls)
    for i in range(calls):
        c = cases[i % len(cases)]
        t0 = time.perf_counter_ns()
        grade_case(c)
        lat[i] = (time.perf_counter_ns() - t0) / 1000
    hist = [len(c.incidents["incident_id"]) + len(c.history_events["event_id"]) for c in cases]
    return {
        "calls": calls,
        "p50_us": float(np.percentile(lat, 50)),
        "p99_us": float(np.percentile(lat, 99)),
        "mean_history_rows_per_case": float(np.mean(hist)),
    }


def reference_loop() -> int:
    """A fixed plain-Python workload (the yardstick for single-case latency)."""
    return sum(i * i for i in range(200))


def bench_reference(calls: int) -> dict[str, float]:
    lat = np.empty(calls)
    for i in range(calls):
        t0 = time.perf_counter_ns()
        reference_loop()
        lat[i] = (time.perf_counter_ns() - t0) / 1000
    return {"calls": calls, "p50_us": float(np.percentile(lat, 50))}


def bench_peer(tables: dict[str, pd.DataFrame], sample: int, n_total: int) -> dict[str, float]:
    frame = tables["dash_assessments"].iloc[:sample]
    t0 = time.perf_counter()
    frame.apply(apply_grade, axis=1)
    seconds = time.perf_counter() - t0
    return {
        "sample_rows": sample,
        "seconds_sample": seconds,
        "extrapolated_seconds": seconds * n_total / sample,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--case-calls", type=int, default=10_000)
    parser.add_argument("--peer-sample", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    t0 = time.perf_counter()
    tables = synthetic_tables(args.rows)
    build = time.perf_counter() - t0
    table = bench_table(tables, args.repeats)
    peer = bench_peer(tables, args.peer_sample, args.rows)
    case = bench_case(synthetic_tables(20_000, seed=1), args.case_calls, seed=2)
    heavy = bench_case(synthetic_tables(20_000, seed=3, per_victim=40), args.case_calls, seed=4)
    reference = bench_reference(args.case_calls)
    out = {
        "benchmark": "rules",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "build_tables_seconds": build,
        "grade_table": table,
        "grade_case": case,
        "grade_case_long_history": heavy,
        "peer_pandas_apply": peer,
        "reference_loop": reference,
        "grade_case_p50_over_reference": case["p50_us"] / reference["p50_us"],
        "grade_case_long_history_p50_over_reference": heavy["p50_us"] / reference["p50_us"],
        "speedup_vs_peer": peer["extrapolated_seconds"] / table["seconds_best"],
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
