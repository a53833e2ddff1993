"""Benchmark the point-in-time feature pipeline; prints JSON.

Figures: batch build of ~1M assessments over ~3M incidents (time per stage, peak RSS), the
single-case path on a case with 50 prior incidents (p50/p95), and two peers in the same run:
a straightforward pandas merge + groupby/apply of three of the same features on a sample of
assessments (extrapolated to the full cohort), and polars ``join_asof`` for two of them.

Usage: ``python benchmarks/bench_features.py [--assessments 1000000] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from features.case import Case
from features.dash import QUESTION_IDS
from features.engine import build_features, case_features, feature_summary
from features.vocab import GRADES, HISTORY_KINDS, OFFENCE_CATEGORIES, PERIOD_KINDS

T0 = np.datetime64("2012-01-01T00:00:00", "s").astype(np.int64)
YEAR = 365 * 86_400


def _ids(prefix: str, n: int) -> pd.Series:
    return prefix + pd.Series(np.arange(n)).astype("str")


def _strings(values: tuple[str, ...], codes: np.ndarray) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(codes, list(values))).astype("str")


def make_dyads(rng: np.random.Generator, victims: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Victims with one or two abusers; a pool of serial perpetrators with several victims."""
    second = rng.random(victims) < 0.15
    victim = np.concatenate([np.arange(victims), np.flatnonzero(second)])
    n = len(victim)
    serial_pool = victims // 16
    serial = rng.random(n) < 0.12
    perp = np.where(serial, rng.integers(0, serial_pool, n), serial_pool + np.arange(n))
    perp = perp + victims  # person codes: victims first, then perpetrators
    return victim, perp, victims + serial_pool + n


def make_incidents(rng: np.random.Generator, victims: int, target: int) -> tuple[pd.DataFrame, int]:
    victim, perp, people = make_dyads(rng, victims)
    per_dyad = rng.geometric(len(victim) / target, len(victim))
    dyad = np.repeat(np.arange(len(victim)), per_dyad)
    n = len(dyad)
    start = T0 + rng.integers(0, 10 * YEAR, len(victim))
    gaps = rng.exponential(45 * 86_400, n).astype(np.int64)
    first = np.r_[0, np.cumsum(per_dyad)[:-1]]
    cum = np.cumsum(gaps)
    offset = cum - np.repeat(cum[first] - gaps[first], per_dyad)
    seconds = np.repeat(start, per_dyad) + offset
    offence = rng.integers(0, len(OFFENCE_CATEGORIES), n)
    non_crime = offence == OFFENCE_CATEGORIES.index("non_crime")
    injury = (offence == 0) | (rng.random(n) < 0.1)
    frame = pd.DataFrame(
        {
            "incident_id": _ids("I", n),
            "occurred_at": pd.to_datetime(seconds, unit="s").astype("datetime64[ns]"),
            "victim_id": _ids("P", people).to_numpy()[victim[dyad]],
            "perpetrator_id": _ids("P", people).to_numpy()[perp[dyad]],
            "officer_id": _ids("O", 2000).to_numpy()[rng.integers(0, 2000, n)],
            "area": _ids("area_", 40).to_numpy()[rng.integers(0, 40, n)],
            "crime_recorded": ~non_crime,
            "offence_category": _strings(OFFENCE_CATEGORIES, offence),
            "severity": rng.integers(1, 6, n),
            "injury": injury,
        }
    )
    for flag in ("weapon", "strangulation", "alcohol_or_drugs", "children_present"):
        frame[flag] = rng.random(n) < 0.2
    for flag in ("child_involved", "child_called_police", "victim_pregnant"):
        frame[flag] = rng.random(n) < 0.05
    frame["child_abuse_marker_at_address"] = rng.random(n) < 0.05
    return frame, people


