"""Build the audit table from a cohort and audit it (statutory grade, officer grade, model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from bias_audit.api import run_audit
from bias_audit.errors import AuditInputError
from bias_audit.officer import officer_effect
from bias_audit.result import AuditResult
from bias_audit.spec import AuditConfig, ScorerSpec
from features.cohort_frames import CohortFrames, build_cohort_frames
from features.engine import FeatureConfig, audit_frame
from features.engine.registry import categorical_features
from features.labels import PRIMARY_LABEL, derive_labels
from features.rules import RulesConfig, grade_table

GROUPS: Final[tuple[str, ...]] = ("sex", "ethnicity", "age_band", "area", "disability")
AGE_EDGES: Final[tuple[int, ...]] = (18, 25, 35, 45, 55, 65)
AGE_LABELS: Final[tuple[str, ...]] = (
    "under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+",
)  # fmt: skip
# History features that carry DASH answers (the officer's own questioning) are left out of the
# case covariates for the officer effect.
_NOT_COVARIATES: Final[tuple[str, ...]] = ("dash_", "prior_q2_yes_share", "officer_grade")


def age_band(age: pd.Series) -> pd.Series:
    """Return the age band of whole-year ages (negative ages are 'unknown')."""
    values = age.to_numpy(dtype=np.int64)
    bands = np.asarray(AGE_LABELS, dtype=object)[np.searchsorted(AGE_EDGES, values, side="right")]
    return pd.Series(np.where(values < 0, "unknown", bands), index=age.index, dtype=object)


def _model_columns(scores: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    frame = scores if "assessment_id" not in scores.columns else scores.set_index("assessment_id")
    missing = ids.difference(frame.index)
    if len(missing):
        raise AuditInputError(
            "assessment_id", "a model score for every audited assessment", f"{len(missing)} missing"
        )
    return frame.reindex(ids)


def _audit_columns(
    tables: Mapping[str, pd.DataFrame], outcome: pd.Series, grades: pd.DataFrame
) -> pd.DataFrame:
    """Return every assessment's ids, outcome, grades, yes-count and the victim's groups."""
    assessments, incidents = tables["dash_assessments"], tables["incidents"]
    people = audit_frame(tables, FeatureConfig())
    victims = incidents.set_index("incident_id")["victim_id"].reindex(assessments["incident_id"])
    return pd.DataFrame(
        {
            "assessment_id": assessments["assessment_id"].to_numpy(),
            "victim_id": victims.to_numpy(),
            "officer_id": assessments["officer_id"].to_numpy(),
            str(outcome.name): outcome.to_numpy(),
            "statutory_grade": grades["statutory_grade"].to_numpy(),
            "officer_grade": assessments["officer_grade"].to_numpy(),
            "yes_count": grades["yes_count"].to_numpy(),
            "sex": people["victim_sex"].to_numpy(),
            "ethnicity": people["victim_ethnicity"].to_numpy(),
            "age_band": age_band(people["victim_age"]).to_numpy(),
            "area": people["area"].to_numpy(),
            "disability": people["victim_disability"].to_numpy(),
        }
    )


def cohort_audit_frame(
    tables: Mapping[str, pd.DataFrame],
    model_scores: pd.DataFrame | None = None,
    observed_until: pd.Timestamp | str | None = None,
    rules: RulesConfig | None = None,
    since: pd.Timestamp | str | None = None,
    outcome: str = PRIMARY_LABEL,
    grades: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return one row per assessment with a complete 365-day window, ready for ``run_audit``.

    ``since`` keeps only assessments completed at or after it (e.g. a model's test period,
    so the model is audited out of sample); grades still use the whole history.

    ``outcome`` is the label audited against (the model's target; see ``features.labels``);
    ``grades`` the cohort's ``grade_table`` frame under ``rules`` when already built.
    Columns: ``assessment_id``, ``victim_id``, ``officer_id``, the outcome, ``statutory_grade``,
    ``officer_grade``, ``yes_count``, victim ``sex``, ``ethnicity``, ``age_band`` (at the
    assessment), ``disability``, the incident's ``area``, and any model score columns (keyed
    by assessment).
    """
    assessments, incidents = tables["dash_assessments"], tables["incidents"]
    until = None if observed_until is None else pd.Timestamp(observed_until)
    labels = derive_labels(incidents, assessments, until)
    grades = grade_table(tables, rules) if grades is None else grades
    frame = _audit_columns(tables, labels[outcome].rename(outcome), grades)
    keep = labels["outcome_window_complete"].to_numpy(dtype=bool, copy=True)
    if since is not None:
        completed = pd.to_datetime(assessments["completed_at"]).to_numpy()
        keep &= completed >= pd.Timestamp(since).to_datetime64()
    frame = frame[keep].reset_index(drop=True)
    if model_scores is not None:
        extra = _model_columns(model_scores, pd.Index(frame["assessment_id"]))
        frame = pd.concat([frame, extra.reset_index(drop=True)], axis=1)
    return frame


