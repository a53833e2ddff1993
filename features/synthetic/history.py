"""History events: criminal record before and during the period, orders, MARAC, DVDS, separation.

The record is a consequence of dangerousness and of the simulated incidents; it never feeds
back into the incident process, so the oracle stays exact. Person indices: victims are
``0..n_victims-1`` (the dyad index), perpetrators ``n_victims + perp``. Dates are days since
``observed_from``; NaN end dates mean "no end date".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.synthetic.params import GeneratorParams
from features.synthetic.population import BoolArray, Dyads, FloatArray, IntArray
from features.vocab import HISTORY_KINDS, HistoryKind

_KIND = {k: i for i, k in enumerate(HISTORY_KINDS)}
# Kind offsets on the log mean number of prior convictions (assumption).
_CONVICTION_OFFSETS: dict[HistoryKind, float] = {
    "da_conviction": 0.0,
    "violent_conviction": -0.3,
    "other_conviction": 0.4,
}


@dataclass(frozen=True)
class EventList:
    """History events as parallel arrays."""

    person: IntArray
    date: FloatArray
    kind: IntArray
    end: FloatArray
    counterpart: IntArray  # the other person (perpetrator of a referral, victim of a conviction)

    @staticmethod
    def of(
        person: IntArray,
        date: FloatArray,
        kind: HistoryKind,
        end: FloatArray | None = None,
        counterpart: IntArray | None = None,
    ) -> EventList:
        """Return events of one kind (``end`` NaN and ``counterpart`` -1 unless given)."""
        stop = np.full(date.size, np.nan) if end is None else end
        other = np.full(date.size, -1, dtype=np.int64) if counterpart is None else counterpart
        kinds = np.full(date.size, _KIND[kind], dtype=np.int64)
        return EventList(person, date, kinds, stop, np.asarray(other, dtype=np.int64))

    @staticmethod
    def concat(parts: list[EventList]) -> EventList:
        """Concatenate event lists in order."""
        return EventList(
            np.concatenate([e.person for e in parts]),
            np.concatenate([e.date for e in parts]),
            np.concatenate([e.kind for e in parts]),
            np.concatenate([e.end for e in parts]),
            np.concatenate([e.counterpart for e in parts]),
        )

    def where(self, keep: BoolArray) -> EventList:
        """Return the events where ``keep`` is true."""
        return EventList(
            self.person[keep], self.date[keep], self.kind[keep], self.end[keep],
            self.counterpart[keep],
        )  # fmt: skip


@dataclass(frozen=True)
class PriorRecord:
    """Perpetrators' record before the period and per-perpetrator summaries."""

    events: EventList
    conviction: BoolArray  # any prior conviction, per perpetrator
    violent: BoolArray  # any prior DA or violent conviction, per perpetrator
    breach: BoolArray  # any prior breach, per perpetrator


def _spread(
    counts: IntArray, lo: float, hi: float, rng: np.random.Generator
) -> tuple[IntArray, FloatArray]:
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    return owner, rng.uniform(lo, hi, owner.size)


def prior_record(d: Dyads, p: GeneratorParams, rng: np.random.Generator) -> PriorRecord:
    """Draw each perpetrator's convictions, breaches and orders in the ten years before."""
    n_p = int(d.perp.max()) + 1
    danger = _perp_danger(d)
    parts: list[EventList] = []
    has = {}
    for kind, offset in _CONVICTION_OFFSETS.items():
        mean = np.exp(p.prior_conviction_log_rate + offset + p.danger_on_convictions * danger)
        owner, date = _spread(rng.poisson(mean), -3650.0, 0.0, rng)
        parts.append(EventList.of(owner + d.n, date, kind))
        has[kind] = np.bincount(owner, minlength=n_p) > 0
        licence = rng.random(owner.size) < 0.25
        stop = date[licence] + rng.uniform(180.0, 730.0, int(licence.sum()))
        parts.append(
            EventList.of(owner[licence] + d.n, date[licence], "licence_or_community_order", stop)
        )
    owner, date = _spread(rng.poisson(np.exp(-2.0 + 0.8 * danger)), -1825.0, 0.0, rng)
    parts.append(EventList.of(owner + d.n, date, "breach_of_bail_or_order"))
    return PriorRecord(
        events=EventList.concat(parts),
        conviction=has["da_conviction"] | has["violent_conviction"] | has["other_conviction"],
        violent=has["da_conviction"] | has["violent_conviction"],
        breach=np.bincount(owner, minlength=n_p) > 0,
    )


@dataclass(frozen=True)
class IncidentFacts:
    """What history events during the period depend on, one row per incident/assessment."""

    dyad: IntArray
    time: FloatArray
    completed: FloatArray
    serious: BoolArray
    crime: BoolArray
    marac: BoolArray
    dvds: BoolArray
    children: BoolArray  # a child resides at the address


def _after(
    mask: BoolArray, when: FloatArray, lo: float, hi: float, rng: np.random.Generator
) -> FloatArray:
    return np.asarray(when[mask] + rng.uniform(lo, hi, int(mask.sum())), dtype=np.float64)


