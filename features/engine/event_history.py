"""History-event kernels: separation and criminal history, cut at the assessment's completion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from features.engine.encoded import KIND_CODE, PersonEvents, Queries
from features.engine.timeline import FloatArray, IntArray, Probe, Timeline, days, last_value

Columns = dict[str, IntArray | FloatArray]
Counts = npt.NDArray[np.int32]
N_KINDS: Final[int] = len(KIND_CODE)
CONVICTIONS: Final[tuple[str, ...]] = ("da_conviction", "violent_conviction", "other_conviction")
# The window lengths (ns) :meth:`PersonHistory.within` answers (one more located row each).
D365, D730 = days(365), days(730)
WINDOWS: Final[tuple[int, ...]] = (D365, D730)
_SHIFTS: Final[IntArray] = np.array([0, *WINDOWS], dtype=np.int64)[:, None]
_DAY: Final[float] = float(days(1))
# Located rows: starts at the key's start, the cut and each window's start; ends at the
# key's start and the cut (ends are keyed ``2 * person + 1``, starts ``2 * person``).
_N_START_ROWS: Final[int] = 2 + len(WINDOWS)
_RANK_ROW: Final[IntArray] = np.array([*range(_N_START_ROWS), 0, 1], dtype=np.int64)
_KEY_ADD: Final[IntArray] = np.array([0] * _N_START_ROWS + [1, 1], dtype=np.int64)[:, None]


_ONE_HOT: Final[Counts] = np.eye(N_KINDS, dtype=np.int32)


def _kind_counts(kinds: IntArray) -> Counts:
    """Return ``out[i, k]``: how many of the first ``i`` sorted entries are of kind ``k``."""
    out = np.zeros((len(kinds) + 1, N_KINDS), dtype=np.int32)
    np.add.accumulate(_ONE_HOT[kinds], axis=0, out=out[1:])
    return out


class PersonHistory(NamedTuple):
    """Each role's history events before its queries' cuts, counted by kind.

    Events are keyed by person (starts, and ends of periods, as two keys), so one search
    locates every query of both roles at all its cuts, and prefix counts by kind then give
    every kind at once. Count arrays are ``(query, kind)`` for the victims' queries, then the
    perpetrators' (``rows`` holds each role's slice).
    """

    at: IntArray
    rows: Mapping[str, slice]
    times: IntArray
    kinds: IntArray
    first: Counts
    started: Counts
    recent: tuple[Counts, ...]
    open_counts: Counts

    @classmethod
    def build(cls, events: PersonEvents, queries: Queries) -> PersonHistory:
        """Index the events; each query is cut at its assessment's completion time."""
        keys, ends = events.person * 2, events.has_end
        times = np.concatenate((events.start, events.end[ends]))
        tl = Timeline.build(np.concatenate((keys, keys[ends] + 1)), times)
        kinds = np.concatenate((events.kind, events.kind[ends]))[tl.order]
        n = len(queries)
        probe = Probe.of(queries.victim * 2, queries.time)
        ranks = probe.ranks(tl.clock, _SHIFTS)[_RANK_ROW]  # the same for both roles' queries
        both = probe.extend(queries.perp * 2)  # the perpetrators' queries after the victims'
        pos = tl.locate(both, np.concatenate((ranks, ranks), axis=1), _KEY_ADD)
        counts = _kind_counts(kinds)

        def at(row: int) -> Counts:
            rows: Counts = counts.take(pos[row], axis=0)
            return rows

        # Counts between two rows' positions, computed in place: a cohort's are large.
        first, started = at(0), at(1)  # started: counts at the cut, until ``first`` is taken off
        starts = [at(2 + i) for i in range(len(WINDOWS))]
        recent = tuple([np.subtract(started, start, out=start) for start in starts])
        started -= first
        ended = at(_N_START_ROWS + 1)
        ended -= at(_N_START_ROWS)
        active = np.subtract(started, ended, out=ended)  # periods started and not yet ended
        rows = {"victim": slice(0, n), "perp": slice(n, 2 * n)}
        sorted_times = tl.sorted_values(times)
        return cls(queries.time, rows, sorted_times, kinds, first, started, recent, active)

    def ever(self, role: str, kind: str) -> IntArray:
        """Count the role's events of this kind that started strictly before the cut."""
        return self.started[self.rows[role], KIND_CODE[kind]].astype(np.int64)

    def within(self, role: str, kind: str, ns: int) -> IntArray:
        """Count the role's events of this kind in ``[cut - ns, cut)`` (``ns`` in WINDOWS)."""
        recent = self.recent[WINDOWS.index(ns)]
        return recent[self.rows[role], KIND_CODE[kind]].astype(np.int64)

    def active(self, role: str, kind: str) -> IntArray:
        """Count periods started before the cut and not ended before it (open or end >= cut)."""
        return self.open_counts[self.rows[role], KIND_CODE[kind]].astype(np.int64)

    def days_since_last(self, role: str, kind: str) -> FloatArray:
        """Return days from the role's last event of this kind to the cut (NaN if none)."""
        at = self.rows[role], KIND_CODE[kind]
        lo = self.first[at]
        last, found = last_value(self.times[self.kinds == at[1]], lo, lo + self.started[at])
        return np.where(found, (self.at - last) / _DAY, np.nan)


def _flag(count: IntArray) -> IntArray:
    return np.minimum(count, 1)


def separation_features(history: PersonHistory) -> Columns:
    """Return the victim's recorded separations before the assessment."""
    return {
        "victim_separation_recorded_ever": _flag(history.ever("victim", "separation")),
        "victim_separation_recorded_365d": _flag(history.within("victim", "separation", D365)),
        "days_since_victim_separation": history.days_since_last("victim", "separation"),
        "victim_new_relationship_365d": _flag(history.within("victim", "new_relationship", D365)),
        "child_contact_proceedings_365d": _flag(
            history.within("victim", "child_contact_proceedings", D365)
            + history.within("perp", "child_contact_proceedings", D365)
        ),
    }


def criminal_history_features(history: PersonHistory) -> Columns:
    """Return the perpetrator's convictions, breaches and orders and MARAC/DVDS history."""
    da, violent, other = [history.within("perp", kind, D730) for kind in CONVICTIONS]

    def either(kind: str) -> IntArray:
        return _flag(history.active("victim", kind) + history.active("perp", kind))

    return {
        "perp_da_convictions": history.ever("perp", "da_conviction"),
        "perp_violent_convictions": history.ever("perp", "violent_conviction"),
        "perp_other_convictions": history.ever("perp", "other_conviction"),
        "perp_convictions_730d": da + violent + other,
        "perp_breaches": history.ever("perp", "breach_of_bail_or_order"),
        "dvpn_dvpo_active": either("dvpn_dvpo"),
        "protective_order_active": either("protective_order"),
        "perp_on_licence_or_order": _flag(history.active("perp", "licence_or_community_order")),
        "victim_prior_marac_referrals": history.ever("victim", "marac_referral"),
        "dvds_disclosures": history.ever("victim", "dvds_disclosure")
        + history.ever("perp", "dvds_disclosure"),
        "perp_released_365d": _flag(history.within("perp", "release_from_custody", D365)),
        "days_since_perp_release": history.days_since_last("perp", "release_from_custody"),
    }
