"""Outcome labels derived from future incidents: never typed in, always computed."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.vocab import SEVERITY_MAX

OUTCOME_DAYS: Final[int] = 365
# The papers' outcome (Grogger, Gupta, Ivandic & Kirchmaier 2021) is the primary target.
PRIMARY_LABEL: Final[str] = "repeat_violent_365d"
LABELS: Final[tuple[str, ...]] = (PRIMARY_LABEL, "serious_harm_365d", "repeat_incident_365d")
VIOLENT_CATEGORIES: Final[frozenset[str]] = frozenset(
    {"violence_with_injury", "violence_without_injury", "sexual"}
)
# What each label means, in the words shown beside a probability ("... within 365 days").
DEFINITIONS: Final[dict[str, str]] = {
    "repeat_violent_365d": (
        "the same perpetrator is reported for another violent domestic abuse incident against "
        "the same victim (violence with or without injury, a sexual offence, strangulation or "
        "weapon use)"
    ),
    "serious_harm_365d": (
        "the same perpetrator causes serious harm to the same victim (injury, sexual offence, "
        "strangulation, weapon use or top-severity incident)"
    ),
    "repeat_incident_365d": (
        "another police-recorded domestic abuse incident occurs between the same victim and "
        "perpetrator"
    ),
}


def is_serious_harm(incidents: pd.DataFrame) -> pd.Series:
    """Flag incidents meeting the serious-harm definition in domain.md."""
    return (
        incidents["injury"]
        | (incidents["offence_category"] == "sexual")
        | incidents["strangulation"]
        | incidents["weapon"]
        | (incidents["severity"] >= SEVERITY_MAX)
    )


def is_violent(incidents: pd.DataFrame) -> pd.Series:
    """Flag violent incidents: a violent or sexual offence category or any serious-harm marker."""
    return incidents["offence_category"].isin(VIOLENT_CATEGORIES) | is_serious_harm(incidents)


def _dyad_keys(
    incidents: pd.DataFrame, assessments_dyads: pd.DataFrame
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    both = pd.concat(
        [incidents[["victim_id", "perpetrator_id"]], assessments_dyads], ignore_index=True
    )
    codes = pd.MultiIndex.from_frame(both).factorize()[0].astype(np.int64)
    return codes[: len(incidents)], codes[len(incidents) :]


def _seconds(values: pd.Series) -> npt.NDArray[np.int64]:
    return np.asarray(values.to_numpy(dtype="datetime64[s]").astype(np.int64))


def _count_in_window(
    event_keys: npt.NDArray[np.int64],
    event_times: npt.NDArray[np.int64],
    query_keys: npt.NDArray[np.int64],
    query_times: npt.NDArray[np.int64],
    window_seconds: int,
) -> npt.NDArray[np.int64]:
    """Count events of the same key with query_time < time <= query_time + window."""
    origin = min(event_times.min(initial=0), query_times.min(initial=0))
    span = max(event_times.max(initial=0), query_times.max(initial=0)) - origin + window_seconds + 1
    composite = np.sort(event_keys * span + (event_times - origin))
    base = query_keys * span + (query_times - origin)
    lo = np.searchsorted(composite, base, side="right")
    hi = np.searchsorted(composite, base + window_seconds, side="right")
    return np.asarray(hi - lo, dtype=np.int64)


def observation_end(incidents: pd.DataFrame, declared: str | None = None) -> pd.Timestamp:
    """Return the end of observation: the declared date, else the last recorded incident."""
    if declared is not None:
        return pd.Timestamp(declared)
    return pd.Timestamp(incidents["occurred_at"].max())


def derive_labels(
    incidents: pd.DataFrame,
    assessments: pd.DataFrame,
    observed_until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Derive 365-day outcome labels for every assessment from later incidents of the same dyad.

    Returns one row per assessment (same order) with every label of :data:`LABELS` and
    ``outcome_window_complete`` (the 365 days after the
    assessment lie inside the observed period; labels are only trustworthy where true).
    """
    end = observation_end(incidents) if observed_until is None else observed_until
    dyads = assessments[["incident_id"]].merge(
        incidents[["incident_id", "victim_id", "perpetrator_id"]], on="incident_id", how="left"
    )
    inc_keys, q_keys = _dyad_keys(incidents, dyads[["victim_id", "perpetrator_id"]])
    inc_times, q_times = _seconds(incidents["occurred_at"]), _seconds(assessments["completed_at"])
    window = OUTCOME_DAYS * 86_400
    marks = {
        "repeat_violent_365d": is_violent(incidents).to_numpy(),
        "serious_harm_365d": is_serious_harm(incidents).to_numpy(),
        "repeat_incident_365d": np.ones(len(incidents), dtype=bool),
    }
    complete = assessments["completed_at"] + pd.Timedelta(days=OUTCOME_DAYS) <= end
    labels = {
        name: _count_in_window(inc_keys[m], inc_times[m], q_keys, q_times, window) > 0
        for name, m in marks.items()
    }
    return pd.DataFrame(
        {
            "assessment_id": assessments["assessment_id"].to_numpy(),
            **{name: labels[name] for name in LABELS},
            "outcome_window_complete": complete.to_numpy(),
        }
    )
