"""Controlled vocabularies shared by the contracts, the generator, the rules and the features."""

from __future__ import annotations

from typing import Final

CONTRACT_VERSION: Final[str] = "1.0.0"

GRADES: Final[tuple[str, ...]] = ("standard", "medium", "high")
GRADE_RANK: Final[dict[str, int]] = {g: i for i, g in enumerate(GRADES)}

OFFENCE_CATEGORIES: Final[tuple[str, ...]] = (
    "violence_with_injury",
    "violence_without_injury",
    "sexual",
    "stalking_harassment",
    "coercive_control",
    "criminal_damage",
    "breach_of_order",
    "non_crime",
)
SEVERITY_MIN: Final[int] = 1
SEVERITY_MAX: Final[int] = 5  # 5 = life-threatening; the top of the scale counts as serious harm

HISTORY_KINDS: Final[tuple[str, ...]] = (
    "da_conviction",
    "violent_conviction",
    "other_conviction",
    "breach_of_bail_or_order",
    "dvpn_dvpo",
    "protective_order",  # restraining or non-molestation order; end_date when it lapses
    "licence_or_community_order",  # event_date = start, end_date = end
    "marac_referral",  # person_id is the victim
    "dvds_disclosure",
    "separation",  # person_id is the victim; recorded separation from the perpetrator
)
# Kinds that describe a period: end_date is meaningful for these only.
PERIOD_KINDS: Final[frozenset[str]] = frozenset(
    {"dvpn_dvpo", "protective_order", "licence_or_community_order"}
)

SEXES: Final[tuple[str, ...]] = ("female", "male", "other", "not_stated")
# ONS 5 high-level ethnic groups plus not stated.
ETHNICITIES: Final[tuple[str, ...]] = (
    "white",
    "mixed",
    "asian",
    "black",
    "other",
    "not_stated",
)

TABLES: Final[tuple[str, ...]] = ("people", "incidents", "dash_assessments", "history_events")
OPTIONAL_TABLES: Final[tuple[str, ...]] = ("oracle",)
