"""The history inputs: prior incidents, escalation, separation and triggers, fear, convictions.

Incident history is cut at the current incident's ``occurred_at``; history events and earlier
assessments at the assessment's ``completed_at`` (see :mod:`features.engine.specs`).
"""

from __future__ import annotations

from typing import Final

from features.dash import DASH
from features.engine.spec_type import FeatureSpec, count_spec, flag_spec, real_spec
from features.vocab import SEVERITY_MAX, SEVERITY_MIN

_DYAD = "Police-recorded incidents between this victim and perpetrator"
_BEFORE = "before the current incident"

PRIOR_INCIDENTS: Final[tuple[FeatureSpec, ...]] = (
    count_spec(
        "dyad_incidents_30d", "prior_incidents", f"{_DYAD} in the 30 days {_BEFORE}", rises=True
    ),
    count_spec(
        "dyad_incidents_90d", "prior_incidents", f"{_DYAD} in the 90 days {_BEFORE}", rises=True
    ),
    count_spec(
        "dyad_incidents_365d", "prior_incidents", f"{_DYAD} in the 365 days {_BEFORE}", rises=True
    ),
    count_spec(
        "dyad_incidents_ever", "prior_incidents", f"{_DYAD} at any time {_BEFORE}", rises=True
    ),
    count_spec(
        "perp_incidents_365d",
        "prior_incidents",
        f"Incidents by this perpetrator against any victim in the 365 days {_BEFORE}",
        rises=True,
    ),
    count_spec(
        "perp_incidents_ever",
        "prior_incidents",
        f"Incidents by this perpetrator against any victim at any time {_BEFORE}",
        rises=True,
    ),
    count_spec(
        "perp_other_victims_ever",
        "prior_incidents",
        f"Number of other victims of this perpetrator in incidents {_BEFORE} (serial abuse)",
        rises=True,
    ),
    count_spec(
        "victim_incidents_365d",
        "prior_incidents",
        f"Incidents against this victim by any perpetrator in the 365 days {_BEFORE}",
        rises=True,
    ),
    real_spec(
        "days_since_last_dyad_incident",
        "prior_incidents",
        "Days from the last earlier incident between this victim and perpetrator to the "
        "current incident (missing if there was none)",
        lo=0.0,
    ),
)

ESCALATION: Final[tuple[FeatureSpec, ...]] = (
    real_spec(
        "dyad_rate_ratio_6m",
        "escalation",
        f"{_DYAD} in the 6 months {_BEFORE} plus one, divided by those in the 6 months before "
        "that plus one (above 1: more frequent)",
        lo=0.0,
    ),
    real_spec(
        "dyad_severity_slope_last5",
        "escalation",
        "Change in severity per incident over the last (up to) 5 earlier incidents between "
        "this victim and perpetrator, least-squares slope (missing if fewer than 2)",
        lo=-float(SEVERITY_MAX - SEVERITY_MIN),
        hi=float(SEVERITY_MAX - SEVERITY_MIN),
    ),
    real_spec(
        "dyad_severity_recent_vs_earlier",
        "escalation",
        "Mean severity of this dyad's incidents in the 180 days before the current incident "
        "minus the mean severity of its older incidents (missing unless both exist)",
        lo=-float(SEVERITY_MAX - SEVERITY_MIN),
        hi=float(SEVERITY_MAX - SEVERITY_MIN),
    ),
    real_spec(
        "severity_vs_prior_dyad_max",
        "escalation",
        "Severity of the current incident minus the highest severity of any earlier incident "
        "between this victim and perpetrator (missing if none)",
        lo=-float(SEVERITY_MAX - SEVERITY_MIN),
        hi=float(SEVERITY_MAX - SEVERITY_MIN),
    ),
    real_spec(
        "dyad_gap_ratio",
        "escalation",
        "Time since the last earlier dyad incident divided by the mean gap between the earlier "
        "dyad incidents (below 1: incidents coming closer together; missing if fewer than 2)",
        lo=0.0,
    ),
    real_spec(
        "dash_yes_count_change",
        "escalation",
        "DASH 'yes' count now minus at the previous assessment of this victim and perpetrator "
        "(missing if none)",
        lo=-float(len(DASH.questions)),
        hi=float(len(DASH.questions)),
    ),
)

_SEPARATION_HISTORY: Final[tuple[FeatureSpec, ...]] = (
    flag_spec(
        "victim_separation_recorded_ever",
        "separation",
        "Whether a separation of the victim was recorded at any time before this assessment",
    ),
    flag_spec(
        "victim_separation_recorded_365d",
        "separation",
        "Whether a separation of the victim was recorded in the 365 days before this assessment",
    ),
    real_spec(
        "days_since_victim_separation",
        "separation",
        "Days since the victim's last recorded separation (missing if none)",
        lo=0.0,
    ),
    # Triggers (When to involve the police, social work guidance): raise risk, mandate nothing.
    flag_spec(
        "victim_new_relationship_365d",
        "separation",
        "A new relationship of the victim recorded in the 365 days before this assessment",
    ),
    flag_spec(
        "child_contact_proceedings_365d",
        "separation",
        "Child-contact proceedings of the victim or perpetrator recorded in the 365 days before "
        "this assessment",
    ),
)

_FEAR_HISTORY: Final[tuple[FeatureSpec, ...]] = (
    real_spec(
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
    count_spec(
        "perp_da_convictions",
        "criminal_history",
        f"Domestic abuse convictions of {_PERP} {_BEFORE_T}",
        rises=True,
    ),
    count_spec(
        "perp_violent_convictions",
        "criminal_history",
        f"Violent (non-domestic) convictions of {_PERP} {_BEFORE_T}",
        rises=True,
    ),
    count_spec(
        "perp_other_convictions", "criminal_history", f"Other convictions of {_PERP} {_BEFORE_T}"
    ),
    count_spec(
        "perp_convictions_730d",
        "criminal_history",
        f"Convictions of any kind of {_PERP} in the 2 years {_BEFORE_T}",
    ),
    count_spec(
        "perp_breaches",
        "criminal_history",
        f"Recorded breaches of bail or of an order by {_PERP} {_BEFORE_T}",
        rises=True,
    ),
    flag_spec(
        "dvpn_dvpo_active",
        "criminal_history",
        "Whether a DV protection notice or order involving this victim or perpetrator was in force "
        "at the assessment",
    ),
    flag_spec(
        "protective_order_active",
        "criminal_history",
        "Whether a restraining or non-molestation order involving this victim or perpetrator was "
        "in force at the assessment",
    ),
    flag_spec(
        "perp_on_licence_or_order",
        "criminal_history",
        f"Whether {_PERP} was on licence or a community order at the assessment",
    ),
    count_spec(
        "victim_prior_marac_referrals",
        "criminal_history",
        f"Earlier MARAC referrals of this victim {_BEFORE_T}",
        rises=True,
    ),
    count_spec(
        "dvds_disclosures",
        "criminal_history",
        f"Domestic violence disclosure scheme disclosures about this victim or perpetrator "
        f"{_BEFORE_T}",
    ),
    flag_spec(
        "perp_released_365d",
        "criminal_history",
        f"Release of {_PERP} from custody in the 365 days {_BEFORE_T} (a trigger)",
    ),
    real_spec(
        "days_since_perp_release",
        "criminal_history",
        f"Days since {_PERP} was last released from custody (missing if never recorded)",
        lo=0.0,
    ),
)
