"""Encoded inputs of the feature kernels: plain numpy arrays, built from a cohort or one case.

Both paths reduce their input to these arrays (person codes, times in nanoseconds, category
codes, answer matrices) and hand them to the same kernels in :mod:`features.engine.compute`.
Person codes need only be consistent within one input; times are int64 nanoseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from features.dash import QUESTION_IDS
from features.vocab import GRADES, HISTORY_KINDS, OFFENCE_CATEGORIES

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

INCIDENT_FLAGS: Final[tuple[str, ...]] = (
    "injury",
    "weapon",
    "strangulation",
    "alcohol_or_drugs",
    "children_present",
    "victim_pregnant",
    "crime_recorded",
)
KIND_CODE: Final[dict[str, int]] = {k: i for i, k in enumerate(HISTORY_KINDS)}
OFFENCE_CODE: Final[dict[str, int]] = {c: i for i, c in enumerate(OFFENCE_CATEGORIES)}
GRADE_CODE: Final[dict[str, int]] = {g: i for i, g in enumerate(GRADES)}
Q2: Final[int] = QUESTION_IDS.index("q2")


@dataclass(frozen=True)
class IncidentEvents:
    """Incidents usable as history: who, when (ns) and how severe."""

    victim: IntArray
    perp: IntArray
    time: IntArray
    severity: IntArray


@dataclass(frozen=True)
class AssessmentEvents:
    """DASH assessments usable as history, keyed by their incident's victim and perpetrator."""

    victim: IntArray
    perp: IntArray
    time: IntArray
    yes_count: IntArray
    q2_yes: IntArray
    q2_known: IntArray


@dataclass(frozen=True)
class PersonEvents:
    """History events: person, kind code, start and (for periods) end in ns."""

    person: IntArray
    kind: IntArray
    start: IntArray
    end: IntArray
    has_end: BoolArray


@dataclass(frozen=True)
class Queries:
    """The assessments to featurise: dyad, incident and completion times, current facts, answers.

    ``yes``/``no`` are (n, 27) boolean matrices in DASH question order; ``flags`` holds the
    current incident's 0/1 flags named in :data:`INCIDENT_FLAGS`.
    """

    victim: IntArray
    perp: IntArray
    incident_time: IntArray
    time: IntArray
    offence: IntArray
    severity: IntArray
    grade: IntArray
    flags: Mapping[str, IntArray]
    yes: BoolArray
    no: BoolArray

    def __len__(self) -> int:
        """Return the number of queries."""
        return len(self.time)


@dataclass(frozen=True)
class HistoryInput:
    """Everything the kernels need: event tables and the queries."""

    incidents: IncidentEvents
    assessments: AssessmentEvents
    events: PersonEvents
    queries: Queries


def assessment_events(
    victim: IntArray, perp: IntArray, time: IntArray, yes: BoolArray, no: BoolArray
) -> AssessmentEvents:
    """Summarise answer matrices into the per-assessment values later assessments use."""
    return AssessmentEvents(
        victim=victim,
        perp=perp,
        time=time,
        yes_count=yes.sum(axis=1, dtype=np.int64),
        q2_yes=yes[:, Q2].astype(np.int64),
        q2_known=(yes[:, Q2] | no[:, Q2]).astype(np.int64),
    )
