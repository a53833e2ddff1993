"""Benchmark the default cohort against the published record; print JSON.

For each preset (``published``, the default, and ``strong-signal``, the earlier default, as
the peer in the same run), generate ``--victims`` victims, build the modelling table and
measure every target of ``training.cohort_targets.TARGETS`` on the trainer's temporal test
period, with the oracle AUC and whether each target is met. Sources: the project's cohort
notes (``docs/cohort.md``).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from features.synthetic import generate_cohort
from features.synthetic.presets import PRESETS, preset
from training.cohort_targets import TARGETS, measure_targets
from training.data import build_model_data
from training.pipeline import split_data
from training.settings import TrainingSettings


def measure(name: str, victims: int, seed: int) -> dict[str, Any]:
    """Return one preset's figures, the targets it meets and misses, and the wall time."""
    start = time.perf_counter()
    cohort = generate_cohort(victims, seed, preset(name), name)
    data = build_model_data(cohort.tables, cohort.metadata)
    figures = measure_targets(data, split_data(data, TrainingSettings()), cohort.metadata)
    met = {k: bool(low <= figures[k] <= high) for k, (low, high) in TARGETS.items()}
    return {
        "preset": name,
        "figures": {k: round(v, 4) for k, v in figures.items()},
        "met": met,
        "all_met": all(met.values()),
        "wall_seconds": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--victims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = {
        "benchmark": "cohort vs published record",
        "victims": args.victims,
        "seed": args.seed,
        "targets": {k: list(v) for k, v in TARGETS.items()},
        "presets": [measure(name, args.victims, args.seed) for name in PRESETS],
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