def _orders(d: Dyads, f: IncidentFacts, rng: np.random.Generator) -> list[EventList]:
    perp = d.perp[f.dyad] + d.n
    u = rng.random((f.dyad.size, 3))
    dvpo = u[:, 0] < np.where(f.serious, 0.25, 0.04 * f.crime)
    start = f.time[dvpo] + 1.0
    prot = u[:, 1] < np.where(f.serious, 0.1, 0.03 * f.crime)
    p_start = _after(prot, f.time, 14.0, 60.0, rng)
    order_person = np.concatenate([perp[dvpo], perp[prot]])
    order_start = np.concatenate([start, p_start])
    order_end = np.concatenate([start + 28.0, p_start + 365.0])
    order_danger = d.danger[np.concatenate([f.dyad[dvpo], f.dyad[prot]])]
    breach = rng.random(order_start.size) < 1.0 / (1.0 + np.exp(1.0 - order_danger))
    return [
        EventList.of(perp[dvpo], start, "dvpn_dvpo", start + 28.0),
        EventList.of(perp[prot], p_start, "protective_order", p_start + 365.0),
        EventList.of(
            order_person[breach],
            order_start[breach] + rng.random(int(breach.sum())) * (order_end - order_start)[breach],
            "breach_of_bail_or_order",
        ),
    ]


def _perp_danger(d: Dyads) -> FloatArray:
    danger = np.zeros(int(d.perp.max()) + 1)
    danger[d.perp] = d.danger
    return danger


def _convictions(
    d: Dyads, p: GeneratorParams, f: IncidentFacts, rng: np.random.Generator
) -> list[EventList]:
    perp = d.perp[f.dyad] + d.n
    convicted = rng.random(f.dyad.size) < np.where(f.serious, 0.45, 0.08 * f.crime)
    date = _after(convicted, f.time, 60.0, 300.0, rng)
    licence = rng.random(date.size) < 0.4
    stop = date[licence] + rng.uniform(180.0, 730.0, int(licence.sum()))
    parts = [
        EventList.of(perp[convicted], date, "da_conviction", counterpart=f.dyad[convicted]),
        EventList.of(perp[convicted][licence], date[licence], "licence_or_community_order", stop),
    ]
    danger, years = _perp_danger(d), d.horizon / 3650.0
    for kind in ("violent_conviction", "other_conviction"):
        log_mean = p.prior_conviction_log_rate + _CONVICTION_OFFSETS[kind]
        mean = years * np.exp(log_mean + p.danger_on_convictions * danger)
        owner, when = _spread(rng.poisson(mean), 0.0, d.horizon, rng)
        parts.append(EventList.of(owner + d.n, when, kind))
    return parts


def period_events(
    d: Dyads, p: GeneratorParams, f: IncidentFacts, rng: np.random.Generator
) -> EventList:
    """Return the events during the period: orders, convictions, MARAC, DVDS, separations."""
    disclose = f.dvds & (rng.random(f.dyad.size) < 0.5)
    recorded = (d.sep >= 0) & (d.sep < d.horizon) & (rng.random(d.n) < p.separation_recorded)
    victims = np.arange(d.n, dtype=np.int64)
    perp = d.perp[f.dyad[f.marac]] + d.n
    parts = [
        *_orders(d, f, rng),
        *_convictions(d, p, f, rng),
        EventList.of(f.dyad[f.marac], f.completed[f.marac], "marac_referral", counterpart=perp),
        EventList.of(
            f.dyad[disclose], _after(disclose, f.completed, 3.0, 40.0, rng), "dvds_disclosure"
        ),
        EventList.of(victims[recorded], d.sep[recorded], "separation"),
        *_triggers(d, f, recorded, rng),
    ]
    events = EventList.concat(parts)
    return events.where(events.date < d.horizon)


def _triggers(
    d: Dyads, f: IncidentFacts, separated: BoolArray, rng: np.random.Generator
) -> list[EventList]:
    """Return trigger events and earlier children's social care referrals (rates: assumption)."""
    u = rng.random((d.n, 3))
    contact = separated & d.children & (u[:, 0] < 0.3)
    new = separated & (u[:, 1] < 0.2)
    released = (rng.random(f.dyad.size) < 0.05 * f.crime) | (f.serious & (u[f.dyad, 2] < 0.3))
    shared = f.children & f.crime & (rng.random(f.dyad.size) < 0.8)
    victims = np.arange(d.n, dtype=np.int64)
    return [
        EventList.of(victims[contact], _after(contact, d.sep, 30.0, 200.0, rng),
                     "child_contact_proceedings"),
        EventList.of(victims[new], _after(new, d.sep, 60.0, 400.0, rng), "new_relationship"),
        EventList.of(d.perp[f.dyad[released]] + d.n, _after(released, f.time, 30.0, 365.0, rng),
                     "release_from_custody"),
        EventList.of(f.dyad[shared], _after(shared, f.completed, 0.1, 1.0, rng), "csc_referral"),
    ]  # fmt: skip
