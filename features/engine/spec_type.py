"""What a model input is: the :class:`FeatureSpec` record, the families, and its constructors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

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


def count_spec(name: str, family: str, description: str, *, rises: bool = False) -> FeatureSpec:
    """Return a count (never missing, at least 0); ``rises`` declares it monotone."""
    return FeatureSpec(name, family, "int64", description, minimum=0, monotone=1 if rises else 0)


def flag_spec(name: str, family: str, description: str, *, rises: bool = False) -> FeatureSpec:
    """Return a 0/1 flag (never missing); ``rises`` declares it monotone."""
    return FeatureSpec(
        name, family, "int64", description, minimum=0, maximum=1, monotone=1 if rises else 0
    )


def real_spec(
    name: str, family: str, description: str, lo: float | None = None, hi: float | None = None
) -> FeatureSpec:
    """Return a real-valued input that may be missing, within ``lo``..``hi`` when given."""
    return FeatureSpec(name, family, "float64", description, minimum=lo, maximum=hi)