def make_assessments(rng: np.random.Generator, incidents: pd.DataFrame, n: int) -> pd.DataFrame:
    rows = np.sort(rng.choice(len(incidents), size=min(n, len(incidents)), replace=False))
    chosen = incidents.iloc[rows]
    m = len(rows)
    delay = pd.to_timedelta(rng.integers(0, 6 * 3600, m), unit="s")
    frame = pd.DataFrame(
        {
            "assessment_id": _ids("A", m),
            "incident_id": chosen["incident_id"].to_numpy(),
            "completed_at": chosen["occurred_at"].to_numpy() + delay.to_numpy(),
            "officer_id": chosen["officer_id"].to_numpy(),
        }
    )
    answers = ("yes", "no", "dont_know", "not_answered")
    for q in QUESTION_IDS:
        frame[q] = _strings(answers, rng.choice(4, m, p=[0.35, 0.55, 0.07, 0.03]))
    frame["officer_grade"] = _strings(GRADES, rng.choice(3, m, p=[0.6, 0.3, 0.1]))
    frame["referred_to_marac"] = rng.random(m) < 0.1
    frame["dvds_concern"] = rng.random(m) < 0.05
    return frame


def make_events(rng: np.random.Generator, people: int) -> pd.DataFrame:
    n = people  # about one history event per person
    kind = rng.integers(0, len(HISTORY_KINDS), n)
    start = T0 - 3 * YEAR + rng.integers(0, 13 * YEAR, n)
    periods = np.isin(np.array(HISTORY_KINDS)[kind], sorted(PERIOD_KINDS))
    end = np.where(periods & (rng.random(n) < 0.8), start + rng.integers(0, 2 * YEAR, n), -1)
    start_ts = pd.to_datetime(start, unit="s").astype("datetime64[ns]")
    end_ts = pd.Series(pd.to_datetime(end, unit="s")).astype("datetime64[ns]").where(end >= 0)
    return pd.DataFrame(
        {
            "event_id": _ids("E", n),
            "person_id": _ids("P", people).to_numpy()[rng.integers(0, people, n)],
            "event_date": start_ts,
            "kind": _strings(HISTORY_KINDS, kind),
            "end_date": end_ts,
        }
    )


def make_people(rng: np.random.Generator, people: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": _ids("P", people),
            "sex": _strings(("female", "male"), rng.integers(0, 2, people)),
            "birth_year": rng.integers(1950, 2004, people),
            "ethnicity": _strings(("white", "asian", "black"), rng.integers(0, 3, people)),
            "disability": rng.random(people) < 0.1,
        }
    )


