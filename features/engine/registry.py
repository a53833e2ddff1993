"""Feature registry: look up the model's inputs, their families and plain-English descriptions.

The definitions live in :mod:`features.engine.specs`; this module is the API the training
code, the API and the reviewer page use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from features.engine.groups import GROUPS, group_label, group_of
from features.engine.sentences import sentence
from features.engine.specs import FAMILIES, FEATURES, FeatureSpec

__all__ = [
    "FAMILIES",
    "FEATURES",
    "GROUPS",
    "FeatureSpec",
    "categorical_features",
    "describe",
    "family_features",
    "feature_names",
    "group_label",
    "group_of",
    "monotone_constraints",
    "sentence",
    "spec",
]

_BY_NAME: Final[dict[str, FeatureSpec]] = {f.name: f for f in FEATURES}


def feature_names() -> tuple[str, ...]:
    """Return every feature name in registry (model column) order."""
    return tuple(f.name for f in FEATURES)


def spec(name: str) -> FeatureSpec:
    """Return the registered spec of a feature, raising ``KeyError`` if unknown."""
    return _BY_NAME[name]


def describe(name: str) -> str:
    """Return the plain-English description of a feature."""
    return spec(name).description


def family_features(family: str) -> tuple[str, ...]:
    """Return the names of a family's features in registry order."""
    return tuple(f.name for f in FEATURES if f.family == family)


def categorical_features() -> tuple[str, ...]:
    """Return the features LightGBM should treat as categorical (unordered codes)."""
    return tuple(f.name for f in FEATURES if f.categories and f.name != "officer_grade")


def monotone_constraints(names: Iterable[str]) -> list[int]:
    """Return LightGBM's ``monotone_constraints`` for columns ``names`` (0 for unregistered)."""
    return [_BY_NAME[n].monotone if n in _BY_NAME else 0 for n in names]
