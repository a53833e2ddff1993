"""Turn simulated arrays into the contract tables: ids, timestamps, deterministic order."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.synthetic.history import EventList
from features.synthetic.population import FloatArray, IntArray
from features.vocab import HISTORY_KINDS

NS_PER_SECOND = 1_000_000_000


def make_ids(prefix: str, n: int) -> npt.NDArray[np.object_]:
    """Return ``n`` zero-padded ids such as ``I0000001`` (at least seven digits)."""
    width = max(7, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def to_timestamps(days: FloatArray, origin: str) -> npt.NDArray[np.datetime64]:
    """Convert days since ``origin`` to datetime64[ns], rounded to the second (NaN -> NaT)."""
    seconds = np.round(np.nan_to_num(days, nan=0.0) * 86_400.0).astype(np.int64)
    ns = pd.Timestamp(origin).value + seconds * NS_PER_SECOND
    out = ns.view("datetime64[ns]").copy()
    out[np.isnan(days)] = np.datetime64("NaT")
    return out


def time_order(days: FloatArray, *ties: IntArray) -> IntArray:
    """Return a stable order by time (to the second), then by the tie-break keys."""
    seconds = np.round(days * 86_400.0).astype(np.int64)
    keys = (*reversed(ties), seconds)
    return np.asarray(np.lexsort(keys), dtype=np.int64)


def ranks_of(order: IntArray) -> IntArray:
    """Return each row's position in ``order`` (the inverse permutation)."""
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    return rank


def people_table(people: pd.DataFrame, person_ids: npt.NDArray[np.object_]) -> pd.DataFrame:
    """Return the people table with string ids, in id order."""
    out = people.drop(columns="person_index")
    out.insert(0, "person_id", person_ids[people["person_index"].to_numpy()])
    return out.reset_index(drop=True)


def history_table(
    events: EventList, person_ids: npt.NDArray[np.object_], origin: str
) -> pd.DataFrame:
    """Return the history_events table sorted by date, person and kind, with E ids."""
    order = time_order(events.date, events.person, events.kind)
    kinds = np.array(HISTORY_KINDS, dtype=object)
    return pd.DataFrame(
        {
            "event_id": make_ids("E", order.size),
            "person_id": person_ids[events.person[order]],
            "event_date": to_timestamps(events.date[order], origin),
            "kind": kinds[events.kind[order]],
            "end_date": to_timestamps(events.end[order], origin),
            "counterpart_id": _optional_ids(events.counterpart[order], person_ids),
        }
    )


def _optional_ids(index: IntArray, person_ids: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Return person ids at ``index``, None where the index is -1 (not recorded)."""
    out = np.full(index.size, None, dtype=object)
    known = index >= 0
    out[known] = person_ids[index[known]]
    return out


def ordered_frame(columns: dict[str, Any], order: IntArray) -> pd.DataFrame:
    """Return a frame of the columns reordered by ``order``."""
    return pd.DataFrame({name: np.asarray(values)[order] for name, values in columns.items()})
