"""People and dyads: latent perpetrator dangerousness, serial perpetrators, relationship timeline.

Every victim belongs to exactly one dyad (victim, perpetrator). A serial perpetrator has
several victims in sequential relationships: each earlier relationship ends in a separation
before the next victim's first police-recorded incident. Times are days since
``observed_from``; ``inf`` means "never" (no separation, no escalation, no end of contact).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.synthetic.params import GeneratorParams
from features.vocab import ETHNICITIES, SEXES

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PREGNANCY_DAYS = 270.0  # assumption: a pregnancy recorded over ~9 months
BABY_DAYS = 548.0  # domain.md q9: "recently had a baby (within 18 months)"


@dataclass(frozen=True)
class Dyads:
    """Latent state of every victim-perpetrator dyad (one row per victim)."""

    perp: IntArray  # perpetrator index (0..n_perp-1)
    rank: IntArray  # position of this victim in the perpetrator's sequence (0 = first)
    danger: FloatArray  # perpetrator dangerousness, standard normal
    log_rate: FloatArray  # log of the base incident rate per day before modifiers
    t0: FloatArray  # first police-recorded incident (index incident)
    sep: FloatArray  # separation day (inf: none)
    end: FloatArray  # end of contact (inf: none); no incidents after it
    esc: FloatArray  # escalation onset (inf: no escalation)
    coercion: FloatArray  # coercive-control latent, correlated with dangerousness
    substance: BoolArray  # perpetrator alcohol / drug problems
    children: BoolArray  # children in the household
    marker: BoolArray  # child-abuse marker on the address
    preg: FloatArray  # start of a pregnancy (inf: none in the period)
    area: IntArray  # area index (0..n_areas-1)
    serial: BoolArray  # the perpetrator has 2+ victims
    horizon: float  # length of the observation period in days

    @property
    def n(self) -> int:
        """Return the number of dyads."""
        return len(self.perp)


def horizon_days(params: GeneratorParams) -> float:
    """Return the observation length in days (``observed_from`` to ``observed_until``)."""
    start, until = pd.Timestamp(params.observed_from), pd.Timestamp(params.observed_until)
    return float((until - start) / pd.Timedelta(days=1))


def _victims_per_perp(n: int, params: GeneratorParams, rng: np.random.Generator) -> IntArray:
    serial = rng.random(n) < params.serial_share
    k = np.where(serial, rng.integers(2, params.serial_max_victims + 1, n), 1)
    cut = int(np.searchsorted(np.cumsum(k), n)) + 1
    k = k[:cut].copy()
    k[-1] -= int(k.sum()) - n
    return np.asarray(k, dtype=np.int64)


def _sequence(k: IntArray) -> tuple[IntArray, IntArray]:
    perp = np.repeat(np.arange(len(k), dtype=np.int64), k)
    first = np.repeat(np.cumsum(k) - k, k)
    return perp, np.arange(len(perp), dtype=np.int64) - first


def _timeline(
    perp: IntArray, k: IntArray, p: GeneratorParams, rng: np.random.Generator, horizon: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n = len(perp)
    u = rng.random(n) * horizon
    t0 = u[np.lexsort((u, perp))]  # dyads are contiguous by perpetrator: sorted within each
    has_next = np.append(perp[1:] == perp[:-1], False)
    nxt = np.append(t0[1:], np.inf)
    serial_sep = t0 + rng.uniform(0.2, 0.9, n) * (nxt - t0)
    free_sep = np.where(
        rng.random(n) < p.separation_prob, t0 + rng.uniform(-365.0, 900.0, n), np.inf
    )
    sep = np.where(has_next, serial_sep, free_sep)
    contact = rng.exponential(p.post_separation_contact_days, n)
    end = np.maximum(sep, t0) + contact
    if np.isfinite(p.desistance_days):  # drawn only when on: the strong-signal stream stays
        end = np.where(np.isinf(sep), t0 + rng.exponential(p.desistance_days, n), end)
    return t0, sep, end


def simulate_dyads(n: int, params: GeneratorParams, rng: np.random.Generator) -> Dyads:
    """Draw the latent state of ``n`` dyads (victims) and their perpetrators."""
    horizon = horizon_days(params)
    k = _victims_per_perp(n, params, rng)
    perp, rank = _sequence(k)
    danger = rng.standard_normal(len(k))[perp]
    t0, sep, end = _timeline(perp, k, params, rng, horizon)
    log_rate = (
        params.base_log_rate_per_year
        + params.danger_on_rate * danger
        + params.dyad_rate_sd * rng.standard_normal(n)
        - np.log(365.25)
    )
    logit = np.log(params.escalation_share / (1 - params.escalation_share))
    p_esc = 1 / (1 + np.exp(-(logit + params.escalation_danger_loading * danger)))
    esc = np.where(rng.random(n) < p_esc, t0 + rng.uniform(-200.0, 900.0, n), np.inf)
    children = rng.random(n) < params.children_share
    preg = np.where(
        rng.random(n) < params.pregnancy_share, t0 + rng.uniform(-400.0, 900.0, n), np.inf
    )
    return Dyads(
        perp=perp,
        rank=rank,
        danger=danger,
        log_rate=log_rate,
        t0=t0,
        sep=sep,
        end=end,
        esc=esc,
        coercion=0.6 * danger + 0.8 * rng.standard_normal(n),
        substance=(rng.random(len(k)) < params.substance_share)[perp],
        children=children,
        marker=children & (rng.random(n) < 0.06),
        preg=preg,
        area=rng.integers(0, params.n_areas, n),
        serial=(k > 1)[perp],
        horizon=horizon,
    )


def _draw_sex(
    n: int, main: str, minority: str, share: float, p: GeneratorParams, rng: np.random.Generator
) -> npt.NDArray[np.object_]:
    minor = 1.0 - share - p.sex_other - p.sex_not_stated
    probs = {main: share, minority: minor, "other": p.sex_other, "not_stated": p.sex_not_stated}
    values = np.array(SEXES, dtype=object)
    weights = np.array([probs[s] for s in SEXES])
    return values[rng.choice(len(SEXES), n, p=weights / weights.sum())]


def people_frame(dyads: Dyads, params: GeneratorParams, rng: np.random.Generator) -> pd.DataFrame:
    """Return the people table: victims first (index = dyad), then perpetrators."""
    n_v, n_p = dyads.n, int(dyads.perp.max()) + 1
    sex = np.concatenate(
        [
            _draw_sex(n_v, "female", "male", params.victim_female, params, rng),
            _draw_sex(n_p, "male", "female", params.perpetrator_male, params, rng),
        ]
    )
    start_year = pd.Timestamp(params.observed_from).year
    age = np.clip(rng.normal(34.0, 11.0, n_v + n_p), 16, 85)
    eth = np.array(ETHNICITIES, dtype=object)[
        rng.choice(len(ETHNICITIES), n_v + n_p, p=np.asarray(params.ethnicity_shares))
    ]
    disabled = np.concatenate(
        [
            rng.random(n_v) < params.disability_victim,
            rng.random(n_p) < params.disability_perpetrator,
        ]
    )
    return pd.DataFrame(
        {
            "person_index": np.arange(n_v + n_p, dtype=np.int64),
            "sex": sex,
            "birth_year": (start_year - np.round(age)).astype(np.int64),
            "ethnicity": eth,
            "disability": disabled,
        }
    )
