"""Sentence templates: what each model input's value is for this case, in a reviewer's words.

Each template says what the value is (never a variable name, a code or a coding legend) and,
where a feature's effect is not monotone (days since the last incident, severity against the
worst earlier one), what the value means rather than a slope. The DASH answers have one
template for all 27 questions, in :mod:`features.engine.sentences`.
"""

from __future__ import annotations

from typing import Final

from features.dash import DASH
from features.engine.sentence_parts import (
    Template,
    against_worst,
    counted,
    dyad,
    flag,
    gap_ratio,
    last_incident,
    n_of,
    offence,
    officer_grade,
    or_missing,
    rate_ratio,
    trend,
)
from features.vocab import SEVERITY_MAX, SEVERITY_MIN

_NO_HISTORY = "There were fewer than two earlier incidents between them"
_PERP = "The perpetrator"
_DASH_N = len(DASH.questions)
TEMPLATES: Final[dict[str, Template]] = {
    "dyad_incidents_30d": dyad("in the 30 days before this one"),
    "dyad_incidents_90d": dyad("in the 90 days before this one"),
    "dyad_incidents_365d": dyad("in the year before this one"),
    "dyad_incidents_ever": dyad("at any earlier time"),
    "perp_incidents_365d": counted(
        "Police recorded no incident by the perpetrator against anyone in the year before",
        lambda c: f"Police recorded {c} by the perpetrator against anyone in the year before",
        "incident",
    ),
    "perp_incidents_ever": counted(
        "Police recorded no earlier incident by the perpetrator against anyone",
        lambda c: f"Police recorded {c} by the perpetrator against anyone before this one",
        "incident",
    ),
    "perp_other_victims_ever": counted(
        "The perpetrator has no recorded incident against another victim",
        lambda c: f"The perpetrator was recorded in earlier incidents against {c}",
        "other victim",
    ),
    "victim_incidents_365d": counted(
        "The victim was in no recorded incident with anyone in the year before",
        lambda c: f"The victim was in {c} with any perpetrator in the year before",
        "recorded incident",
    ),
    "days_since_last_dyad_incident": or_missing(
        "There was no earlier incident between them", last_incident
    ),
    "dyad_rate_ratio_6m": or_missing(
        "How often incidents between them happened recently is not known", rate_ratio
    ),
    "dyad_severity_slope_last5": or_missing(
        _NO_HISTORY + ", so no trend in severity",
        lambda v, _r: trend(
            v,
            "Their recent incidents grew more severe, by about {:.1f} severity points each time",
            "Their recent incidents grew less severe, by about {:.1f} severity points each time",
            "Their recent incidents stayed at about the same severity",
        ),
    ),
    "dyad_severity_recent_vs_earlier": or_missing(
        "There were not both recent (last 6 months) and older incidents between them to compare",
        lambda v, _r: trend(
            v,
            "Their incidents in the last 6 months were {:.1f} severity points worse than before",
            "Their incidents in the last 6 months were {:.1f} severity points milder than before",
            "Their incidents in the last 6 months were as severe as older ones",
        ),
    ),
    "severity_vs_prior_dyad_max": or_missing(
        "There was no earlier incident between them to compare this one with", against_worst
    ),
    "dyad_gap_ratio": or_missing(_NO_HISTORY + ", so no pattern in the gaps", gap_ratio),
    "dash_yes_count_change": or_missing(
        "There is no earlier DASH assessment of them to compare with",
        lambda v, _r: trend(
            v,
            "The number of DASH 'yes' answers rose by {:.0f} since their previous assessment",
            "The number of DASH 'yes' answers fell by {:.0f} since their previous assessment",
            "The number of DASH 'yes' answers was the same as at their previous assessment",
        ),
    ),
    "victim_separation_recorded_ever": flag(
        "A separation of the victim from the perpetrator was recorded before this assessment",
        "No separation of the victim from the perpetrator was recorded before this assessment",
    ),
    "victim_separation_recorded_365d": flag(
        "A separation of the victim was recorded in the year before this assessment",
        "No separation of the victim was recorded in the year before this assessment",
    ),
    "days_since_victim_separation": or_missing(
        "No separation of the victim has been recorded",
        lambda v, _r: (
            f"The victim's last recorded separation was {n_of(v, 'day')} before this assessment"
        ),
    ),
    "victim_new_relationship_365d": flag(
        "A new relationship of the victim was recorded in the year before this assessment",
        "No new relationship of the victim was recorded in the year before this assessment",
    ),
    "child_contact_proceedings_365d": flag(
        "Child-contact proceedings were recorded in the year before this assessment",
        "No child-contact proceedings were recorded in the year before this assessment",
    ),
    "perp_released_365d": flag(
        "The perpetrator was released from custody in the year before this assessment",
        "The perpetrator was not recorded as released from custody in the year before",
    ),
    "days_since_perp_release": or_missing(
        "No release of the perpetrator from custody has been recorded",
        lambda v, _r: (
            f"The perpetrator was last released from custody {n_of(v, 'day')} before this "
            "assessment"
        ),
    ),
    "prior_q2_yes_share": or_missing(
        "No earlier DASH assessment of them recorded whether the victim was very frightened",
        lambda v, _r: (
            f"The victim said they were very frightened in {v:.0%} of their earlier assessments"
        ),
    ),
    "perp_da_convictions": counted(
        f"{_PERP} has no domestic abuse conviction",
        lambda c: f"{_PERP} has {c}",
        "domestic abuse conviction",
    ),
    "perp_violent_convictions": counted(
        f"{_PERP} has no violent conviction outside domestic abuse",
        lambda c: f"{_PERP} has {c} outside domestic abuse",
        "violent conviction",
    ),
    "perp_other_convictions": counted(
        f"{_PERP} has no other conviction (not domestic abuse or violent)",
        lambda c: f"{_PERP} has {c} (not domestic abuse or violent)",
        "earlier conviction",
    ),
    "perp_convictions_730d": counted(
        f"{_PERP} has no conviction in the 2 years before this assessment",
        lambda c: f"{_PERP} has {c} in the 2 years before this assessment",
        "conviction",
    ),
    "perp_breaches": counted(
        f"{_PERP} has no recorded breach of bail or of an order",
        lambda c: f"{_PERP} has {c} of bail or of an order",
        "recorded breach",
        "recorded breaches",
    ),
    "dvpn_dvpo_active": flag(
        "A DV protection notice or order was in force at the assessment",
        "No DV protection notice or order was in force at the assessment",
    ),
    "protective_order_active": flag(
        "A restraining or non-molestation order was in force at the assessment",
        "No restraining or non-molestation order was in force at the assessment",
    ),
    "perp_on_licence_or_order": flag(
        f"{_PERP} was on licence or a community order at the assessment",
        f"{_PERP} was not on licence or a community order at the assessment",
    ),
    "victim_prior_marac_referrals": counted(
        "The victim has no earlier MARAC referral",
        lambda c: f"The victim had been referred to MARAC {c} before",
        "time",
    ),
    "dvds_disclosures": counted(
        "No domestic violence disclosure scheme disclosure has been made about them",
        lambda c: f"The domestic violence disclosure scheme was used {c} about them",
        "time",
    ),
    "offence_category": offence,
    "severity": lambda v, _r: (
        f"This incident's severity was {round(v)} on a scale of {SEVERITY_MIN} (low) "
        f"to {SEVERITY_MAX} (life-threatening)"
    ),
    "injury": flag("The victim was injured in this incident", "The victim was not injured"),
    "weapon": flag("A weapon was used in this incident", "No weapon was used in this incident"),
    "strangulation": flag(
        "Strangulation was reported in this incident", "No strangulation was reported"
    ),
    "alcohol_or_drugs": flag(
        "Alcohol or drugs were involved in this incident",
        "Alcohol or drugs were not recorded in this incident",
    ),
    "children_present": flag(
        "Children were present at this incident", "No children were present at this incident"
    ),
    "victim_pregnant": flag("The victim is pregnant", "The victim is not recorded as pregnant"),
    "crime_recorded": flag(
        "A crime was recorded for this incident", "No crime was recorded for this incident"
    ),
    "dash_yes_count": lambda v, _r: (
        f"The victim answered yes to {round(v)} of the {_DASH_N} DASH questions"
    ),
    "dash_unknown_count": lambda v, _r: (
        "Every DASH question was answered yes or no"
        if round(v) == 0
        else f"{round(v)} of the {_DASH_N} DASH questions had no yes or no answer "
        "(don't know or not answered)"
    ),
    "officer_grade": officer_grade,
    "dyad_prior_assessments": counted(
        "This is the first DASH assessment of this victim and perpetrator",
        lambda c: f"This victim and perpetrator had {c}",
        "earlier DASH assessment",
    ),
}
