"""History-event kernels: separation and criminal history, cut at the assessment's completion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from features.history_input import KIND_CODE, PersonEvents, Queries
from features.timeline import FloatArray, IntArray, Timeline, days, last_value

Columns = dict[str, IntArray | FloatArray]
N_KINDS: Final[int] = len(KIND_CODE)
CONVICTIONS: Final[tuple[str, ...]] = ("da_conviction", "violent_conviction", "other_conviction")


@dataclass(frozen=True)
class PersonHistory:
    """Timelines of history events keyed by (person, kind): starts, and ends of periods."""

    starts: Timeline
    ends: Timeline
    at: IntArray

    @classmethod
    def build(cls, events: PersonEvents, at: IntArray) -> PersonHistory:
        """Index the events; ``at`` is each query's cut (the assessment's completion time)."""
        keys = events.person * N_KINDS + events.kind
        ends = Timeline.build(keys[events.has_end], events.end[events.has_end])
        return cls(Timeline.build(keys, events.start), ends, at)

    def ever(self, person: IntArray, kind: str) -> IntArray:
        """Count the person's events of this kind that started strictly before the cut."""
        key = person * N_KINDS + KIND_CODE[kind]
        return self.starts.before(key, self.at) - self.starts.start(key)

    def within(self, person: IntArray, kind: str, ns: int) -> IntArray:
        """Count the person's events of this kind in ``[cut - ns, cut)``."""
        key = person * N_KINDS + KIND_CODE[kind]
        return self.starts.before(key, self.at) - self.starts.before(key, self.at - ns)

    def active(self, person: IntArray, kind: str) -> IntArray:
        """Count periods started before the cut and not ended before it (open or end >= cut)."""
        key = person * N_KINDS + KIND_CODE[kind]
        ended = self.ends.before(key, self.at) - self.ends.start(key)
        return self.ever(person, kind) - ended

    def days_since_last(self, person: IntArray, kind: str) -> FloatArray:
        """Return days from the person's last event of this kind to the cut (NaN if none)."""
        key = person * N_KINDS + KIND_CODE[kind]
        hi = self.starts.before(key, self.at)
        last, found = last_value(self.starts.times, self.starts.start(key), hi)
        return np.where(found, (self.at - last) / float(days(1)), np.nan)


def _flag(count: IntArray) -> IntArray:
    return np.minimum(count, 1).astype(np.int64)


def separation_features(history: PersonHistory, victim: IntArray) -> Columns:
    """Return the victim's recorded separations before the assessment."""
    return {
        "victim_separation_recorded_ever": _flag(history.ever(victim, "separation")),
        "victim_separation_recorded_365d": _flag(history.within(victim, "separation", days(365))),
        "days_since_victim_separation": history.days_since_last(victim, "separation"),
    }


def criminal_history_features(history: PersonHistory, queries: Queries) -> Columns:
    """Return the perpetrator's convictions, breaches and orders and MARAC/DVDS history."""
    victim, perp = queries.victim, queries.perp
    recent = sum(
        (history.within(perp, kind, days(730)) for kind in CONVICTIONS),
        start=np.zeros(len(perp), dtype=np.int64),
    )
    return {
        "perp_da_convictions": history.ever(perp, "da_conviction"),
        "perp_violent_convictions": history.ever(perp, "violent_conviction"),
        "perp_other_convictions": history.ever(perp, "other_conviction"),
        "perp_convictions_730d": recent,
        "perp_breaches": history.ever(perp, "breach_of_bail_or_order"),
        "dvpn_dvpo_active": _flag(
            history.active(victim, "dvpn_dvpo") + history.active(perp, "dvpn_dvpo")
        ),
        "protective_order_active": _flag(
            history.active(victim, "protective_order") + history.active(perp, "protective_order")
        ),
        "perp_on_licence_or_order": _flag(history.active(perp, "licence_or_community_order")),
        "victim_prior_marac_referrals": history.ever(victim, "marac_referral"),
        "dvds_disclosures": history.ever(victim, "dvds_disclosure")
        + history.ever(perp, "dvds_disclosure"),
    }
