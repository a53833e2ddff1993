"""History-event kernels: separation and criminal history, cut at the assessment's completion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from features.history_input import KIND_CODE, PersonEvents, Queries
from features.timeline import FloatArray, IntArray, Probe, Timeline, days, last_value

Columns = dict[str, IntArray | FloatArray]
N_KINDS: Final[int] = len(KIND_CODE)
CONVICTIONS: Final[tuple[str, ...]] = ("da_conviction", "violent_conviction", "other_conviction")


@dataclass(frozen=True)
class PersonHistory:
    """Timelines of history events keyed by (person, kind): starts, and ends of periods.

    Queries name a role ("victim" or "perp"); each role's probe is built once and reused for
    every kind (the kind is a constant key offset).
    """

    starts: Timeline
    ends: Timeline
    probes: Mapping[str, Probe]
    cache: dict[tuple[int, str, str], tuple[IntArray, IntArray]] = field(default_factory=dict)

    @classmethod
    def build(cls, events: PersonEvents, queries: Queries) -> PersonHistory:
        """Index the events; each query is cut at its assessment's completion time."""
        keys = events.person * N_KINDS + events.kind
        ends = Timeline.build(keys[events.has_end], events.end[events.has_end])
        probes = {
            "victim": Probe.of(queries.victim * N_KINDS, queries.time),
            "perp": Probe.of(queries.perp * N_KINDS, queries.time),
        }
        return cls(Timeline.build(keys, events.start), ends, probes)

    def _span(self, tl: Timeline, role: str, kind: str) -> tuple[IntArray, IntArray]:
        cache_key = (id(tl), role, kind)
        if cache_key not in self.cache:
            probe, code = self.probes[role], KIND_CODE[kind]
            self.cache[cache_key] = tl.start(probe, key_add=code), tl.before(probe, key_add=code)
        return self.cache[cache_key]

    def ever(self, role: str, kind: str) -> IntArray:
        """Count the role's events of this kind that started strictly before the cut."""
        lo, hi = self._span(self.starts, role, kind)
        return hi - lo

    def within(self, role: str, kind: str, ns: int) -> IntArray:
        """Count the role's events of this kind in ``[cut - ns, cut)``."""
        probe, code = self.probes[role], KIND_CODE[kind]
        _, hi = self._span(self.starts, role, kind)
        return hi - self.starts.before(probe, shift=ns, key_add=code)

    def active(self, role: str, kind: str) -> IntArray:
        """Count periods started before the cut and not ended before it (open or end >= cut)."""
        lo, hi = self._span(self.ends, role, kind)
        return self.ever(role, kind) - (hi - lo)

    def days_since_last(self, role: str, kind: str) -> FloatArray:
        """Return days from the role's last event of this kind to the cut (NaN if none)."""
        lo, hi = self._span(self.starts, role, kind)
        last, found = last_value(self.starts.times, lo, hi)
        at = self.probes[role].at
        return np.where(found, (at - last) / float(days(1)), np.nan)


def _flag(count: IntArray) -> IntArray:
    return np.minimum(count, 1).astype(np.int64)


def separation_features(history: PersonHistory) -> Columns:
    """Return the victim's recorded separations before the assessment."""
    return {
        "victim_separation_recorded_ever": _flag(history.ever("victim", "separation")),
        "victim_separation_recorded_365d": _flag(history.within("victim", "separation", days(365))),
        "days_since_victim_separation": history.days_since_last("victim", "separation"),
    }


def criminal_history_features(history: PersonHistory) -> Columns:
    """Return the perpetrator's convictions, breaches and orders and MARAC/DVDS history."""
    counts = [history.within("perp", kind, days(730)) for kind in CONVICTIONS]
    recent: IntArray = np.asarray(np.sum(counts, axis=0), dtype=np.int64)

    def either(kind: str) -> IntArray:
        return _flag(history.active("victim", kind) + history.active("perp", kind))

    return {
        "perp_da_convictions": history.ever("perp", "da_conviction"),
        "perp_violent_convictions": history.ever("perp", "violent_conviction"),
        "perp_other_convictions": history.ever("perp", "other_conviction"),
        "perp_convictions_730d": recent,
        "perp_breaches": history.ever("perp", "breach_of_bail_or_order"),
        "dvpn_dvpo_active": either("dvpn_dvpo"),
        "protective_order_active": either("protective_order"),
        "perp_on_licence_or_order": _flag(history.active("perp", "licence_or_community_order")),
        "victim_prior_marac_referrals": history.ever("victim", "marac_referral"),
        "dvds_disclosures": history.ever("victim", "dvds_disclosure")
        + history.ever("perp", "dvds_disclosure"),
    }
