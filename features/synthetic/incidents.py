"""Incident fields from the simulated events: offence, severity, flags, officer, completion time.

Serious incidents (the marked base events) always carry at least one serious-harm marker of
``features.labels.is_serious_harm``; every other incident carries none, so the derived labels
count exactly the simulated serious events. Likewise exactly the violent-marked events get a
violent offence category (``features.labels.is_violent``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from features.synthetic.params import GeneratorParams
from features.synthetic.population import (
    BABY_DAYS,
    PREGNANCY_DAYS,
    BoolArray,
    Dyads,
    FloatArray,
    IntArray,
)
from features.synthetic.process import Events, escalation_level

Columns = dict[str, npt.NDArray[np.generic]]

# Serious-harm marker types and their shares (assumption): injury, strangulation, sexual
# offence, weapon, severity 5 only.
_SERIOUS_TYPES = np.array([0.55, 0.15, 0.12, 0.12, 0.06])
# Offence categories of non-serious crimes and their shares (assumption).
_MINOR_CRIMES = np.array(
    [
        "violence_without_injury",
        "stalking_harassment",
        "coercive_control",
        "criminal_damage",
        "breach_of_order",
    ],
    dtype=object,
)
_MINOR_SHARES = np.array([0.42, 0.2, 0.14, 0.14, 0.10])
# Non-violent crimes keep their relative shares; violence is the simulated violent mark.
_OTHER_SHARES = _MINOR_SHARES[1:] / _MINOR_SHARES[1:].sum()


def _serious_fields(serious: BoolArray, rng: np.random.Generator) -> Columns:
    n = serious.size
    kind = rng.choice(len(_SERIOUS_TYPES), n, p=_SERIOUS_TYPES)
    extra = rng.random((n, 3))
    injury = serious & ((kind == 0) | ((kind == 2) & (extra[:, 0] < 0.3)))
    strangulation = serious & ((kind == 1) | ((kind == 0) & (extra[:, 1] < 0.1)))
    weapon = serious & ((kind == 3) | ((kind == 0) & (extra[:, 2] < 0.15)))
    sexual = serious & (kind == 2)
    category = np.where(
        sexual, "sexual", np.where(injury, "violence_with_injury", "violence_without_injury")
    ).astype(object)
    severity = np.where(kind == 4, 5, 4 + (rng.random(n) < 0.3))
    return {
        "injury": injury,
        "strangulation": strangulation,
        "weapon": weapon,
        "offence_category": category,
        "severity": severity.astype(np.int64),
    }


def _minor_fields(ev: Events, esc: IntArray, rng: np.random.Generator) -> Columns:
    n = ev.dyad.size
    crime = ev.violent | (rng.random(n) < np.where(ev.offspring, 0.5, 0.49))
    other = _MINOR_CRIMES[1:][rng.choice(len(_MINOR_CRIMES) - 1, n, p=_OTHER_SHARES)]
    category = np.where(ev.violent, _MINOR_CRIMES[0], np.where(crime, other, "non_crime")).astype(
        object
    )
    severity = 1 + crime + (rng.random(n) < 0.25 + 0.2 * esc) * crime
    return {"crime_recorded": crime, "offence_category": category, "severity": severity}


def incident_fields(d: Dyads, p: GeneratorParams, ev: Events, rng: np.random.Generator) -> Columns:
    """Return every incident column except the ids, one row per event."""
    k = ev.dyad
    esc = escalation_level(d, p, k, ev.time)
    hard = _serious_fields(ev.serious, rng)
    soft = _minor_fields(ev, esc, rng)
    s = ev.serious
    present = d.children[k] & (rng.random(k.size) < p.children_present_prob)
    preg_since = ev.time - d.preg[k]
    flags = rng.random((k.size, 3))
    rare = rng.random((k.size, 2))  # drawn last: the columns above keep their values
    return {
        "crime_recorded": s | soft["crime_recorded"].astype(bool),
        "offence_category": np.where(s, hard["offence_category"], soft["offence_category"]),
        "severity": np.where(s, hard["severity"], soft["severity"]).astype(np.int64),
        "injury": hard["injury"],
        "weapon": hard["weapon"],
        "strangulation": hard["strangulation"],
        "alcohol_or_drugs": flags[:, 0] < np.where(d.substance[k], 0.55, 0.12),
        "children_present": present,
        "child_involved": present & (flags[:, 1] < 0.08),
        "child_called_police": present & (flags[:, 2] < 0.06),
        "victim_pregnant": (preg_since >= 0) & (preg_since < PREGNANCY_DAYS),
        "child_abuse_marker_at_address": d.marker[k],
        # Residence: children in the household (what DASH q10 asks about), present or not.
        "children_resident": d.children[k],
        "honour_based_abuse": rare[:, 0] < 0.01,  # assumption: about 1% of incidents
        "adult_at_risk": rare[:, 1] < 0.03,  # assumption: about 3% of incidents
    }


def recent_baby(d: Dyads, k: IntArray, t: FloatArray) -> BoolArray:
    """Return whether the victim is pregnant or had a baby within 18 months at ``t``."""
    since = t - d.preg[k]
    return np.asarray((since >= 0) & (since < PREGNANCY_DAYS + BABY_DAYS), dtype=bool)


def assign_officers(
    d: Dyads, p: GeneratorParams, k: IntArray, rng: np.random.Generator
) -> IntArray:
    """Pick an officer from the dyad's area for each incident (officer o serves o % areas)."""
    per_area = max(1, p.n_officers // p.n_areas)
    return np.asarray(d.area[k] + p.n_areas * rng.integers(0, per_area, k.size), dtype=np.int64)


def completion_times(
    p: GeneratorParams, time: FloatArray, horizon: float, rng: np.random.Generator
) -> FloatArray:
    """Return DASH completion times: a few hours after the incident, within observation."""
    hours = np.minimum(rng.lognormal(np.log(p.completion_median_hours), 0.7, time.size), 20.0)
    done = np.minimum(time + np.maximum(hours, 0.1) / 24.0, horizon - 1.0 / 86_400)
    done = np.maximum(done, time)
    return np.asarray(np.round(done * 86_400.0) / 86_400.0, dtype=np.float64)
