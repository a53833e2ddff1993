"""Turn one row of TreeSHAP contributions into the top reasons plus the remaining sum."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt

from serving.schemas_out import ContributionOut

FloatArray = npt.NDArray[np.float64]


Direction = Literal["raises", "lowers", "none"]


def _direction(value: float) -> Direction:
    return "raises" if value > 0 else "lowers" if value < 0 else "none"


def top_contributions(
    contributions: FloatArray,
    values: FloatArray,
    names: tuple[str, ...],
    descriptions: tuple[str, ...],
    k: int,
) -> tuple[list[ContributionOut], float, int]:
    """Return the ``k`` largest contributions by size, the sum of the rest and how many there are.

    ``contributions`` and ``values`` are one case's SHAP row and feature values in model order;
    the listed contributions plus the remaining sum plus the base value give the raw score.
    """
    order = np.argsort(-np.abs(contributions), kind="stable")
    top = order[: min(k, len(order))]
    listed = [
        ContributionOut(  # validating beats model_construct here: 5 us against 10 for five
            feature=names[i],
            value=None if math.isnan(values[i]) else float(values[i]),
            description=descriptions[i],
            direction=_direction(float(contributions[i])),
            log_odds=float(contributions[i]),
        )
        for i in top.tolist()
    ]
    rest = order[len(top) :]
    return listed, float(contributions[rest].sum()), len(rest)
