"""Known changes a replay can inject from a start month in one area (the documented list).

Each drift names what it changes, so a test can check that the monitor flags exactly that:
``questions`` and ``features`` are the monitored inputs the change moves by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

Tables = dict[str, pd.DataFrame]
Injector = Callable[[Tables, "pd.Series[bool]", np.random.Generator], None]

FEAR_UNDERRECORDED_RATE: Final[float] = 0.7  # share of true 'very frightened' recorded 'no'
INCIDENT_MIX_MOVED: Final[float] = 0.7  # share of non-crime call-outs recorded as stalking


@dataclass(frozen=True)
class Drift:
    """A named change: where, from which replay month, and which monitored inputs it moves."""

    name: str
    area: str
    start_month: int  # 1-based month of the replay
    questions: tuple[str, ...]
    features: tuple[str, ...]
    description: str
    inject: Injector

    def to_dict(self) -> dict[str, Any]:
        """Return the drift's metadata (no injector)."""
        return {
            "name": self.name,
            "area": self.area,
            "start_month": self.start_month,
            "questions": list(self.questions),
            "features": list(self.features),
            "description": self.description,
        }


def _fear(tables: Tables, incident_rows: pd.Series[bool], rng: np.random.Generator) -> None:
    ass = tables["dash_assessments"]
    hit = ass["incident_id"].isin(tables["incidents"].loc[incident_rows, "incident_id"])
    flip = hit & (ass["q2"] == "yes") & (rng.random(len(ass)) < FEAR_UNDERRECORDED_RATE)
    ass.loc[flip, "q2"] = "no"


def _mix(tables: Tables, incident_rows: pd.Series[bool], rng: np.random.Generator) -> None:
    inc = tables["incidents"]
    moved = incident_rows & (inc["offence_category"] == "non_crime")
    moved &= rng.random(len(inc)) < INCIDENT_MIX_MOVED
    inc.loc[moved, "offence_category"] = "stalking_harassment"


DRIFTS: Final[dict[str, Drift]] = {
    d.name: d
    for d in (
        Drift(
            "fear-underrecorded",
            "area_03",
            13,
            ("q2",),
            ("prior_q2_yes_share",),
            "officers in one area record DASH q2 'very frightened' as 'no' far more often",
            _fear,
        ),
        Drift(
            "incident-mix",
            "area_07",
            13,
            (),
            ("offence_category",),
            "one area's offence mix shifts: most of its non-crime call-outs become stalking",
            _mix,
        ),
    )
}
