"""Batch path: cohort tables -> encoded arrays -> the shared kernels -> one row per assessment."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from features.dash import QUESTION_IDS
from features.engine.compute import Progress, compute
from features.engine.config import FeatureConfig
from features.engine.encoded import (
    INCIDENT_FLAGS,
    HistoryInput,
    IncidentEvents,
    PersonEvents,
    Queries,
    assessment_events,
)
from features.engine.output_schema import feature_schema
from features.engine.registry import feature_names
from features.engine.timeline import IntArray
from features.vocab import GRADES, HISTORY_KINDS, OFFENCE_CATEGORIES


def ns(values: pd.Series) -> IntArray:
    """Return datetimes as int64 nanoseconds since the epoch (NaT as int64 minimum)."""
    return np.asarray(values.to_numpy(dtype="datetime64[ns]").view(np.int64))


def _codes(values: pd.Series, vocabulary: tuple[str, ...], column: str) -> IntArray:
    codes = np.asarray(pd.Categorical(values, categories=list(vocabulary)).codes, dtype=np.int64)
    if (codes < 0).any():
        bad = values[codes < 0].iloc[0]
        raise ValueError(f"{column} has a value outside the vocabulary: {bad!r}")
    return codes


def _person_codes(tables: Mapping[str, pd.DataFrame]) -> tuple[IntArray, IntArray, IntArray]:
    inc, events = tables["incidents"], tables["history_events"]
    ids = pd.concat(
        [inc["victim_id"], inc["perpetrator_id"], events["person_id"]], ignore_index=True
    )
    codes = pd.factorize(ids)[0].astype(np.int64)
    n = len(inc)
    return codes[:n], codes[n : 2 * n], codes[2 * n :]


def incident_rows(tables: Mapping[str, pd.DataFrame]) -> IntArray:
    """Return the incidents row of each assessment's incident (raises if one is missing)."""
    incident_ids = tables["incidents"]["incident_id"]
    n = len(incident_ids)
    both = pd.concat([incident_ids, tables["dash_assessments"]["incident_id"]], ignore_index=True)
    codes = pd.factorize(both)[0].astype(np.int64)  # one hash pass; faster than Index lookups
    if not np.array_equal(codes[:n], np.arange(n)):
        raise ValueError("incidents.incident_id must be unique")
    rows = codes[n:]
    if (rows >= n).any():
        raise ValueError("every dash_assessments.incident_id must be in incidents")
    return rows


def _answers(assessments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    shape = (len(assessments), len(QUESTION_IDS))
    yes, no = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    for i, q in enumerate(QUESTION_IDS):
        column = assessments[q]
        yes[:, i] = (column == "yes").to_numpy(dtype=bool)
        no[:, i] = (column == "no").to_numpy(dtype=bool)
    return yes, no


def _queries(tables: Mapping[str, pd.DataFrame], victim: IntArray, perp: IntArray) -> Queries:
    inc, ass = tables["incidents"], tables["dash_assessments"]
    rows = incident_rows(tables)
    needed = ["occurred_at", "offence_category", "severity", *INCIDENT_FLAGS]
    current = inc[needed].iloc[rows]
    yes, no = _answers(ass)
    return Queries(
        victim=victim[rows],
        perp=perp[rows],
        incident_time=ns(current["occurred_at"]),
        time=ns(ass["completed_at"]),
        offence=_codes(current["offence_category"], OFFENCE_CATEGORIES, "offence_category"),
        severity=current["severity"].to_numpy(dtype=np.int64),
        grade=_codes(ass["officer_grade"], GRADES, "officer_grade"),
        flags={f: current[f].to_numpy(dtype=bool).astype(np.int64) for f in INCIDENT_FLAGS},
        yes=yes,
        no=no,
    )


def encode_tables(tables: Mapping[str, pd.DataFrame]) -> HistoryInput:
    """Encode cohort tables into the kernels' arrays (every assessment is a query)."""
    inc, events = tables["incidents"], tables["history_events"]
    victim, perp, person = _person_codes(tables)
    queries = _queries(tables, victim, perp)
    end = events["end_date"]
    return HistoryInput(
        incidents=IncidentEvents(
            victim, perp, ns(inc["occurred_at"]), inc["severity"].to_numpy(dtype=np.int64)
        ),
        assessments=assessment_events(
            queries.victim, queries.perp, queries.time, queries.yes, queries.no
        ),
        events=PersonEvents(
            person=person,
            kind=_codes(events["kind"], HISTORY_KINDS, "kind"),
            start=ns(events["event_date"]),
            end=ns(end),
            has_end=end.notna().to_numpy(dtype=bool),
        ),
        queries=queries,
    )


def build_features(
    tables: Mapping[str, pd.DataFrame],
    config: FeatureConfig | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Build every registered feature for every assessment, from strictly earlier data.

    Returns one row per ``dash_assessments`` row, in input order, indexed by
    ``assessment_id``, with one column per registered feature (registry order).
    """
    config = config or FeatureConfig()
    note = progress or (lambda _stage: None)
    note("encoding tables")
    columns = compute(encode_tables(tables), progress)
    ids = tables["dash_assessments"]["assessment_id"].to_numpy()
    index = pd.Index(ids, dtype="str", name="assessment_id")
    frame = pd.DataFrame(dict(columns), index=index, columns=list(feature_names()), copy=False)
    if config.validate_output:
        note("validating output")
        feature_schema().validate(frame)
    return frame