def make_tables(assessments: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Cohort tables with realistic key/time structure, built directly with numpy."""
    rng = np.random.default_rng(seed)
    incidents, people = make_incidents(rng, victims=assessments * 33 // 100, target=3 * assessments)
    return {
        "people": make_people(rng, people),
        "incidents": incidents,
        "dash_assessments": make_assessments(rng, incidents, assessments),
        "history_events": make_events(rng, people),
    }


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def bench_batch(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    frame = build_features(tables, progress=lambda s: marks.append((s, time.perf_counter())))
    total = time.perf_counter() - start
    ends = [t for _, t in marks[1:]] + [start + total]
    stages = {name: round(end - t, 3) for (name, t), end in zip(marks, ends, strict=True)}
    return frame, {"seconds": round(total, 2), "stages_s": stages}


def make_case(prior: int = 50, seed: int = 1) -> Case:
    """A case with ``prior`` earlier incidents of the dyad, some of the perpetrator's others."""
    rng = np.random.default_rng(seed)
    n = prior + 6
    times = np.sort(np.datetime64("2021-01-01", "ns") + rng.integers(0, 3 * YEAR, n) * 10**9)
    victims = np.array(["V"] * prior + [f"W{i}" for i in range(6)], dtype=object)
    incidents: dict[str, np.ndarray] = {
        "incident_id": np.array([f"I{i}" for i in range(n)], dtype=object),
        "occurred_at": times.astype("datetime64[ns]"),
        "victim_id": victims[rng.permutation(n)],
        "perpetrator_id": np.array(["X"] * n, dtype=object),
        "severity": rng.integers(1, 6, n),
    }
    chosen = np.sort(rng.choice(n, 10, replace=False))
    assessments: dict[str, np.ndarray] = {
        "incident_id": incidents["incident_id"][chosen],
        "completed_at": times[chosen] + np.timedelta64(2, "h"),
        **{q: rng.choice(np.array(["yes", "no"], dtype=object), 10) for q in QUESTION_IDS},
    }
    events = {
        "person_id": np.array(["X", "X", "V", "X", "V", "X"], dtype=object),
        "kind": np.array(
            [
                "da_conviction",
                "dvpn_dvpo",
                "separation",
                "licence_or_community_order",
                "marac_referral",
                "other_conviction",
            ],
            dtype=object,
        ),
        "event_date": np.sort(times[rng.choice(n, 6)]),
        "end_date": np.array(
            ["NaT", "2024-06-01", "NaT", "2025-01-01", "NaT", "NaT"], dtype="datetime64[ns]"
        ),
    }
    now = times[-1] + np.timedelta64(30, "D")
    current = {
        "occurred_at": pd.Timestamp(now),
        "victim_id": "V",
        "perpetrator_id": "X",
        "offence_category": "violence_with_injury",
        "severity": 4,
        "injury": True,
        "weapon": False,
        "strangulation": True,
        "alcohol_or_drugs": True,
        "children_present": False,
        "victim_pregnant": False,
        "crime_recorded": True,
    }
    answers = {q: "yes" if i % 3 else "no" for i, q in enumerate(QUESTION_IDS)}
    assessment = {
        "completed_at": pd.Timestamp(now) + pd.Timedelta(hours=2),
        "officer_grade": "medium",
        **answers,
    }
    return Case(assessment, current, incidents, events, assessments)


def bench_case(runs: int = 3000) -> dict[str, Any]:
    case = make_case()
    for _ in range(50):
        case_features(case)
    samples = np.empty(runs)
    for i in range(runs):
        t = time.perf_counter()
        case_features(case)
        samples[i] = time.perf_counter() - t
    ms = samples * 1000
    return {
        "prior_incidents": 50,
        "runs": runs,
        "p50_ms": round(float(np.median(ms)), 4),
        "p95_ms": round(float(np.percentile(ms, 95)), 4),
        "p99_ms": round(float(np.percentile(ms, 99)), 4),
    }


def _current(tables: dict[str, pd.DataFrame], sample: pd.DataFrame) -> pd.DataFrame:
    inc = tables["incidents"][["incident_id", "victim_id", "perpetrator_id", "occurred_at"]]
    q = sample[["assessment_id", "incident_id"]].merge(inc, on="incident_id")
    return q.rename(columns={"occurred_at": "anchor"}).drop(columns="incident_id")


def _dyad_stats(g: pd.DataFrame) -> pd.Series:
    anchor = g["anchor"].iloc[0]
    return pd.Series(
        {
            "dyad_incidents_365d": float(
                (g["occurred_at"] >= anchor - pd.Timedelta(days=365)).sum()
            ),
            "days_since_last_dyad_incident": (anchor - g["occurred_at"].max())
            / pd.Timedelta(days=1),
        }
    )


def pandas_peer(tables: dict[str, pd.DataFrame], sample: pd.DataFrame) -> pd.DataFrame:
    """Straightforward pandas: merge each assessment with its history, then groupby/apply."""
    q = _current(tables, sample)
    inc = tables["incidents"][["victim_id", "perpetrator_id", "occurred_at"]]
    dyad = q.merge(inc, on=["victim_id", "perpetrator_id"])
    dyad = dyad[dyad["occurred_at"] < dyad["anchor"]]
    stats = dyad.groupby("assessment_id")[["anchor", "occurred_at"]].apply(_dyad_stats)
    perp = q.merge(inc, on="perpetrator_id", suffixes=("", "_other"))
    perp = perp[
        (perp["occurred_at"] < perp["anchor"]) & (perp["victim_id_other"] != perp["victim_id"])
    ]
    others = perp.groupby("assessment_id")["victim_id_other"].apply(lambda s: s.nunique())
    out = stats.reindex(sample["assessment_id"])
    out["dyad_incidents_365d"] = out["dyad_incidents_365d"].fillna(0.0)
    out["perp_other_victims_ever"] = others.reindex(sample["assessment_id"]).fillna(0).to_numpy()
    return out


def bench_pandas_peer(
    tables: dict[str, pd.DataFrame], frame: pd.DataFrame, n: int
) -> dict[str, Any]:
    sample = tables["dash_assessments"].sample(n=n, random_state=0)
    start = time.perf_counter()
    peer = pandas_peer(tables, sample)
    seconds = time.perf_counter() - start
    ours = frame.loc[sample["assessment_id"], list(peer.columns)]
    agree = bool(np.allclose(peer.to_numpy(float), ours.to_numpy(float), equal_nan=True))
    scale = len(tables["dash_assessments"]) / n
    return {
        "sample_assessments": n,
        "seconds_on_sample": round(seconds, 2),
        "extrapolated_full_s": round(seconds * scale, 1),
        "features": list(peer.columns),
        "agrees_with_ours": agree,
    }


def bench_engines(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Engine choice on encoded arrays: numpy searchsorted kernels vs polars join_asof."""
    from features.engine import encode_tables
    from features.engine.incident_history import Window
    from features.engine.timeline import Timeline, days, dense_codes

    inp = encode_tables(tables)
    inc, q = inp.incidents, inp.queries
    width = int(max(inc.victim.max(), inc.perp.max())) + 1
    dyad_e, dyad_q = dense_codes(inc.victim * width + inc.perp, q.victim * width + q.perp)
    start = time.perf_counter()
    w = Window.of(Timeline.build(dyad_e, inc.time), dyad_q, q.incident_time)
    count_np = w.last(days(365))
    numpy_s = time.perf_counter() - start
    start = time.perf_counter()
    events = (
        pl.DataFrame({"dyad": dyad_e, "t": inc.time})
        .sort("dyad", "t")
        .with_columns(n=pl.int_range(1, pl.len() + 1).over("dyad"))
        .sort("t")
    )
    queries = pl.DataFrame({"i": np.arange(len(dyad_q)), "dyad": dyad_q, "a": q.incident_time - 1})
    queries = queries.with_columns(b=pl.col("a") - days(365))
    hi = queries.sort("a").join_asof(
        events, left_on="a", right_on="t", by="dyad", check_sortedness=False
    )
    lo = queries.sort("b").join_asof(
        events, left_on="b", right_on="t", by="dyad", check_sortedness=False
    )
    joined = (
        hi.select("i", hi_n=pl.col("n").fill_null(0))
        .join(lo.select("i", lo_n=pl.col("n").fill_null(0)), on="i")
        .sort("i")
    )
    count_pl = (joined["hi_n"] - joined["lo_n"]).to_numpy()
    polars_s = time.perf_counter() - start
    return {
        "feature": "dyad_incidents_365d",
        "numpy_searchsorted_s": round(numpy_s, 3),
        "polars_join_asof_s": round(polars_s, 3),
        "agree": bool(np.array_equal(count_np, count_pl)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--peer-sample", type=int, default=20_000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    tables = make_tables(args.assessments)
    setup_s = time.perf_counter() - start
    rss_setup = peak_rss_gib()
    frame, batch = bench_batch(tables)
    batch["peak_rss_gib_process"] = round(peak_rss_gib(), 2)
    batch["peak_rss_gib_after_setup"] = round(rss_setup, 2)
    result = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "data": {name: len(t) for name, t in tables.items()} | {"setup_s": round(setup_s, 1)},
        "batch": batch,
        "summary": feature_summary(frame),
        "single_case": bench_case(),
        "pandas_peer": bench_pandas_peer(tables, frame, args.peer_sample),
        "engines": bench_engines(tables),
    }
    result["pandas_peer"]["ratio_peer_3_features_vs_ours_all"] = round(
        result["pandas_peer"]["extrapolated_full_s"] / batch["seconds"], 1
    )
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
