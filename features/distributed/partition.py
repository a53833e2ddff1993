"""Split a cohort into partitions that each hold every row of their people's histories.

Features read the victim's, the dyad's and the perpetrator's history, and a perpetrator can
have several victims, so the unit that must stay together is a connected component of the
graph whose nodes are people and whose edges are incidents (victim - perpetrator). Components
are put in a fixed shuffled order and cut into ``n`` runs of roughly equal row counts, so a
partition is never more than one component away from its share.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

IntArray = npt.NDArray[np.int64]


def person_components(tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Return each person's component label (people linked by an incident or an event share one).

    A history event links its person to its ``counterpart_id`` (the perpetrator on a MARAC
    referral, the victim on a conviction) when one is recorded.
    """
    inc, people, events = tables["incidents"], tables["people"], tables["history_events"]
    linked = events[events["counterpart_id"].notna()] if "counterpart_id" in events else events[:0]
    sources = [inc["victim_id"], linked["person_id"]]
    targets = [inc["perpetrator_id"], linked.get("counterpart_id", linked["person_id"])]
    ids = pd.concat(
        [*sources, *targets, people["person_id"], events["person_id"]], ignore_index=True
    )
    codes, uniques = pd.factorize(ids)
    n, m = len(uniques), len(inc) + len(linked)
    graph = coo_matrix((np.ones(m, dtype=np.int8), (codes[:m], codes[m : 2 * m])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return pd.Series(labels.astype(np.int64), index=pd.Index(uniques, name="person_id"))


def component_partitions(labels: IntArray, weights: IntArray, n: int) -> IntArray:
    """Assign components (in label order) to ``n`` contiguous runs of about equal weight."""
    if n < 1:
        raise ValueError("the number of partitions must be at least 1")
    size = np.bincount(labels, weights=weights, minlength=int(labels.max(initial=-1)) + 1)
    before = np.cumsum(size) - size
    total = max(float(size.sum()), 1.0)
    part = np.minimum((before / total * n).astype(np.int64), n - 1)
    return np.asarray(part, dtype=np.int64)


def person_partitions(tables: Mapping[str, pd.DataFrame], n: int) -> pd.Series:
    """Return each person's partition: whole components, balanced by the rows they bring."""
    labels = person_components(tables)
    rows = pd.concat(
        [tables["incidents"]["victim_id"]] * 2 + [tables["history_events"]["person_id"]]
    ).value_counts()  # an incident and its assessment per victim row, plus the events
    counts = rows.reindex(labels.index, fill_value=0).to_numpy(dtype=np.int64)
    weights = np.asarray(counts + 1, dtype=np.int64)
    # A fixed shuffle of the components, so each part mixes early and late histories.
    size = int(labels.to_numpy().max(initial=-1)) + 1
    mixed = np.random.default_rng(0).permutation(size)[labels.to_numpy()]
    by_component = component_partitions(mixed, weights, n)
    return pd.Series(by_component[mixed], index=labels.index)


def _mapped(keys: pd.Series, mapping: pd.Series, what: str) -> IntArray:
    found = keys.map(mapping)
    if found.isna().any():
        raise ValueError(f"{what} references a row that is not in the cohort")
    return found.to_numpy(dtype=np.int64)


def split_tables(tables: Mapping[str, pd.DataFrame], n: int) -> list[dict[str, pd.DataFrame]]:
    """Split a cohort into ``n`` self-contained cohorts (rows keep their order within each)."""
    person = person_partitions(tables, n)
    inc = tables["incidents"]
    inc_part = _mapped(inc["victim_id"], person, "incidents.victim_id")
    by_incident = pd.Series(inc_part, index=inc["incident_id"].to_numpy())
    ass = tables["dash_assessments"]
    ass_part = _mapped(ass["incident_id"], by_incident, "dash_assessments.incident_id")
    parts: dict[str, IntArray] = {
        "people": _mapped(tables["people"]["person_id"], person, "people"),
        "incidents": inc_part,
        "dash_assessments": ass_part,
        "history_events": _mapped(tables["history_events"]["person_id"], person, "events"),
    }
    if "oracle" in tables:
        by_assessment = pd.Series(ass_part, index=ass["assessment_id"].to_numpy())
        parts["oracle"] = _mapped(tables["oracle"]["assessment_id"], by_assessment, "oracle")
    out: list[dict[str, pd.DataFrame]] = [{} for _ in range(n)]
    for name, where in parts.items():
        order = np.argsort(where, kind="stable")
        bounds = np.searchsorted(where[order], np.arange(n + 1))
        frame = tables[name]
        for k in range(n):
            rows = order[bounds[k] : bounds[k + 1]]
            out[k][name] = frame.take(rows).reset_index(drop=True)
    return out
