"""Monitor on replays: false alarms without drift and detection of injected drift, over seeds.

Prints JSON: per seed the alerts on a replay without drift (default thresholds), and on a
replay with both documented drifts the windows in which each was detected and the alerts no
injected drift explains. The false-alarm rate is the share of drift-free replays raising any
alert. The monitor's run time is reported per replay (rows per second) and on about a million
rows (the last drift-free replay repeated 16 times: the same windows and groups, 16x the cases).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import pandas as pd

from monitoring import Reference, Thresholds, run_monitor
from monitoring.drifts import DRIFTS
from monitoring.expected import detected_windows, unexplained
from monitoring.replay import replay

SEEDS = range(1, 1 + int(sys.argv[1]) if len(sys.argv) > 1 else 21)


def _million(scored: pd.DataFrame, reference: Reference) -> dict[str, float]:
    big = pd.concat([scored] * 16, ignore_index=True)
    t = time.perf_counter()
    run_monitor(big, reference)
    return {"rows": len(big), "seconds": round(time.perf_counter() - t, 2)}


def main() -> None:
    rows: list[dict[str, Any]] = []
    for seed in SEEDS:
        clean = replay(seed=seed)
        t = time.perf_counter()
        alerts = run_monitor(clean.scored, clean.reference).alerts
        seconds = time.perf_counter() - t
        drifted = replay(drifts=list(DRIFTS), seed=seed)
        found = run_monitor(drifted.scored, drifted.reference).alerts
        meta = drifted.metadata["drifts"]
        rows.append(
            {
                "seed": seed,
                "rows": len(clean.scored),
                "monitor_seconds": round(seconds, 2),
                "false_alarms": len(alerts),
                "false_alarm_detail": [
                    [
                        a.kind,
                        a.feature or a.question or a.metric,
                        a.group,
                        a.window,
                        round(a.value, 3),
                    ]
                    for a in alerts
                ],
                "detected_windows": {d["name"]: len(detected_windows(found, d)) for d in meta},
                "unexplained_with_drift": len(unexplained(found, meta)),
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    n = len(rows)
    summary = {
        "seeds": n,
        "thresholds": vars(Thresholds()),
        "false_alarm_rate": sum(r["false_alarms"] > 0 for r in rows) / n,
        "false_alarms_per_replay": sum(r["false_alarms"] for r in rows) / n,
        "mean_detected_windows_of_12": {
            name: sum(r["detected_windows"][name] for r in rows) / n for name in DRIFTS
        },
        "replays_with_unexplained_alerts_under_drift": sum(
            r["unexplained_with_drift"] > 0 for r in rows
        ),
        "monitor_rows_per_second": round(
            sum(r["rows"] for r in rows) / sum(r["monitor_seconds"] for r in rows)
        ),
        "monitor_1m_rows": _million(clean.scored, clean.reference),
        "runs": rows,
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
