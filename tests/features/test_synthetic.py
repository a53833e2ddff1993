"""Synthetic cohort generator: contracts, determinism, rates, oracle calibration, bias, officers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from features.contracts import validate_tables
from features.dash import QUESTION_IDS, count_answers
from features.io import write_cohort
from features.labels import derive_labels, is_serious_harm
from features.synthetic import Cohort, GeneratorParams, generate_cohort
from features.synthetic.presets import PRESETS, preset

FEAR = ["q2", "q3", "q17"]


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return generate_cohort(10_000, seed=11)


@pytest.fixture(scope="module")
def labelled(cohort: Cohort) -> pd.DataFrame:
    t = cohort.tables
    until = pd.Timestamp(cohort.metadata["observed_until"])
    labels = derive_labels(t["incidents"], t["dash_assessments"], until)
    frame = labels.merge(t["oracle"], on="assessment_id", validate="1:1")
    victims = t["dash_assessments"][["incident_id"]].merge(
        t["incidents"][["incident_id", "victim_id"]], on="incident_id", how="left"
    )
    frame["victim_id"] = victims["victim_id"].to_numpy()
    frame["yes_count"] = count_answers(t["dash_assessments"][list(QUESTION_IDS)], "yes")
    return frame[frame["outcome_window_complete"]].reset_index(drop=True)


def _cluster_z(observed: pd.Series, expected: pd.Series, cluster: pd.Series) -> float:
    """Return (mean observed - mean expected) / SE under the oracle, robust to clustering.

    The SE bounds the variance of a victim's outcome sum by (sum of its SDs)^2, the case of
    perfectly correlated windows, so it holds however a victim's windows overlap.
    """
    p = expected.to_numpy()
    resid = observed.astype(float).to_numpy() - p
    sd_sum = pd.Series(np.sqrt(p * (1 - p))).groupby(cluster.to_numpy()).sum()
    se = float(np.sqrt((sd_sum**2).sum())) / len(resid)
    return float(resid.mean() / se)


def test_contracts_accept_the_generated_tables(cohort: Cohort) -> None:
    checked = validate_tables(cohort.tables)
    assert set(checked) == {"people", "incidents", "dash_assessments", "history_events", "oracle"}
    assert len(cohort.tables["oracle"]) == len(cohort.tables["dash_assessments"])
    victims = cohort.tables["incidents"]["victim_id"].nunique()
    assert victims == 10_000 == cohort.metadata["n_victims"]


def test_metadata_is_json_and_names_observation_and_officer_sd(cohort: Cohort) -> None:
    meta = json.loads(json.dumps(cohort.metadata))
    assert pd.Timestamp(meta["observed_until"]) > pd.Timestamp(meta["observed_from"])
    assert meta["officer_effect_sd"] == GeneratorParams().officer_effect_sd
    assert meta["bias"]["enabled"] is False and meta["params"]["bias_group"] is None
    assert meta["seed"] == 11 and meta["rows"]["incidents"] == len(cohort.tables["incidents"])
    incidents = cohort.tables["incidents"]
    assert incidents["occurred_at"].min() >= pd.Timestamp(meta["observed_from"])
    assert incidents["occurred_at"].max() < pd.Timestamp(meta["observed_until"])


def test_tables_are_sorted_by_time_then_id(cohort: Cohort) -> None:
    t = cohort.tables
    for name, time, key in [
        ("incidents", "occurred_at", "incident_id"),
        ("dash_assessments", "completed_at", "assessment_id"),
        ("history_events", "event_date", "event_id"),
    ]:
        frame = t[name]
        again = frame.sort_values([time, key], kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(frame, again)
    assert t["people"]["person_id"].is_monotonic_increasing
    assert (t["oracle"]["assessment_id"] == t["dash_assessments"]["assessment_id"]).all()


def test_same_seed_gives_identical_tables_and_parquet_bytes(tmp_path: Path) -> None:
    first, second = generate_cohort(1_500, seed=5), generate_cohort(1_500, seed=5)
    for name, frame in first.tables.items():
        pd.testing.assert_frame_equal(frame, second.tables[name])
    a = write_cohort(first.tables, tmp_path / "a", metadata=first.metadata)
    b = write_cohort(second.tables, tmp_path / "b", metadata=second.metadata)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    other = generate_cohort(1_500, seed=6)
    assert not other.tables["incidents"]["occurred_at"].equals(
        first.tables["incidents"]["occurred_at"]
    )


def test_rates_land_near_the_domain_targets(cohort: Cohort, labelled: pd.DataFrame) -> None:
    t = cohort.tables
    incidents = t["incidents"].sort_values(["victim_id", "occurred_at"], kind="stable")
    first = incidents.groupby("victim_id")["occurred_at"].agg(["min", "count"])
    second = incidents.groupby("victim_id")["occurred_at"].nth(1)
    second = pd.Series(second.to_numpy(), index=incidents.loc[second.index, "victim_id"])
    until = pd.Timestamp(cohort.metadata["observed_until"])
    eligible = first.index[first["min"] + pd.Timedelta(days=365) <= until]
    gap = second.reindex(eligible) - first.loc[eligible, "min"]
    victim_repeat = float((gap <= pd.Timedelta(days=365)).mean())
    assert 0.25 <= victim_repeat <= 0.42  # domain.md: about a third
    high = float((t["dash_assessments"]["officer_grade"] == "high").mean())
    assert 0.06 <= high <= 0.15  # domain.md: roughly 10%
    assert 0.02 <= labelled["serious_harm_365d"].mean() <= 0.05  # low single-digit percent
    assert 0.4 <= t["incidents"]["children_present"].mean() <= 0.6  # about half
    assert (t["incidents"].groupby("perpetrator_id")["victim_id"].nunique() > 1).mean() >= 0.02


def test_serious_incidents_are_rarer_and_people_look_plausible(cohort: Cohort) -> None:
    t = cohort.tables
    serious = is_serious_harm(t["incidents"])
    assert 0.02 < serious.mean() < 0.15
    people = t["people"].set_index("person_id")
    victims = people.loc[t["incidents"]["victim_id"].unique()]
    perps = people.loc[t["incidents"]["perpetrator_id"].unique()]
    assert 0.7 < (victims["sex"] == "female").mean() < 0.85
    assert 0.78 < (perps["sex"] == "male").mean() < 0.92
    assert 0.05 < (people["ethnicity"] == "asian").mean() < 0.13
    assert set(t["history_events"]["kind"]) >= {"da_conviction", "marac_referral", "separation"}


def test_oracle_is_calibrated_against_derived_labels(labelled: pd.DataFrame) -> None:
    for label, prob in [
        ("serious_harm_365d", "p_serious_harm_365d"),
        ("repeat_incident_365d", "p_repeat_365d"),
    ]:
        z = _cluster_z(labelled[label], labelled[prob], labelled["victim_id"])
        assert abs(z) < 3.5, (label, z)
        bins = pd.qcut(labelled[prob], 5, labels=False, duplicates="drop")
        for _, part in labelled.groupby(bins):
            z = _cluster_z(part[label], part[prob], part["victim_id"])
            assert abs(z) < 3.5, (label, part[prob].mean(), part[label].mean())
    top = labelled[labelled["p_serious_harm_365d"] > labelled["p_serious_harm_365d"].quantile(0.9)]
    assert top["serious_harm_365d"].mean() > 3 * labelled["serious_harm_365d"].mean()


def test_oracle_beats_dash_and_history_carries_signal(
    cohort: Cohort, labelled: pd.DataFrame
) -> None:
    y = labelled["serious_harm_365d"]
    dash = roc_auc_score(y, labelled["yes_count"])
    oracle = roc_auc_score(y, labelled["p_serious_harm_365d"])
    assert 0.55 < dash < 0.72 and oracle > dash + 0.15
    t = cohort.tables
    convictions = t["history_events"][t["history_events"]["kind"] == "da_conviction"]
    before = convictions.groupby("person_id").size()
    perp = t["dash_assessments"][["assessment_id", "incident_id"]].merge(
        t["incidents"][["incident_id", "perpetrator_id"]], on="incident_id"
    )
    perp_of = perp.set_index("assessment_id")["perpetrator_id"]
    record = before.reindex(perp_of.loc[labelled["assessment_id"]]).fillna(0).to_numpy()
    assert roc_auc_score(y, record) > 0.55


def _fear_yes(cohort: Cohort) -> npt.NDArray[np.int64]:
    return count_answers(cohort.tables["dash_assessments"][FEAR], "yes")


def _group_rows(cohort: Cohort) -> npt.NDArray[np.bool_]:
    t = cohort.tables
    victim = t["dash_assessments"][["incident_id"]].merge(
        t["incidents"][["incident_id", "victim_id"]], on="incident_id", how="left"
    )["victim_id"]
    eth = t["people"].set_index("person_id")["ethnicity"]
    return np.asarray(victim.map(eth).to_numpy() == "asian")


def test_bias_switch_changes_fear_answers_for_the_group_only() -> None:
    off = generate_cohort(4_000, seed=8, params=preset("strong-signal"))
    on = generate_cohort(4_000, seed=8, params=GeneratorParams.with_bias("ethnicity=asian"))
    assert on.metadata["bias"]["group"] == ["ethnicity", "asian"]
    group = _group_rows(off)
    assert group.sum() > 200 and (group == _group_rows(on)).all()
    a_off, a_on = off.tables["dash_assessments"], on.tables["dash_assessments"]
    others = [q for q in QUESTION_IDS if q not in FEAR]
    pd.testing.assert_frame_equal(a_off[others], a_on[others])
    pd.testing.assert_frame_equal(a_off.loc[~group, FEAR], a_on.loc[~group, FEAR])
    assert _fear_yes(on)[group].mean() < 0.6 * _fear_yes(off)[group].mean()
    high = {
        k: (c.tables["dash_assessments"]["officer_grade"][group] == "high").mean()
        for k, c in (("off", off), ("on", on))
    }
    assert high["on"] < high["off"]
    pd.testing.assert_frame_equal(off.tables["oracle"], on.tables["oracle"])


def test_with_bias_rejects_a_malformed_spec() -> None:
    with pytest.raises(ValueError, match="column=value"):
        GeneratorParams.with_bias("asian")
    with pytest.raises(ValueError, match="people column"):
        generate_cohort(50, seed=1, params=GeneratorParams.with_bias("shoe_size=9"))


def _between_officer_variance(cohort: Cohort) -> float:
    """Return the one-way ANOVA estimate of the between-officer variance of the yes-count."""
    a = cohort.tables["dash_assessments"]
    yes = pd.Series(count_answers(a[list(QUESTION_IDS)], "yes"), index=a.index)
    groups = yes.groupby(a["officer_id"])
    means, sizes, variances = groups.mean(), groups.size(), groups.var(ddof=1)
    within = float((variances * (sizes - 1)).sum() / (sizes - 1).sum())
    return float(means.var(ddof=1) - within * (1.0 / sizes).mean())


def test_officer_effect_present_only_when_its_sd_is_positive() -> None:
    strong = generate_cohort(4_000, seed=9, params=GeneratorParams(officer_effect_sd=0.5))
    none = generate_cohort(4_000, seed=9, params=GeneratorParams(officer_effect_sd=0.0))
    assert none.metadata["officer_effect_sd"] == 0.0
    assert _between_officer_variance(strong) > 1.0
    assert abs(_between_officer_variance(none)) < 0.3


def test_default_cohort_is_the_published_preset_and_records_every_parameter() -> None:
    cohort = generate_cohort(300, seed=2)
    assert cohort.metadata["preset"] == "published"
    assert cohort.metadata["params"] == PRESETS["published"].to_dict()
    strong = generate_cohort(
        300, seed=2, params=preset("strong-signal"), preset_name="strong-signal"
    )
    assert strong.metadata["preset"] == "strong-signal"
    with pytest.raises(ValueError, match="published"):
        preset("weak")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_violent_repeat_labels_count_exactly_the_simulated_violent_events(name: str) -> None:
    cohort = generate_cohort(3_000, seed=4, params=preset(name))
    t = cohort.tables
    labels = derive_labels(t["incidents"], t["dash_assessments"], pd.Timestamp("2025-12-31"))
    complete = labels["outcome_window_complete"].to_numpy()
    realised = cohort.metadata["realised_rates"]["repeat_violent_365d"]
    assert labels["repeat_violent_365d"].to_numpy()[complete].mean() == pytest.approx(
        realised, abs=1e-5
    )
    oracle = t["oracle"].set_index("assessment_id").loc[labels["assessment_id"]]
    p = oracle["p_repeat_violent_365d"].to_numpy()[complete]
    assert p.mean() == pytest.approx(realised, abs=0.015)  # the oracle is calibrated
    assert (labels["serious_harm_365d"] <= labels["repeat_violent_365d"]).all()
