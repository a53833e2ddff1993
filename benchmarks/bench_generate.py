"""Benchmark ``features.synthetic.generate_cohort``; print JSON.

- wall seconds and peak RSS to generate N victims (default 100,000), rows per table;
- peer comparison in the same run: simulating the incident times of the same 2,000 dyads
  with a straightforward per-dyad Python loop (thinning-free per-segment Poisson draws and a
  recursive Hawkes offspring loop) vs the vectorised ``simulate_events``; reported as a
  speed ratio, with the mean incidents per dyad of each as a sanity check.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import time
from typing import Any

import numpy as np

from features.synthetic import GeneratorParams, generate_cohort
from features.synthetic.params import stream
from features.synthetic.population import Dyads, simulate_dyads
from features.synthetic.process import Segments, segments, simulate_events


def _subset(d: Dyads, n: int) -> Dyads:
    """Return the first dyads (whole arrays sliced; scalar fields kept)."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(d):
        value = getattr(d, field.name)
        out[field.name] = value[:n] if isinstance(value, np.ndarray) else value
    return Dyads(**out)


def _loop_one(
    i: int, d: Dyads, p: GeneratorParams, seg: Segments, rng: np.random.Generator
) -> list[float]:
    """Simulate one dyad's incident times the plain way: Python lists and a queue."""
    times = [float(d.t0[i])]
    for k in range(seg.start.shape[1]):
        lo, hi = float(seg.start[i, k]), min(float(seg.stop[i, k]), d.horizon)
        if hi > lo:
            for _ in range(rng.poisson(seg.rate[i, k] * (hi - lo))):
                times.append(lo + rng.random() * (hi - lo))
    limit = min(float(d.end[i]), d.horizon)
    queue = list(times)
    while queue:
        parent = queue.pop()
        for _ in range(rng.poisson(p.offspring_mean)):
            child = parent + rng.exponential(p.offspring_delay_days)
            if child < limit:
                times.append(child)
                queue.append(child)
    return sorted(times)


def peer_comparison(n_dyads: int, seed: int) -> dict[str, Any]:
    """Time the per-dyad loop against the vectorised simulation on the same dyads."""
    p = GeneratorParams()
    d = _subset(simulate_dyads(max(n_dyads, 1), p, stream(seed, 1)), n_dyads)
    seg = segments(d, p)
    start = time.perf_counter()
    rng = stream(seed, 99)
    looped = [_loop_one(i, d, p, seg, rng) for i in range(d.n)]
    loop_s = time.perf_counter() - start
    start = time.perf_counter()
    events = simulate_events(d, p, seg, stream(seed, 3))
    vec_s = time.perf_counter() - start
    return {
        "task": f"simulate incident times for {n_dyads} dyads",
        "peer": "per-dyad Python loop (lists, queue for offspring)",
        "peer_seconds": round(loop_s, 4),
        "vectorised_seconds": round(vec_s, 4),
        "speedup": round(loop_s / vec_s, 1),
        "peer_incidents_per_dyad": round(sum(len(t) for t in looped) / d.n, 3),
        "vectorised_incidents_per_dyad": round(events.dyad.size / d.n, 3),
    }


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--victims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peer-dyads", type=int, default=2_000)
    args = parser.parse_args()
    start = time.perf_counter()
    cohort = generate_cohort(args.victims, args.seed)
    wall = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "generate_cohort",
        "victims": args.victims,
        "seed": args.seed,
        "preset": cohort.metadata["preset"],
        "wall_seconds": round(wall, 2),
        "peak_rss_mib": round(peak_mib, 1),
        "rows": {name: len(frame) for name, frame in cohort.tables.items()},
        "realised_rates": cohort.metadata["realised_rates"],
        "peer": peer_comparison(args.peer_dyads, args.seed),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
