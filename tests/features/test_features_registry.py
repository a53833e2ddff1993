"""Registry, output schema, audit frame and hand-checked values on the shared minimal cohort."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandera.errors import SchemaError

from features.case import case_from_tables
from features.contracts import validate_tables
from features.engine import (
    FeatureConfig,
    audit_frame,
    build_features,
    case_features,
    case_features_dict,
    feature_schema,
    feature_summary,
)
from features.engine.registry import (
    FAMILIES,
    FEATURES,
    categorical_features,
    describe,
    family_features,
    feature_names,
)


@pytest.fixture
def tables(minimal_tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return validate_tables(minimal_tables)


def test_registry_is_well_formed() -> None:
    names = feature_names()
    assert len(names) == len(set(names)) == len(FEATURES)
    assert all(f.family in FAMILIES and len(f.description) > 20 for f in FEATURES)
    assert sum(len(family_features(f)) for f in FAMILIES) == len(names)
    assert categorical_features() == ("offence_category",)
    assert "365 days" in describe("dyad_incidents_365d")
    with pytest.raises(KeyError):
        describe("no_such_feature")


def test_protected_attributes_are_not_features() -> None:
    for name in feature_names():
        assert not any(word in name for word in ("sex", "ethnic", "age_", "birth", "disab"))


def test_schema_matches_registry_and_rejects_bad_values(tables: dict[str, pd.DataFrame]) -> None:
    frame = build_features(tables)
    assert list(feature_schema().columns) == list(frame.columns) == list(feature_names())
    broken = frame.copy()
    broken.loc["A1", "dyad_incidents_ever"] = -1
    with pytest.raises(SchemaError):
        feature_schema().validate(broken)


def test_hand_checked_values(tables: dict[str, pd.DataFrame]) -> None:
    frame = build_features(tables)
    a1, a2, a3 = (frame.loc[a] for a in ("A1", "A2", "A3"))
    assert a1["dyad_incidents_ever"] == 0 and math.isnan(a1["days_since_last_dyad_incident"])
    assert a2["dyad_incidents_ever"] == 1 and a2["dyad_incidents_90d"] == 0
    assert a2["days_since_last_dyad_incident"] == pytest.approx(143 + 1 / 24)
    assert a1["perp_on_licence_or_order"] == 1 and a2["perp_on_licence_or_order"] == 0
    assert a2["victim_prior_marac_referrals"] == 0  # the referral at completion is not "before"
    assert a3["perp_other_victims_ever"] == 1 and a3["perp_incidents_ever"] == 2
    assert a2["dash_yes_count_change"] == 12 and a2["prior_q2_yes_share"] == 1.0
    assert a2["injury"] == 1 and a2["offence_category"] == 0 and a2["officer_grade"] == 2
    assert a3["crime_recorded"] == 0 and a3["dash_unknown_count"] == 0


def test_frame_dtypes_follow_the_registry(tables: dict[str, pd.DataFrame]) -> None:
    frame = build_features(tables)
    assert {str(frame[f.name].dtype) for f in FEATURES if f.dtype == "int64"} == {"int64"}
    assert frame.index.name == "assessment_id"


def test_unknown_answers_are_missing_never_no(tables: dict[str, pd.DataFrame]) -> None:
    tables["dash_assessments"].loc[0, ["q2", "q5"]] = ["dont_know", "not_answered"]
    row = build_features(tables).loc["A1"]
    assert math.isnan(row["dash_q2"]) and math.isnan(row["dash_q5"])
    assert row["dash_unknown_count"] == 2 and row["dash_yes_count"] == 2


def test_case_dict_and_future_rows(tables: dict[str, pd.DataFrame]) -> None:
    case = case_from_tables(tables, "A2")
    as_dict = case_features_dict(case)
    assert list(as_dict) == list(feature_names())
    later = np.array([np.datetime64("2030-01-01T00:00:00", "ns")])
    case.history_events["event_date"] = np.concatenate(
        [case.history_events["event_date"][:0], later]
    )
    for column in ("event_id", "person_id", "kind", "end_date"):
        fill = {"event_id": "E9", "person_id": "X1", "kind": "da_conviction", "end_date": None}
        case.history_events[column] = np.array([fill[column]], dtype=object)
    assert np.array_equal(case_features(case), np.array(list(as_dict.values())), equal_nan=True)


def test_audit_frame_is_separate_and_configurable(tables: dict[str, pd.DataFrame]) -> None:
    audit = audit_frame(tables)
    assert list(audit.columns) == [
        "victim_sex",
        "victim_ethnicity",
        "victim_age",
        "victim_disability",
        "area",
    ]
    assert audit.loc["A3", "victim_ethnicity"] == "black" and audit.loc["A1", "victim_age"] == 35
    assert audit.index.equals(build_features(tables).index)
    perp = audit_frame(tables, FeatureConfig(audit_columns=("perpetrator_sex",)))
    assert perp["perpetrator_sex"].tolist() == ["male"] * 3
    with pytest.raises(ValueError, match="unknown audit columns"):
        FeatureConfig(audit_columns=("religion",))


def test_summary_and_progress(tables: dict[str, pd.DataFrame]) -> None:
    stages: list[str] = []
    frame = build_features(tables, progress=stages.append)
    assert stages[0] == "encoding tables" and stages[-1] == "validating output"
    summary = feature_summary(frame)
    assert summary["rows"] == 3 and summary["features"] == len(FEATURES)
    assert set(summary["missing_share_by_family"]) == set(FAMILIES)
    assert summary["missing_share_by_family"]["current_incident"] == 0.0
    assert summary["missing_share_by_feature"]["days_since_last_dyad_incident"] == pytest.approx(
        2 / 3
    )


def test_no_assessments_gives_an_empty_valid_frame(tables: dict[str, pd.DataFrame]) -> None:
    tables["dash_assessments"] = tables["dash_assessments"].iloc[:0]
    frame = build_features(tables)
    assert frame.shape == (0, len(FEATURES))


def test_broken_links_are_named(tables: dict[str, pd.DataFrame]) -> None:
    missing = dict(tables, dash_assessments=tables["dash_assessments"].assign(incident_id="I9"))
    with pytest.raises(ValueError, match="must be in incidents"):
        build_features(missing)
    doubled = pd.concat([tables["incidents"], tables["incidents"].iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="must be unique"):
        build_features(dict(tables, incidents=doubled))


def _as_json(columns: dict[str, np.ndarray]) -> dict[str, list[object]]:
    def plain(v: object) -> object:
        if isinstance(v, np.datetime64):
            return None if np.isnat(v) else str(pd.Timestamp(v))
        return v.item() if isinstance(v, np.generic) else v

    return {k: [plain(v) for v in values] for k, values in columns.items()}


def test_request_shaped_case_gives_the_same_vector(tables: dict[str, pd.DataFrame]) -> None:
    from features.case import Case

    for aid in ("A1", "A2", "A3"):
        case = case_from_tables(tables, aid)
        plain = Case(
            assessment={
                k: str(v) if isinstance(v, pd.Timestamp) else v for k, v in case.assessment.items()
            },
            incident={
                k: str(v) if isinstance(v, pd.Timestamp) else v for k, v in case.incident.items()
            },
            incidents=_as_json(case.incidents),  # type: ignore[arg-type]
            history_events=_as_json(case.history_events),  # type: ignore[arg-type]
            prior_assessments=_as_json(case.prior_assessments),  # type: ignore[arg-type]
        )
        assert np.array_equal(case_features(plain), case_features(case), equal_nan=True)
