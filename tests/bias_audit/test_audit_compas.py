"""ProPublica's COMPAS table ("How We Analyzed the COMPAS Recidivism Algorithm", 2016).

The published two-year recidivism confusion counts by race (decile score medium or high
counts as flagged) are rebuilt as rows; the audit must reproduce the published false positive
and false negative rates exactly, with the disclosure rule and honest intervals switched on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bias_audit import AuditConfig, ScorerSpec, run_audit

# (race, flagged, reoffended) -> defendants, as published.
COUNTS = {
    ("African-American", True, True): 1369,
    ("African-American", True, False): 805,
    ("African-American", False, True): 532,
    ("African-American", False, False): 990,
    ("Caucasian", True, True): 505,
    ("Caucasian", True, False): 349,
    ("Caucasian", False, True): 461,
    ("Caucasian", False, False): 1139,
}
PUBLISHED = {  # race -> (false positive rate, false negative rate), in per cent
    "African-American": (44.85, 27.99),
    "Caucasian": (23.45, 47.72),
}


def _table() -> pd.DataFrame:
    parts = [
        pd.DataFrame({"race": [race] * n, "high": [int(flag)] * n, "reoffended": [int(y)] * n})
        for (race, flag, y), n in COUNTS.items()
    ]
    return pd.concat(parts, ignore_index=True)


def test_published_error_rates_by_race_are_reproduced_exactly() -> None:
    config = AuditConfig(n_boot=50, seed=0, intersections=False)
    result = run_audit(
        _table(), "reoffended", [ScorerSpec("COMPAS", "high", "binary")], ["race"], config
    )
    groups = {g.label: g for g in result.blocks[0].groups}
    for race, (fpr, fnr) in PUBLISHED.items():
        metrics = groups[race].metrics
        assert not groups[race].suppressed
        assert round(100 * metrics["fpr"].estimate, 2) == fpr
        assert round(100 * metrics["fnr"].estimate, 2) == fnr
        negatives = COUNTS[(race, True, False)] + COUNTS[(race, False, False)]
        assert metrics["fpr"].estimate == pytest.approx(COUNTS[(race, True, False)] / negatives)
        assert groups[race].events == sum(n for (r, _, y), n in COUNTS.items() if r == race and y)
    assert np.isfinite(result.blocks[0].groups[0].metrics["auc"].estimate)
