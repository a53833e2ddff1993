import numpy as np
import pandas as pd
import pytest

from features.vocab import GRADE_RANK
from monitoring import columns as col
from monitoring import run_monitor
from monitoring.drifts import DRIFTS
from monitoring.expected import detected_windows, unexplained
from monitoring.replay import Replay, replay


@pytest.fixture(scope="module")
def small() -> Replay:
    return replay(months=14, drifts=list(DRIFTS), seed=3, n_victims=20_000)


def _shares(r: Replay, area: str, column: str, value: str, after: bool) -> float:
    start = pd.Timestamp(r.metadata["live_from"]) + pd.DateOffset(months=12)
    rows = r.scored[(r.scored[col.AREA] == area) & ((r.scored[col.TIME] >= start) == after)]
    return float((rows[column] == value).mean())


def test_metadata_names_each_drift_its_area_and_start(small: Replay) -> None:
    meta = {d["name"]: d for d in small.metadata["drifts"]}
    assert set(meta) == set(DRIFTS)
    assert meta["fear-underrecorded"]["start_month"] == 13
    assert meta["fear-underrecorded"]["start_window"] == "2025-11"
    assert small.metadata["live_from"] == "2024-11-01"
    assert small.scored[col.TIME].min() >= pd.Timestamp("2024-11-01")


def test_fear_is_underrecorded_only_in_its_area_and_only_from_its_start(small: Replay) -> None:
    area = DRIFTS["fear-underrecorded"].area
    before, after = (_shares(small, area, "q2", "yes", s) for s in (False, True))
    assert after < 0.5 * before
    clean = replay(months=14, drifts=["incident-mix"], seed=3, n_victims=20_000).scored
    changed = clean["q2"] != small.scored["q2"]
    start = pd.Timestamp("2025-11-01")
    in_drift = (clean[col.AREA] == area) & (clean[col.TIME] >= start)
    assert changed.sum() > 0 and not (changed & ~in_drift).any()
    assert (clean.loc[changed, "q2"] == "yes").all() and (
        small.scored.loc[changed, "q2"] == "no"
    ).all()


def test_review_is_suggested_exactly_when_the_band_ranks_above_the_grade(small: Replay) -> None:
    s = small.scored
    higher = s[col.BAND].map(GRADE_RANK) > s[col.GRADE].map(GRADE_RANK)
    assert (s[col.REVIEW] == higher).all()
    assert s[col.GRADE].isin(list(GRADE_RANK)).all()
    assert np.isfinite(s[col.PROBABILITY]).all()


def test_unknown_drift_is_refused() -> None:
    with pytest.raises(ValueError, match="no-such-drift"):
        replay(drifts=["no-such-drift"])


@pytest.mark.slow
def test_the_monitor_flags_exactly_the_injected_changes() -> None:
    r = replay(drifts=list(DRIFTS), seed=1)
    alerts = run_monitor(r.scored, r.reference).alerts
    assert unexplained(alerts, r.metadata["drifts"]) == []
    found = {d["name"]: detected_windows(alerts, d) for d in r.metadata["drifts"]}
    assert len(found["fear-underrecorded"]) == 12
    assert len(found["incident-mix"]) == 12
    assert min(min(w) for w in found.values()) == "2025-01"


@pytest.mark.slow
def test_a_replay_without_drift_raises_no_alert() -> None:
    r = replay(seed=1)
    assert run_monitor(r.scored, r.reference).alerts == []


def test_outcomes_are_known_only_once_their_365_days_have_passed(small: Replay) -> None:
    s = small.scored
    matured = s[col.TIME] + pd.Timedelta(days=365) <= pd.Timestamp("2025-12-31")
    assert s.loc[matured, col.OUTCOME].notna().all() and s.loc[~matured, col.OUTCOME].isna().all()
    assert 0.1 < s.loc[matured, col.OUTCOME].mean() < 0.6
