"""DASH answers, officer grade, MARAC referral and DVDS concern for every assessment.

Each answer is 'yes' with probability ``sigmoid(a_q + scale * x . w_q + v_victim + o_officer)``
where ``x`` is the true state at the assessment (dangerousness, coercion, escalation, recent
separation, children, pregnancy, injury now, prior incidents, criminal record), ``v`` a
victim disclosure effect and ``o`` the officer effect (a logit shift per officer with SD
``officer_effect_sd``). With a bias group set, a true fear 'yes' (q2, q3, q17) of a victim in
that group is recorded 'no' with probability ``bias_fear_drop``. Then answers become "don't
know" or "not answered" at their rates. The loadings below are assumptions, chosen so the
yes-count carries modest signal (DASH AUC ~0.6-0.67, domain.md: Caulfield 2023).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from features.dash import ANSWERS, QUESTION_IDS
from features.synthetic.params import GeneratorParams
from features.synthetic.population import BoolArray, FloatArray, IntArray

FEATURES: tuple[str, ...] = (
    "danger",
    "coercion",
    "substance",
    "escalation",
    "separated_past_year",
    "children",
    "children_separated",
    "pregnant_or_baby",
    "injury",
    "log_prior_incidents",
    "prior_serious",
    "conviction",
    "breach",
    "serial",
)
FEAR_ITEMS: tuple[str, ...] = ("q2", "q3", "q17")  # domain.md: the victim's fear items
_FEAR_INDEX = [QUESTION_IDS.index(q) for q in FEAR_ITEMS]

# question -> (intercept, {feature: loading}); all assumptions (see the module docstring).
LOADINGS: dict[str, tuple[float, dict[str, float]]] = {
    "q1": (-3.5, {"injury": 6.0}),
    "q2": (-0.5, {"danger": 0.45, "escalation": 0.35, "prior_serious": 0.7, "injury": 0.5}),
    "q3": (-0.7, {"danger": 0.45, "escalation": 0.35, "prior_serious": 0.6, "children": 0.3}),
    "q4": (-1.2, {"coercion": 0.8}),
    "q5": (-0.9, {"coercion": 0.4, "log_prior_incidents": 0.3}),
    "q6": (-3.0, {"separated_past_year": 5.0}),
    "q7": (-3.5, {"children_separated": 3.5}),
    "q8": (-1.4, {"coercion": 0.5, "separated_past_year": 1.2}),
    "q9": (-4.0, {"pregnant_or_baby": 6.0}),
    "q10": (-4.0, {"children": 3.4}),
    "q11": (-4.0, {"children": 1.5, "danger": 0.5}),
    "q12": (-4.0, {"children": 1.8, "danger": 0.6}),
    "q13": (-2.0, {"escalation": 1.1, "log_prior_incidents": 0.5}),
    "q14": (-2.0, {"escalation": 1.2, "log_prior_incidents": 0.3, "prior_serious": 0.5}),
    "q15": (-0.4, {"coercion": 0.9}),
    "q16": (-2.3, {"danger": 0.7, "prior_serious": 0.6}),
    "q17": (-2.0, {"danger": 0.7, "escalation": 0.3}),
    "q18": (-2.4, {"danger": 0.7, "prior_serious": 0.6}),
    "q19": (-2.2, {"danger": 0.45, "coercion": 0.4}),
    "q20": (-3.0, {}),
    "q21": (-2.0, {"danger": 0.5, "serial": 1.0, "conviction": 0.5}),
    "q22": (-2.8, {"danger": 0.5}),
    "q23": (-1.0, {"coercion": 0.4}),
    "q24": (-1.8, {"substance": 2.5}),
    "q25": (-2.0, {"danger": 0.3, "substance": 0.5}),
    "q26": (-2.5, {"breach": 2.5, "danger": 0.3}),
    "q27": (-1.0, {"conviction": 2.0, "log_prior_incidents": 0.5}),
}

# Officer grade score weights (Armitage 2024, Policing, child protection and domestic violence
# and abuse: officers weigh fear, escalation, prior incidents, alcohol and drugs; separation is
# a known trigger). Values are assumptions.
GRADE_WEIGHTS: dict[str, float] = {
    "yes_count": 0.2,
    "fear": 0.45,
    "escalation": 0.5,
    "log_prior_incidents": 0.4,
    "separated": 0.3,
    "alcohol_or_drugs": 0.3,
}


@dataclass(frozen=True)
class AssessmentInputs:
    """What the answers and the grade depend on, one row per assessment."""

    state: FloatArray  # (n, len(FEATURES)) true state matrix
    victim: IntArray  # dyad / victim index
    officer: IntArray  # officer index
    in_group: BoolArray  # victim belongs to the bias group
    alcohol: BoolArray  # the incident involved alcohol or drugs
    violent_record: BoolArray  # the perpetrator has a violent or DA conviction on record
    danger: FloatArray


@dataclass(frozen=True)
class OfficerEffects:
    """Per-officer logit shift of 'yes' answers and grading leniency; per-victim disclosure."""

    yes_shift: FloatArray
    leniency: FloatArray
    disclosure: FloatArray


def draw_effects(
    p: GeneratorParams, n_officers: int, n_victims: int, rng: np.random.Generator
) -> OfficerEffects:
    """Draw officer and victim random effects (the stream is used the same way for any SD)."""
    return OfficerEffects(
        yes_shift=p.officer_effect_sd * rng.standard_normal(n_officers),
        leniency=p.officer_leniency_sd * rng.standard_normal(n_officers),
        disclosure=p.victim_disclosure_sd * rng.standard_normal(n_victims),
    )


def _loading_matrix() -> tuple[FloatArray, FloatArray]:
    w = np.zeros((len(FEATURES), len(QUESTION_IDS)))
    a = np.zeros(len(QUESTION_IDS))
    for j, q in enumerate(QUESTION_IDS):
        a[j], loads = LOADINGS[q]
        for name, value in loads.items():
            w[FEATURES.index(name), j] = value
    return a, w


def answer_codes(
    x: AssessmentInputs, p: GeneratorParams, fx: OfficerEffects, rng: np.random.Generator
) -> npt.NDArray[np.int8]:
    """Return answer codes (index into ``ANSWERS``), shape (n, 27)."""
    a, w = _loading_matrix()
    shift = fx.disclosure[x.victim] + fx.yes_shift[x.officer]
    logit = a + p.answer_scale * (x.state @ w) + shift[:, None]
    u = rng.random(logit.shape)
    yes = u < 1.0 / (1.0 + np.exp(-logit))
    drop = rng.random((logit.shape[0], len(_FEAR_INDEX))) < p.bias_fear_drop
    if p.bias_group is not None:
        yes[:, _FEAR_INDEX] &= ~(drop & x.in_group[:, None])
    codes = np.where(yes, 0, 1).astype(np.int8)
    v = rng.random(logit.shape)
    codes[v < p.dont_know_rate] = 2
    codes[(v >= p.dont_know_rate) & (v < p.dont_know_rate + p.not_answered_rate)] = 3
    return codes


def _yes(codes: npt.NDArray[np.int8], *questions: str) -> IntArray:
    cols = [QUESTION_IDS.index(q) for q in questions]
    return np.asarray((codes[:, cols] == 0).sum(axis=1), dtype=np.int64)


def grade_and_referral(
    x: AssessmentInputs,
    p: GeneratorParams,
    fx: OfficerEffects,
    codes: npt.NDArray[np.int8],
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.object_], BoolArray, BoolArray]:
    """Return the officer's grade, the MARAC referral and the DVDS concern per assessment."""
    yes = np.asarray((codes == 0).sum(axis=1), dtype=np.int64)
    g = GRADE_WEIGHTS
    score = (
        g["yes_count"] * yes
        + g["fear"] * _yes(codes, *FEAR_ITEMS)
        + g["escalation"] * (_yes(codes, "q13", "q14") > 0)
        + g["log_prior_incidents"] * x.state[:, FEATURES.index("log_prior_incidents")]
        + g["separated"] * _yes(codes, "q6")
        + g["alcohol_or_drugs"] * x.alcohol
        + fx.leniency[x.officer]
        + p.grade_noise_sd * rng.standard_normal(yes.size)
    )
    if p.bias_group is not None:
        score = score + p.bias_grade_shift * x.in_group
    grade = np.where(
        score >= p.grade_high_cut,
        "high",
        np.where(score >= p.grade_medium_cut, "medium", "standard"),
    ).astype(object)
    u = rng.random((yes.size, 2))
    marac = (grade == "high") | (yes >= 14) | ((grade == "medium") & (u[:, 0] < p.marac_noise))
    logit = p.dvds_base_logit + 1.3 * x.violent_record + 0.4 * x.danger
    dvds = u[:, 1] < 1.0 / (1.0 + np.exp(-logit))
    return grade, np.asarray(marac, dtype=bool), np.asarray(dvds, dtype=bool)


def answer_columns(codes: npt.NDArray[np.int8]) -> dict[str, npt.NDArray[np.object_]]:
    """Return the q1..q27 columns as strings from answer codes."""
    labels = np.array(ANSWERS, dtype=object)
    return {q: labels[codes[:, j]] for j, q in enumerate(QUESTION_IDS)}


def marac_consent(marac: BoolArray, rng: np.random.Generator) -> npt.NDArray[np.object_]:
    """Return the recorded MARAC consent: given or refused where referred (assumption: 80%)."""
    given = rng.random(marac.size) < 0.8
    return np.where(marac, np.where(given, "given", "refused"), "not_sought").astype(object)
