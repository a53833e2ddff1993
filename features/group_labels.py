"""Group labels in words for what people read: the audit's groupings and their values.

Data carry codes (``not_stated``, ``area_01``, ``True``); reports show these words. Codes of
the contract's vocabularies (sex, ethnicity) are keyed by the vocabulary itself, so a new
code without words fails at import rather than showing raw in a published table.
"""

from __future__ import annotations

import re
from typing import Final

from features.vocab import ETHNICITIES, SEXES

MISSING_WORDS: Final[str] = "Not recorded"
COLUMN_WORDS: Final[dict[str, str]] = {
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "age_band": "Age band",
    "area": "Area",
    "disability": "Disability",
}
_SEX_WORDS: Final[dict[str, str]] = {
    "female": "Female",
    "male": "Male",
    "other": "Other sex",
    "not_stated": "Sex not stated",
}
_ETHNICITY_WORDS: Final[dict[str, str]] = {  # the ONS five high-level ethnic groups
    "white": "White",
    "mixed": "Mixed or multiple ethnic groups",
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "other": "Other ethnic group",
    "not_stated": "Ethnicity not stated",
}
_DISABILITY_WORDS: Final[dict[str, str]] = {
    "True": "Disabled",
    "False": "Not disabled",
    "true": "Disabled",
    "false": "Not disabled",
}
VALUE_WORDS: Final[dict[str, dict[str, str]]] = {
    "sex": _SEX_WORDS,
    "ethnicity": _ETHNICITY_WORDS,
    "disability": _DISABILITY_WORDS,
}
if set(_SEX_WORDS) != set(SEXES) or set(_ETHNICITY_WORDS) != set(ETHNICITIES):
    raise ImportError("group_labels: every sex and ethnicity code of the vocabulary needs words")

_AREA = re.compile(r"^area_0*(\d+)$")
_RANGE = re.compile(r"^(\d+)-(\d+)$")
_OPEN = re.compile(r"^(\d+)\+$")


def _pattern_words(value: str) -> str | None:
    """Return words for coded patterns: areas, age ranges, open age bands."""
    if match := _AREA.match(value):
        return f"Area {int(match.group(1))}"
    if match := _RANGE.match(value):
        return f"{match.group(1)} to {match.group(2)}"
    if match := _OPEN.match(value):
        return f"{match.group(1)} and over"
    return None


def column_words(column: str) -> str:
    """Return the words for a group column (its name, readable, when it has none)."""
    return COLUMN_WORDS.get(column, column.replace("_", " ").capitalize())


def value_words(column: str, value: str) -> str:
    """Return the words for one value of a group column."""
    if value in ("(missing)", "", "nan", "None"):
        return MISSING_WORDS
    words = VALUE_WORDS.get(column, {}).get(value) or _pattern_words(value)
    if words:
        return words
    if value == "unknown":
        return f"{column_words(column)} not known"
    return value.replace("_", " ").capitalize() if "_" in value else value[:1].upper() + value[1:]
