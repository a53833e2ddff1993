"""Assemble a synthetic cohort: the public entry point :func:`generate_cohort`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.synthetic import answers as ans
from features.synthetic.history import EventList, IncidentFacts, period_events, prior_record
from features.synthetic.incidents import (
    assign_officers,
    completion_times,
    incident_fields,
    recent_baby,
)
from features.synthetic.oracle import OracleProbabilities, oracle_probabilities
from features.synthetic.params import GENERATOR_VERSION, GeneratorParams, stream
from features.synthetic.population import BoolArray, Dyads, people_frame, simulate_dyads
from features.synthetic.presets import DEFAULT_PRESET, preset
from features.synthetic.process import (
    Events,
    cumulative_before,
    escalation_level,
    segments,
    simulate_events,
    within_dyad_rank,
)
from features.synthetic.rates import realised_rates
from features.synthetic.tables import (
    history_table,
    make_ids,
    ordered_frame,
    people_table,
    ranks_of,
    time_order,
    to_timestamps,
)


@dataclass(frozen=True)
class Cohort:
    """Generated tables (contract columns) and JSON-serialisable metadata."""

    tables: dict[str, pd.DataFrame]
    metadata: dict[str, Any]


def _group_mask(people: pd.DataFrame, n: int, p: GeneratorParams) -> BoolArray:
    if p.bias_group is None:
        return np.zeros(n, dtype=bool)
    column, value = p.bias_group
    if column not in people.columns or column == "person_index":
        raise ValueError(f"bias column {column!r} is not a people column")
    recorded = people[column].astype(str).str.lower().to_numpy()[:n]
    return np.asarray(recorded == value.lower(), dtype=bool)


def _state(
    d: Dyads, p: GeneratorParams, ev: Events, done: npt.NDArray[np.float64], injury: BoolArray
) -> npt.NDArray[np.float64]:
    k = ev.dyad
    since_sep = done - d.sep[k]
    columns = {
        "danger": d.danger[k],
        "coercion": d.coercion[k],
        "substance": d.substance[k],
        "escalation": escalation_level(d, p, k, done),
        "separated_past_year": (since_sep >= 0) & (since_sep < 365.0),
        "children": d.children[k],
        "children_separated": d.children[k] & (since_sep >= 0),
        "pregnant_or_baby": recent_baby(d, k, done),
        "injury": injury,
        "log_prior_incidents": np.log1p(within_dyad_rank(k)),
        "prior_serious": cumulative_before(ev.serious, k) > 0,
        "serial": d.serial[k],
    }
    zero = np.zeros(k.size)
    return np.column_stack([np.asarray(columns.get(f, zero), dtype=float) for f in ans.FEATURES])


def _with_record(state: npt.NDArray[np.float64], conviction: BoolArray, breach: BoolArray) -> None:
    state[:, ans.FEATURES.index("conviction")] = conviction
    state[:, ans.FEATURES.index("breach")] = breach


def _officer_ids(p: GeneratorParams) -> npt.NDArray[np.object_]:
    n = max(1, p.n_officers // p.n_areas) * p.n_areas
    return np.array([f"O{i + 1:04d}" for i in range(n)], dtype=object)


@dataclass(frozen=True)
class _Simulation:
    """Everything simulated, before it becomes tables (one row per incident unless noted)."""

    d: Dyads
    people: pd.DataFrame
    ev: Events
    inc: dict[str, npt.NDArray[np.generic]]
    officer: npt.NDArray[np.int64]
    done: npt.NDArray[np.float64]
    codes: npt.NDArray[np.int8]
    grade: npt.NDArray[np.object_]
    marac: BoolArray
    dvds: BoolArray
    consent: npt.NDArray[np.object_]
    events: EventList
    oracle: OracleProbabilities


def _assess(
    d: Dyads, p: GeneratorParams, ev: Events, inc: dict[str, Any], seed: int
) -> dict[str, Any]:
    """Simulate officers, completion times, the record, answers, grades and referrals."""
    people = people_frame(d, p, stream(seed, 2))
    officer = assign_officers(d, p, ev.dyad, stream(seed, 5))
    done = completion_times(p, ev.time, d.horizon, stream(seed, 6))
    record = prior_record(d, p, stream(seed, 10))
    perp = d.perp[ev.dyad]
    state = _state(d, p, ev, done, inc["injury"].astype(bool))
    _with_record(state, record.conviction[perp], record.breach[perp])
    inputs = ans.AssessmentInputs(
        state=state,
        victim=ev.dyad,
        officer=officer,
        in_group=_group_mask(people, d.n, p)[ev.dyad],
        alcohol=inc["alcohol_or_drugs"].astype(bool),
        violent_record=record.violent[perp],
        danger=d.danger[ev.dyad],
    )
    fx = ans.draw_effects(p, _officer_ids(p).size, d.n, stream(seed, 7))
    codes = ans.answer_codes(inputs, p, fx, stream(seed, 8))
    grade, marac, dvds = ans.grade_and_referral(inputs, p, fx, codes, stream(seed, 9))
    crime, children = inc["crime_recorded"].astype(bool), inc["children_resident"].astype(bool)
    facts = IncidentFacts(ev.dyad, ev.time, done, ev.serious, crime, marac, dvds, children)
    events = EventList.concat([record.events, period_events(d, p, facts, stream(seed, 11))])
    return {
        "people": people,
        "officer": officer,
        "done": done,
        "codes": codes,
        "grade": grade,
        "marac": marac,
        "dvds": dvds,
        "consent": ans.marac_consent(marac, stream(seed, 12)),
        "events": events,
    }


def _simulate(n_victims: int, seed: int, p: GeneratorParams) -> _Simulation:
    """Run every stage of the simulation, each on its own random stream."""
    d = simulate_dyads(n_victims, p, stream(seed, 1))
    seg = segments(d, p)
    ev = simulate_events(d, p, seg, stream(seed, 3))
    inc = incident_fields(d, p, ev, stream(seed, 4))
    parts = _assess(d, p, ev, inc, seed)
    oracle = oracle_probabilities(d, p, seg, ev, (ev.dyad, parts["done"]))
    return _Simulation(d=d, ev=ev, inc=inc, oracle=oracle, **parts)


def _oracle_columns(oracle: OracleProbabilities) -> dict[str, npt.NDArray[np.float64]]:
    """Return the oracle table's probability columns (one per label the oracle knows)."""
    return {
        "p_serious_harm_365d": oracle.p_serious,
        "p_repeat_365d": oracle.p_repeat,
        "p_repeat_violent_365d": oracle.p_violent,
    }