def cohort_scorers(model_thresholds: Mapping[str, float] | None = None) -> list[ScorerSpec]:
    """Return the statutory grade, the officer grade and each model column at its threshold."""
    scorers = [
        ScorerSpec("statutory grade", "statutory_grade"),
        ScorerSpec("officer grade", "officer_grade"),
    ]
    for column, threshold in (model_thresholds or {}).items():
        scorers.append(ScorerSpec(column, column, "probability", threshold=threshold))
    return scorers


def officer_covariates(features: pd.DataFrame) -> list[str]:
    """Return the history feature names used as case covariates (no DASH-derived ones)."""
    return [c for c in features.columns if not c.startswith(_NOT_COVARIATES)]


def _one_hot_categoricals(features: pd.DataFrame) -> pd.DataFrame:
    """Replace categorical codes (e.g. offence category) by indicator columns."""
    codes = [c for c in categorical_features() if c in features.columns]
    if not codes:
        return features
    dummies = pd.get_dummies(features[codes].astype("category"), prefix=codes, dtype=np.float64)
    return pd.concat([features.drop(columns=codes), dummies], axis=1)


def cohort_officer_effect(
    tables: Mapping[str, pd.DataFrame],
    seed: int = 0,
    frames: CohortFrames | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Return the officer effect on a cohort: yes-count ICC after history features, and funnel.

    ``frames`` are the cohort's grades and features when already built.
    """
    frames = frames or build_cohort_frames(tables)
    features = _one_hot_categoricals(frames.features.reset_index(drop=True))
    grades = frames.grades
    frame = features.reset_index(drop=True).assign(
        officer_id=tables["dash_assessments"]["officer_id"].to_numpy(),
        yes_count=grades["yes_count"].to_numpy(),
        officer_grade=tables["dash_assessments"]["officer_grade"].to_numpy(),
    )
    covariates = officer_covariates(features)
    return officer_effect(frame, "officer_id", "yes_count", covariates, seed=seed, **options)


def run_cohort_audit(
    tables: Mapping[str, pd.DataFrame],
    model_scores: pd.DataFrame | None = None,
    model_thresholds: Mapping[str, float] | None = None,
    config: AuditConfig | None = None,
    observed_until: pd.Timestamp | str | None = None,
    groups: Sequence[str] = GROUPS,
    since: pd.Timestamp | str | None = None,
    outcome: str = PRIMARY_LABEL,
    frames: CohortFrames | None = None,
) -> AuditResult:
    """Audit a cohort end to end against ``outcome``: group metrics, disparities, officer effect.

    ``frames`` are the cohort's grades and features when already built (default rules).
    """
    config = config or AuditConfig(person_column="victim_id")
    frames = frames or build_cohort_frames(tables)
    frame = cohort_audit_frame(
        tables, model_scores, observed_until, None, since, outcome, frames.grades
    )
    result = run_audit(frame, outcome, cohort_scorers(model_thresholds), groups, config)
    result.officer_effect = cohort_officer_effect(
        tables,
        seed=config.seed,
        frames=frames,
        min_people=config.min_people,
        min_events=config.min_events,
    )
    return result
