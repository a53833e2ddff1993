"""Controlled vocabularies shared by the contracts, the generator, the rules, features and API.

Each vocabulary is written once, as a ``Literal`` type (what the API schema and mypy need); the
tuples the rest of the code iterates over are derived from it with ``typing.get_args``.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

# 1.1.0: incidents gain children_resident, honour_based_abuse and adult_at_risk; assessments gain
# marac_consent; history_events gain counterpart_id (the perpetrator on a marac_referral, the
# victim on a conviction) and the trigger kinds below. Migrating 1.0 data: add the incident
# flags (false where unknown is not acceptable: record them), marac_consent 'not_recorded', and
# counterpart_id null where unknown (a repeat MARAC then matches on the victim only and says so).
CONTRACT_VERSION: Final[str] = "1.1.0"

Grade = Literal["standard", "medium", "high"]
GRADES: Final[tuple[Grade, ...]] = get_args(Grade)
GRADE_RANK: Final[dict[str, int]] = {g: i for i, g in enumerate(GRADES)}

OffenceCategory = Literal[
    "violence_with_injury",
    "violence_without_injury",
    "sexual",
    "stalking_harassment",
    "coercive_control",
    "criminal_damage",
    "breach_of_order",
    "non_crime",
]
OFFENCE_CATEGORIES: Final[tuple[OffenceCategory, ...]] = get_args(OffenceCategory)
SEVERITY_MIN: Final[int] = 1
SEVERITY_MAX: Final[int] = 5  # 5 = life-threatening; the top of the scale counts as serious harm

HistoryKind = Literal[
    "da_conviction",
    "violent_conviction",
    "other_conviction",
    "breach_of_bail_or_order",
    "dvpn_dvpo",
    "protective_order",  # restraining or non-molestation order; end_date when it lapses
    "licence_or_community_order",  # event_date = start, end_date = end
    "marac_referral",  # person_id is the victim, counterpart_id the perpetrator
    "dvds_disclosure",
    "separation",  # person_id is the victim; recorded separation from the perpetrator
    "release_from_custody",  # person_id is the perpetrator
    "child_contact_proceedings",  # family proceedings about child contact; either party
    "new_relationship",  # person_id is the victim: the victim's new relationship
    "csc_referral",  # person_id is the victim: information shared with children's social care
]
HISTORY_KINDS: Final[tuple[HistoryKind, ...]] = get_args(HistoryKind)
# Trigger kinds: events the sources name as raising risk without mandating a referral.
TRIGGER_KINDS: Final[tuple[HistoryKind, ...]] = (
    "release_from_custody",
    "child_contact_proceedings",
    "new_relationship",
    "separation",
)
MaracConsent = Literal["given", "refused", "not_sought", "not_recorded"]
MARAC_CONSENT: Final[tuple[MaracConsent, ...]] = get_args(MaracConsent)
# Kinds that describe a period: end_date is meaningful for these only.
PERIOD_KINDS: Final[frozenset[HistoryKind]] = frozenset(
    {"dvpn_dvpo", "protective_order", "licence_or_community_order"}
)

Sex = Literal["female", "male", "other", "not_stated"]
SEXES: Final[tuple[Sex, ...]] = get_args(Sex)
# ONS 5 high-level ethnic groups plus not stated.
Ethnicity = Literal[
    "white",
    "mixed",
    "asian",
    "black",
    "other",
    "not_stated",
]
ETHNICITIES: Final[tuple[Ethnicity, ...]] = get_args(Ethnicity)

TABLES: Final[tuple[str, ...]] = ("people", "incidents", "dash_assessments", "history_events")
OPTIONAL_TABLES: Final[tuple[str, ...]] = ("oracle",)