def _incident_and_assessment_tables(
    sim: _Simulation, p: GeneratorParams, person_ids: npt.NDArray[np.object_]
) -> dict[str, pd.DataFrame]:
    """Return incidents (by time), assessments and oracle (by completion time) with ids."""
    d, ev = sim.d, sim.ev
    order = time_order(ev.time, ev.dyad)
    rank = ranks_of(order)
    incident_ids, assessment_ids = make_ids("I", rank.size)[rank], make_ids("A", rank.size)[rank]
    officer_ids = _officer_ids(p)[sim.officer]
    areas = np.array([f"area_{a + 1:02d}" for a in range(p.n_areas)], dtype=object)
    incidents = {
        "incident_id": incident_ids,
        "occurred_at": to_timestamps(ev.time, p.observed_from),
        "victim_id": person_ids[ev.dyad],
        "perpetrator_id": person_ids[d.n + d.perp[ev.dyad]],
        "officer_id": officer_ids,
        "area": areas[d.area[ev.dyad]],
        **sim.inc,
    }
    assessments = {
        "assessment_id": assessment_ids,
        "incident_id": incident_ids,
        "completed_at": to_timestamps(sim.done, p.observed_from),
        "officer_id": officer_ids,
        **ans.answer_columns(sim.codes),
        "officer_grade": sim.grade,
        "referred_to_marac": sim.marac,
        "dvds_concern": sim.dvds,
        "marac_consent": sim.consent,
    }
    oracle = {"assessment_id": assessment_ids, **_oracle_columns(sim.oracle)}
    a_order = time_order(sim.done, rank)
    return {
        "incidents": ordered_frame(incidents, order),
        "dash_assessments": ordered_frame(assessments, a_order),
        "oracle": ordered_frame(oracle, a_order),
    }


def generate_cohort(
    n_victims: int, seed: int, params: GeneratorParams | None = None, preset_name: str = ""
) -> Cohort:
    """Generate a synthetic cohort of ``n_victims`` victims with a known oracle.

    Without ``params`` the default preset's parameters are used; ``preset_name`` records which
    named set ``params`` came from (see :mod:`features.synthetic.presets`).
    """
    if n_victims < 1:
        raise ValueError("n_victims must be at least 1")
    if params is None:
        params, preset_name = preset(DEFAULT_PRESET), DEFAULT_PRESET
    p = params
    sim = _simulate(n_victims, seed, p)
    person_ids = make_ids("P", len(sim.people))
    linked = _incident_and_assessment_tables(sim, p, person_ids)
    tables = {
        "people": people_table(sim.people, person_ids),
        "incidents": linked["incidents"],
        "dash_assessments": linked["dash_assessments"],
        "history_events": history_table(sim.events, person_ids, p.observed_from),
        "oracle": linked["oracle"],
    }
    rates = realised_rates(sim.d, sim.ev, sim.done, sim.oracle, sim.codes, sim.grade, sim.inc)
    metadata = _metadata(n_victims, seed, p, tables, rates)
    return Cohort(tables=tables, metadata={**metadata, "preset": preset_name or "custom"})


def _metadata(
    n: int, seed: int, p: GeneratorParams, tables: dict[str, pd.DataFrame], rates: dict[str, float]
) -> dict[str, Any]:
    return {
        "generator": "features.synthetic",
        "generator_version": GENERATOR_VERSION,
        "synthetic": True,
        "seed": int(seed),
        "n_victims": int(n),
        "observed_from": p.observed_from,
        "observed_until": p.observed_until,
        "officer_effect_sd": float(p.officer_effect_sd),
        "officer_leniency_sd": float(p.officer_leniency_sd),
        "bias": {
            "enabled": p.bias_group is not None,
            "group": None if p.bias_group is None else list(p.bias_group),
            "fear_items": list(ans.FEAR_ITEMS),
            "fear_drop": float(p.bias_fear_drop),
            "grade_shift": float(p.bias_grade_shift),
        },
        "params": p.to_dict(),
        "rows": {name: len(frame) for name, frame in tables.items()},
        "realised_rates": rates,
    }
