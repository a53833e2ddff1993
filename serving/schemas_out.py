"""Response models of the scoring API (separate from the request models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from features.vocab import Grade

CONTRIBUTION_NOTE = (
    "Contributions are TreeSHAP values in log-odds (the booster's raw score): base_value + the "
    "listed contributions + remaining_log_odds = raw_score, and the groups' log_odds add up to "
    "raw_score - base_value. probability_effect is the same push on the calibrated probability, "
    "taking the listed items in order from the average-inputs probability (base_probability); "
    "in that order they and the remainder add up to the case's probability."
)
Direction = Literal["raises", "lowers", "none"]


class ActionOut(BaseModel):
    """A required action: the rule that fired it, the action, the facts behind it, its source."""

    rule_id: str
    action: str
    reason: str
    source: str = Field(description="the document (title and section) the rule rests on")
    due_by: str | None = Field(
        default=None, description="ISO 8601 time the action is due, where the source gives one"
    )
    due_within_hours: int | None = Field(
        default=None, description="the source's deadline, in hours from the incident or assessment"
    )


class StatutoryOut(BaseModel):
    """The authoritative statutory result from the force's rule table; always present."""

    assessment_id: str
    grade: Grade
    actions: list[ActionOut]
    yes_count: int
    dont_know_count: int
    not_answered_count: int
    unknown_count: int
    rules_version: str
    non_default_thresholds: dict[str, Any]
    grade_basis: list[str]
    flags: list[ActionOut] = Field(
        default_factory=list,
        description="triggers and honour-based abuse: shown with their source; raise no grade",
    )
    less_protective: dict[str, str] = Field(
        default_factory=dict,
        description="thresholds the force set less protective than the default, with its reason",
    )


class ContributionOut(BaseModel):
    """One feature's SHAP contribution to this case's score, with a sentence about this case."""

    feature: str
    value: float | None = Field(description="the feature's value for this case (null = missing)")
    description: str = Field(description="what the input measures, in plain English")
    group: str = Field(default="other", description="the group of meaning it belongs to")
    sentence: str = Field(default="", description="this case's value in words, and its push")
    direction: Direction
    log_odds: float = Field(description="the contribution, in log-odds")
    probability_effect: float = Field(
        default=0.0, description="the push on the calibrated probability (0.031 = 3.1 points)"
    )


class GroupOut(BaseModel):
    """The summed contributions of one group of inputs (criminal history, ...), largest first."""

    group: str
    label: str
    direction: Direction
    log_odds: float = Field(description="sum of the group's contributions, in log-odds")
    probability_effect: float
    features: list[ContributionOut] = Field(description="the group's largest contributions")
    remaining_log_odds: float = Field(description="sum of the group's unlisted contributions")
    remaining_features: int


class OutcomeOut(BaseModel):
    """What the probability means: target definition, base rate and the range calibration backs."""

    definition: str
    base_rate: float | None
    supported_low: float
    supported_high: float
    support_rule: str
    within_supported_range: bool


class ModelOut(BaseModel):
    """The model's advisory view: calibrated probability, band and its reasons."""

    name: str
    version: str
    probability: float = Field(ge=0.0, le=1.0)
    band: Grade
    band_thresholds: dict[str, float] = Field(
        default_factory=dict, description="the probability thresholds applied (medium, high)"
    )
    outcome: OutcomeOut | None = None
    raw_score: float = Field(description="the booster's log-odds")
    base_value: float = Field(description="the expected raw score (log-odds) before any feature")
    base_probability: float | None = Field(
        default=None, description="the calibrated probability at base_value (average inputs)"
    )
    contributions: list[ContributionOut]
    remaining_log_odds: float = Field(description="sum of every contribution not listed")
    remaining_features: int
    remaining_probability: float = 0.0
    groups: list[GroupOut] = Field(default_factory=list, description="every group, largest first")
    note: str = CONTRIBUTION_NOTE


class RecommendationOut(BaseModel):
    """The statutory grade and every action, plus an advisory review suggestion."""

    grade: Grade
    actions: list[ActionOut]
    review_suggested: bool
    review_reason: str | None
    advisory_note: str


class ScoreResponse(BaseModel):
    """Result for one case: statutory (authoritative), model (advisory) and recommendation."""

    request_id: str
    model_version: str
    rules_version: str
    statutory: StatutoryOut
    model: ModelOut
    recommendation: RecommendationOut


class FieldError(BaseModel):
    """One validation failure: where (``loc``), what was wrong and its type."""

    loc: list[str | int]
    msg: str
    type: str


class BatchItemOut(BaseModel):
    """One case of a batch: its result, or the reasons it was rejected."""

    index: int
    status: Literal["ok", "error"]
    result: ScoreResponse | None = None
    errors: list[FieldError] | None = None


class BatchScoreResponse(BaseModel):
    """Results of a batch, in input order; a failing case does not fail the others."""

    request_id: str
    model_version: str
    n_ok: int
    n_failed: int
    results: list[BatchItemOut]


class FeatureInfo(BaseModel):
    """A model input with its plain-English description."""

    name: str
    family: str
    description: str


class ModelInfo(BaseModel):
    """What is being served: version, alias, metrics against DASH, features, rules, model card."""

    name: str
    version: str
    alias: str | None
    run_id: str | None
    target: str
    loaded_at: datetime
    bands: dict[str, float]
    metrics: dict[str, dict[str, float]] = Field(
        description="test-period metrics per scorer (model, dash_count, officer_grade, ...)"
    )
    versus_dash: dict[str, float] = Field(
        description="model minus DASH yes-count baseline, per shared metric"
    )
    features: list[FeatureInfo]
    rules_version: str
    model_card: str


class ReloadOut(BaseModel):
    """Outcome of an admin reload."""

    previous_version: str | None
    version: str
    alias: str | None
    changed: bool


class HealthOut(BaseModel):
    """Liveness or readiness, with the checks behind it."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, bool] = Field(default_factory=dict)


class GradeCount(BaseModel):
    """Number of scored cases with a statutory grade, model band and review flag."""

    statutory_grade: str
    model_band: str
    review_suggested: bool
    count: int


class AuditSummary(BaseModel):
    """Aggregate counts over the audit log (no case-level data)."""

    total: int
    by_grade: list[GradeCount]
