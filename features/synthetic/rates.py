"""Realised rates of a generated cohort, for the metadata and the checks against domain.md."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from features.labels import OUTCOME_DAYS
from features.synthetic.oracle import OracleProbabilities
from features.synthetic.population import BoolArray, Dyads, FloatArray, IntArray
from features.synthetic.process import Events, within_dyad_rank


def count_after(
    dyad: IntArray, time: FloatArray, q_dyad: IntArray, q_time: FloatArray, days: float
) -> IntArray:
    """Count events of the same dyad in ``(t, t + days]`` (events sorted by dyad and time)."""
    span = float(max(time.max(initial=0.0), q_time.max(initial=0.0))) + 2.0 * days + 2.0
    packed = dyad * span + time
    lo = np.searchsorted(packed, q_dyad * span + q_time, side="right")
    hi = np.searchsorted(packed, q_dyad * span + q_time + days, side="right")
    return np.asarray(hi - lo, dtype=np.int64)


def _victim_repeat(d: Dyads, ev: Events) -> float:
    first = within_dyad_rank(ev.dyad) == 0
    complete = first & (ev.time + OUTCOME_DAYS <= d.horizon)
    n_after = count_after(ev.dyad, ev.time, ev.dyad[complete], ev.time[complete], OUTCOME_DAYS)
    return float(np.mean(n_after > 0)) if n_after.size else float("nan")


def realised_rates(
    d: Dyads,
    ev: Events,
    done: FloatArray,
    oracle: OracleProbabilities,
    codes: npt.NDArray[np.int8],
    grade: npt.NDArray[np.object_],
    incident: dict[str, npt.NDArray[np.generic]],
) -> dict[str, float]:
    """Return headline rates: repeats, serious harm, grades, children, oracle means."""
    complete = done + OUTCOME_DAYS <= d.horizon
    s_dyad, s_time = ev.dyad[ev.serious], ev.time[ev.serious]
    harm = count_after(s_dyad, s_time, ev.dyad[complete], done[complete], OUTCOME_DAYS) > 0
    repeat = count_after(ev.dyad, ev.time, ev.dyad[complete], done[complete], OUTCOME_DAYS) > 0
    v_dyad, v_time = ev.dyad[ev.violent], ev.time[ev.violent]
    violent = count_after(v_dyad, v_time, ev.dyad[complete], done[complete], OUTCOME_DAYS) > 0
    children: BoolArray = np.asarray(incident["children_present"], dtype=bool)

    def mean(x: npt.NDArray[np.generic]) -> float:
        return round(float(np.mean(x.astype(np.float64))), 5) if x.size else float("nan")

    return {
        "incidents_per_victim": round(ev.dyad.size / d.n, 4),
        "serial_perpetrator_victims": mean(d.serial),
        "victims_repeat_365d": round(_victim_repeat(d, ev), 5),
        "assessments_complete_window": int(complete.sum()),
        "repeat_365d": mean(repeat),
        "repeat_violent_365d": mean(violent),
        "serious_harm_365d": mean(harm),
        "oracle_repeat_365d": mean(oracle.p_repeat[complete]),
        "oracle_serious_harm_365d": mean(oracle.p_serious[complete]),
        "oracle_repeat_violent_365d": mean(oracle.p_violent[complete]),
        "graded_high": mean(grade == "high"),
        "graded_medium": mean(grade == "medium"),
        "yes_count_mean": mean((codes == 0).sum(axis=1)),
        "yes_14_plus": mean((codes == 0).sum(axis=1) >= 14),
        "children_present": mean(children),
        "serious_incidents": mean(ev.serious),
    }
