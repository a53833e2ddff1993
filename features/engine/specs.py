"""Feature definitions: every model input with its family, dtype, range and plain-English meaning.

The API and the reviewer page show ``description`` beside each SHAP value, so it says exactly
what was counted and over which period. Incident history is cut at the current incident's
``occurred_at`` (never later than the assessment); history events and earlier assessments at
the assessment's ``completed_at``. Every cut is strict: rows dated at the cut are not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from features.dash import DASH
from features.vocab import GRADES, OFFENCE_CATEGORIES, SEVERITY_MAX, SEVERITY_MIN

Dtype = Literal["int64", "float64"]
FAMILIES: Final[tuple[str, ...]] = (
    "prior_incidents",
    "escalation",
    "separation",
    "fear",
    "criminal_history",
    "current_incident",
    "dash",
)


@dataclass(frozen=True)
class FeatureSpec:
    """One model input: name, family, dtype, description and known range.

    ``int64`` features are never missing; ``float64`` ones may be NaN (no history, or an
    unknown DASH answer). ``categories`` lists the labels of a categorical code, in code order.
    ``monotone`` 1 declares that a higher value never lowers the estimate, where the domain
    sources and the data agree (training passes it to LightGBM as a monotone constraint).
    """

    name: str
    family: str
    dtype: Dtype
    description: str
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[str, ...] = ()
    monotone: Literal[-1, 0, 1] = 0

    @property
    def nullable(self) -> bool:
        """Return whether the feature may be missing (NaN)."""
        return self.dtype == "float64"


def _count(name: str, family: str, description: str, *, rises: bool = False) -> FeatureSpec:
    return FeatureSpec(name, family, "int64", description, minimum=0, monotone=1 if rises else 0)


def _flag(name: str, family: str, description: str, *, rises: bool = False) -> FeatureSpec:
    return FeatureSpec(
        name, family, "int64", description, minimum=0, maximum=1, monotone=1 if rises else 0
    )


def _real(
    name: str, family: str, description: str, lo: float | None = None, hi: float | None = None
) -> FeatureSpec:
    return FeatureSpec(name, family, "float64", description, minimum=lo, maximum=hi)


_DYAD = "Police-recorded incidents between this victim and perpetrator"
_BEFORE = "before the current incident"

PRIOR_INCIDENTS: Final[tuple[FeatureSpec, ...]] = (
    _count(
        "dyad_incidents_30d", "prior_incidents", f"{_DYAD} in the 30 days {_BEFORE}", rises=True
    ),
    _count(
        "dyad_incidents_90d", "prior_incidents", f"{_DYAD} in the 90 days {_BEFORE}", rises=True
    ),
    _count(
        "dyad_incidents_365d", "prior_incidents", f"{_DYAD} in the 365 days {_BEFORE}", rises=True
    ),
    _count("dyad_incidents_ever", "prior_incidents", f"{_DYAD} at any time {_BEFORE}", rises=True),
    _count(
        "perp_incidents_365d",
        "prior_incidents",
        f"Incidents by this perpetrator against any victim in the 365 days {_BEFORE}",
        rises=True,
    ),
    _count(
        "perp_incidents_ever",
        "prior_incidents",
        f"Incidents by this perpetrator against any victim at any time {_BEFORE}",
        rises=True,
    ),
    _count(
        "perp_other_victims_ever",
        "prior_incidents",
        f"Number of other victims of this perpetrator in incidents {_BEFORE} (serial abuse)",
        rises=True,
    ),
    _count(
        "victim_incidents_365d",
        "prior_incidents",
        f"Incidents against this victim by any perpetrator in the 365 days {_BEFORE}",
        rises=True,
    ),
    _real(
        "days_since_last_dyad_incident",
        "prior_incidents",
        "Days from the last earlier incident between this victim and perpetrator to the "
        "current incident (missing if there was none)",
        lo=0.0,
    ),
)

ESCALATION: Final[tuple[FeatureSpec, ...]] = (
    _real(
        "dyad_rate_ratio_6m",
        "escalation",
        f"{_DYAD} in the 6 months {_BEFORE} plus one, divided by those in the 6 months before "
        "that plus one (above 1: more frequent)",
        lo=0.0,
    ),
    _real(
        "dyad_severity_slope_last5",
        "escalation",
        "Change in severity per incident over the last (up to) 5 earlier incidents between "
        "this victim and perpetrator, least-squares slope (missing if fewer than 2)",
        lo=-float(SEVERITY_MAX - SEVERITY_MIN),
        hi=float(SEVERITY_MAX - SEVERITY_MIN),
    ),
    _real(
        "dyad_severity_recent_vs_earlier",
        "escalation",
        "Mean severity of this dyad's incidents in the 180 days before the current incident "
        "minus the mean severity of its older incidents (missing unless both exist)",
        lo=-float(SEVERITY_MAX - SEVERITY_MIN),
        hi=float(SEVERITY_MAX - SEVERITY_MIN),
    ),
    _real(
        "severity_vs_prior_dyad_max",
        "escalation",
        "Severity of the current incident minus the highest severity of any earlier incident "
        "between this victim and perpetrator (missing if none)",
        lo=-float(SEVERITY_MAX - SEVERITY_MIN),
        hi=float(SEVERITY_MAX - SEVERITY_MIN),
    ),
    _real(
        "dyad_gap_ratio",
        "escalation",
        "Time since the last earlier dyad incident divided by the mean gap between the earlier "
        "dyad incidents (below 1: incidents coming closer together; missing if fewer than 2)",
        lo=0.0,
    ),
    _real(
        "dash_yes_count_change",
        "escalation",
        "DASH 'yes' count now minus at the previous assessment of this victim and perpetrator "
        "(missing if none)",
        lo=-float(len(DASH.questions)),
        hi=float(len(DASH.questions)),
    ),
)

_SEPARATION_HISTORY: Final[tuple[FeatureSpec, ...]] = (
    _flag(
        "victim_separation_recorded_ever",
        "separation",
        "Whether a separation of the victim was recorded at any time before this assessment",
    ),
    _flag(
        "victim_separation_recorded_365d",
        "separation",
        "Whether a separation of the victim was recorded in the 365 days before this assessment",
    ),
    _real(
        "days_since_victim_separation",
        "separation",
        "Days since the victim's last recorded separation (missing if none)",
        lo=0.0,
    ),
    # Triggers (When to involve the police, social work guidance): raise risk, mandate nothing.
    _flag(
        "victim_new_relationship_365d",
        "separation",
        "1 if a new relationship of the victim was recorded in the 365 days before this assessment",
    ),
    _flag(
        "child_contact_proceedings_365d",
        "separation",
        "1 if child-contact proceedings of the victim or perpetrator were recorded in the 365 "
        "days before this assessment",
    ),
)

_FEAR_HISTORY: Final[tuple[FeatureSpec, ...]] = (
    _real(
        "prior_q2_yes_share",
        "fear",
        "Share of earlier DASH assessments of this victim and perpetrator in which the victim "
        "said 'yes' to being very frightened (q2), among those answered yes or no",
        lo=0.0,
        hi=1.0,
    ),
)

_PERP = "this perpetrator"
_BEFORE_T = "before this assessment"
CRIMINAL_HISTORY: Final[tuple[FeatureSpec, ...]] = (
    _count(
        "perp_da_convictions",
        "criminal_history",
        f"Domestic abuse convictions of {_PERP} {_BEFORE_T}",
        rises=True,
    ),
    _count(
        "perp_violent_convictions",
        "criminal_history",
        f"Violent (non-domestic) convictions of {_PERP} {_BEFORE_T}",
        rises=True,
    ),
    _count(
        "perp_other_convictions", "criminal_history", f"Other convictions of {_PERP} {_BEFORE_T}"
    ),
    _count(
        "perp_convictions_730d",
        "criminal_history",
        f"Convictions of any kind of {_PERP} in the 2 years {_BEFORE_T}",
    ),
    _count(
        "perp_breaches",
        "criminal_history",
        f"Recorded breaches of bail or of an order by {_PERP} {_BEFORE_T}",
        rises=True,
    ),
    _flag(
        "dvpn_dvpo_active",
        "criminal_history",
        "Whether a DV protection notice or order involving this victim or perpetrator was in force "
        "at the assessment",
    ),
    _flag(
        "protective_order_active",
        "criminal_history",
        "Whether a restraining or non-molestation order involving this victim or perpetrator was "
        "in force at the assessment",
    ),
    _flag(
        "perp_on_licence_or_order",
        "criminal_history",
        f"Whether {_PERP} was on licence or a community order at the assessment",
    ),
    _count(
        "victim_prior_marac_referrals",
        "criminal_history",
        f"Earlier MARAC referrals of this victim {_BEFORE_T}",
        rises=True,
    ),
    _count(
        "dvds_disclosures",
        "criminal_history",
        f"Domestic violence disclosure scheme disclosures about this victim or perpetrator "
        f"{_BEFORE_T}",
    ),
    _flag(
        "perp_released_365d",
        "criminal_history",
        f"1 if {_PERP} was released from custody in the 365 days {_BEFORE_T} (a trigger)",
    ),
    _real(
        "days_since_perp_release",
        "criminal_history",
        f"Days since {_PERP} was last released from custody (missing if never recorded)",
        lo=0.0,
    ),
)

_CURRENT = "Current incident:"
CURRENT_INCIDENT: Final[tuple[FeatureSpec, ...]] = (
    FeatureSpec(
        "offence_category",
        "current_incident",
        "int64",
        f"{_CURRENT} offence category ("
        + ", ".join(c.replace("_", " ") for c in OFFENCE_CATEGORIES)
        + ")",
        minimum=0,
        maximum=len(OFFENCE_CATEGORIES) - 1,
        categories=OFFENCE_CATEGORIES,
    ),
    FeatureSpec(
        "severity",
        "current_incident",
        "int64",
        f"{_CURRENT} severity ({SEVERITY_MIN} low to {SEVERITY_MAX} life-threatening)",
        minimum=SEVERITY_MIN,
        maximum=SEVERITY_MAX,
        monotone=1,
    ),
    _flag("injury", "current_incident", f"{_CURRENT} whether the victim was injured"),
    _flag("weapon", "current_incident", f"{_CURRENT} whether a weapon was used", rises=True),
    _flag(
        "strangulation",
        "current_incident",
        f"{_CURRENT} whether strangulation was reported",
        rises=True,
    ),
    _flag(
        "alcohol_or_drugs", "current_incident", f"{_CURRENT} whether alcohol or drugs were involved"
    ),
    _flag("children_present", "current_incident", f"{_CURRENT} whether children were present"),
    _flag("victim_pregnant", "current_incident", f"{_CURRENT} whether the victim is pregnant"),
    _flag("crime_recorded", "current_incident", f"{_CURRENT} whether a crime was recorded"),
)

# DASH answers that belong to a named risk-factor family rather than the generic 'dash' one.
_ANSWER_FAMILY: Final[dict[str, str]] = {
    "q2": "fear",
    "q3": "fear",
    "q6": "separation",
    "q7": "separation",
    "q13": "escalation",
    "q14": "escalation",
}


def _answer(question_id: str) -> FeatureSpec:
    text = DASH.question(question_id).text
    return _real(
        f"dash_{question_id}",
        _ANSWER_FAMILY.get(question_id, "dash"),
        f"DASH question {question_id[1:]}: '{text}' (yes or no; don't know and not answered "
        "are kept apart from no)",
        lo=0.0,
        hi=1.0,
    )


DASH_ANSWERS: Final[tuple[FeatureSpec, ...]] = tuple(_answer(q) for q in DASH.question_ids)
DASH_SUMMARY: Final[tuple[FeatureSpec, ...]] = (
    FeatureSpec(
        "dash_yes_count",
        "dash",
        "int64",
        "Number of DASH questions answered 'yes'",
        minimum=0,
        maximum=len(DASH.questions),
        monotone=1,
    ),
    FeatureSpec(
        "dash_unknown_count",
        "dash",
        "int64",
        "Number of DASH questions answered 'don't know' or not answered",
        minimum=0,
        maximum=len(DASH.questions),
    ),
    FeatureSpec(
        "officer_grade",
        "dash",
        "int64",
        "Officer's DASH grade (" + ", ".join(GRADES) + ")",
        minimum=0,
        maximum=len(GRADES) - 1,
        categories=GRADES,
    ),
    _count(
        "dyad_prior_assessments",
        "dash",
        "Earlier DASH assessments of this victim and perpetrator completed before this one",
    ),
)

FEATURES: Final[tuple[FeatureSpec, ...]] = (
    PRIOR_INCIDENTS
    + ESCALATION
    + _SEPARATION_HISTORY
    + _FEAR_HISTORY
    + CRIMINAL_HISTORY
    + CURRENT_INCIDENT
    + DASH_ANSWERS
    + DASH_SUMMARY
)
